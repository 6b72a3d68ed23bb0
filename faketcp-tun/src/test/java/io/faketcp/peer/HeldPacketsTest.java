package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the faults hold back, seen from outside the peer, through a real tun device. */
@ExtendWith(RequiresTun.class)
class HeldPacketsTest {
  // Delayed packets keep arriving after the test: a subnet of its own.
  private static final Subnet SUBNET = Subnet.parse("192.168.93.0/24");

  @Test
  void aPacketDelayedByLatencyIsHeldUntilItLeavesAndCanBeAwaited() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("latency=200ms"), null, null);
         Socket socket = new Socket()) {
      assertThat(f.peer.heldPackets()).as("nothing held before any traffic").isZero();
      assertThat(f.peer.awaitHeldPackets(Duration.ZERO)).isTrue();
      socket.connect(new InetSocketAddress(f.address(5), 7), 5000);
      // The SYN+ACK still counts until the write that delivered it returns on the peer's thread.
      assertThat(f.peer.awaitHeldPackets(Duration.ofMillis(500))).isTrue();
      socket.setTcpNoDelay(true);
      long written = System.nanoTime();
      socket.getOutputStream().write(42);
      await(() -> f.peer.heldPackets() > 0, "the echo held back by the latency");

      assertThat(f.peer.awaitHeldPackets(Duration.ofMillis(500))).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written)).as("waited for the latency")
          .isBetween(200L, 2000L);
      assertThat(f.peer.heldPackets()).isZero();
      socket.setSoTimeout(1000);
      assertThat(socket.getInputStream().read()).as("the echo, out when the wait ends").isEqualTo(42);
    }
  }

  @Test
  void aStoppedPeerKeepsNoOneWaitingForWhatItHeld() throws Exception {
    // A peer whose thread has stopped never sends what it holds: the wait ends at once.
    PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("latency=300ms"), null, null);
    try (f; Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(f.address(6), 7), 5000);
      assertThat(f.peer.awaitHeldPackets(Duration.ofMillis(500))).as("the SYN+ACK counted out").isTrue();
      socket.getOutputStream().write(1);
      await(() -> f.peer.heldPackets() > 0, "the echo held back by the latency");
      f.peer.close();
      long start = System.nanoTime();
      assertThat(f.peer.awaitHeldPackets(Duration.ofSeconds(5))).as("held packets of a stopped peer").isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000L);
    }
  }
}
