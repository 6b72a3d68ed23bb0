package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults through the annotation, the builder and NetworkControl, from kernel sockets. */
class FaultsAnnotationTest {

  @Test
  @FakeNetwork(mode = Mode.ECHO, faults = {"latency=80ms@192.168.0.5:*", "seed=11"})
  void annotationFaultsApplyWithTheirSeed(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
    long start = System.nanoTime();
    Socket far = new Socket(net.address(5), 7);
    assertThat((System.nanoTime() - start) / 1_000_000).as(".5 is 80 ms away").isGreaterThanOrEqualTo(80L);
    far.close();
    // by how much: the capture's mark below, the fault's own account (an upper bound on a clock would
    // measure a loaded machine too)
    new Socket(net.address(6), 7).close();
    // .6 is near: the fault delayed none of its packets (a bound on the time would measure the machine's load)
    List<String> lines = capture.packets().transcript().lines().collect(Collectors.toList());
    assertThat(lines).filteredOn(l -> l.contains(" IP " + net.address(5).getHostAddress() + ".7 > "))
        .anyMatch(l -> l.contains("<- delayed 80000us by latency=80ms"));
    assertThat(lines).filteredOn(l -> l.contains(" IP " + net.address(6).getHostAddress() + ".7 > ")).as(".6's packets")
        .isNotEmpty().noneMatch(l -> l.contains("<- delayed"));
    assertThat(control.seed()).isEqualTo(11);
    assertThat(control.faultActions()).containsKey(Fault.parse("latency=80ms@192.168.0.5:*"));
  }

  @Test
  @FakeNetwork(mode = Mode.ECHO)
  void faultsComeAndGoMidTest(NetworkInfo net, NetworkControl control) throws Exception {
    try (Socket before = new Socket(net.address(5), 7)) {
      control.fault(Fault.unreachable(Fault.Unreachable.Code.HOST));
      assertThatThrownBy(() -> new Socket(net.address(5), 7)).isInstanceOf(NoRouteToHostException.class);
      before.getOutputStream().write(42);
      assertThat(before.getInputStream().read()).as("the open connection goes on").isEqualTo(42);
      control.clearFaults();
      new Socket(net.address(5), 7).close();
    }
  }

  @Nested
  class Programmatic {
    @RegisterExtension
    final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mode(Mode.DISCARD)
        .fault(Fault.resetAfterBytes(100)).build();

    @Test
    void builderFaultsApply(NetworkInfo net) throws Exception {
      try (Socket socket = new Socket(net.address(5), 9)) {
        socket.getOutputStream().write(new byte[1000]);
        socket.setSoTimeout(5000);
        assertThatThrownBy(() -> socket.getInputStream().read()).hasMessageContaining("Connection reset");
      }
    }
  }

}
