package io.faketcp.compat;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** One test instance for all methods; the network is still per test, parameters in @AfterEach too. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@FakeNetwork(subnet = "10.32.0.0/24", mode = Mode.DROP)
class PerClassLifecycleTest {
  private final List<String> devices = new ArrayList<>();

  @Test
  void switchesModeMidTest(NetworkInfo net, NetworkControl peer, Capture capture) throws Exception {
    peer.mode(Mode.REJECT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket(net.address(3), 25))
        .isInstanceOf(ConnectException.class);
    assertThat(capture).hasResetFrom(net.address(3));
  }

  @Test
  void startsAgainFromTheAnnotationsMode(NetworkInfo net, Capture capture) throws Exception {
    try (Socket socket = new Socket()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> socket.connect(net.socketAddress(3, 25), 300)).isInstanceOf(java.net.SocketTimeoutException.class);
    }
    assertThat(capture).hasSynWithoutAnswer(net.socketAddress(3, 25));
  }

  @AfterEach
  void eachTestHadADevice(NetworkInfo net) {
    assertThat(net.interfaceName()).isNotBlank();
    devices.add(net.interfaceName());
    assertThat(devices).hasSizeLessThanOrEqualTo(2);
  }
}
