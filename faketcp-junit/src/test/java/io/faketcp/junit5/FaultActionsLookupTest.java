package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkControl#faultActions(Fault)} finds a rule's fault by the fault a test holds, and
 * connection faults added mid-test count as documented: bytes from the connection's start, time
 * from the moment they are added. Kernel sockets to a fake echo host.
 */
class FaultActionsLookupTest {

  @Test
  @FakeNetwork(subnet = "10.71.0.0/24")
  void aRulesFaultIsFoundByTheUnscopedFaultATestHolds(NetworkInfo net, NetworkControl control) throws Exception {
    control.rules(Rules.of(Mode.ACCEPT)
        .with(Rule.of("10.71.0.6", "6379", Mode.ECHO).withFaults(Fault.parse("reset-after=40"))));
    try (Socket socket = new Socket(net.address(6), 6379)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(new byte[100]);
      assertThatThrownBy(() -> drain(socket.getInputStream())).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
    }
    assertThat(control.faultActions()).as("the map keys the fault as in force: with the rule's scope")
        .containsEntry(Fault.parse("reset-after=40@10.71.0.6:6379"), 1L)
        .doesNotContainKey(Fault.parse("reset-after=40"));
    assertThat(control.faultActions(Fault.parse("reset-after=40"))).as("any scope").isEqualTo(1);
    assertThat(control.faultActions(Fault.parse("reset-after=40@10.71.0.6:6379"))).as("that scope").isEqualTo(1);
    assertThat(control.faultActions(Fault.parse("reset-after=40@10.71.0.7:*"))).as("another scope").isZero();
    assertThat(control.faultActions(Fault.parse("reset-after=41"))).as("another value").isZero();
    assertThat(control.faultActions(Fault.parse("stall-after=40"))).as("another kind").isZero();
  }

  @Test
  @FakeNetwork(subnet = "10.72.0.0/24", mode = Mode.ECHO)
  void aByteCountAddedMidTestCountsFromTheConnectionsStart(NetworkInfo net, NetworkControl control)
      throws Exception {
    try (Socket socket = new Socket(net.address(5), 7)) {
      socket.setSoTimeout(5_000);
      echo(socket, 1000);
      control.fault(Fault.parse("reset-after=1500"));
      // Counted from now, 600 more bytes would be far below 1500; counted from the start, they cross it.
      socket.getOutputStream().write(new byte[600]);
      assertThatThrownBy(() -> drain(socket.getInputStream())).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
    }
    assertThat(control.faultActions(Fault.parse("reset-after=1500"))).isEqualTo(1);
  }

  @Test
  @FakeNetwork(subnet = "10.73.0.0/24", mode = Mode.ECHO)
  void aTimeAddedMidTestCountsFromTheMomentItIsAdded(NetworkInfo net, NetworkControl control) throws Exception {
    try (Socket socket = new Socket(net.address(5), 7)) {
      socket.setSoTimeout(5_000);
      echo(socket, 10);
      Thread.sleep(1_200); // open longer than the fault's time before the fault comes
      long added = System.nanoTime();
      control.fault(Fault.parse("reset-after=1s"));
      echo(socket, 10); // counted from the connection's start, it would be reset already
      assertThat(control.faultActions(Fault.parse("reset-after=1s"))).as("not yet").isZero();
      assertThatThrownBy(() -> drain(socket.getInputStream())).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      assertThat((System.nanoTime() - added) / 1_000_000).as("ms from the fault to the reset").isBetween(900L, 3000L);
    }
  }

  private static void echo(Socket socket, int bytes) throws Exception {
    socket.getOutputStream().write(new byte[bytes]);
    assertThat(socket.getInputStream().readNBytes(bytes)).hasSize(bytes);
  }

  /** Reads until the end of the stream or an error. */
  private static void drain(InputStream in) throws Exception {
    byte[] buffer = new byte[4096];
    while (in.read(buffer) >= 0) {
      // what the echo host sent back before the reset
    }
  }
}
