package io.faketcp.compat;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** Two tests on the default subnet, one after the other: the second must not wait for the first's lock. */
@FakeNetwork(mode = Mode.REJECT)
class DeclarativeTest {

  @Test
  void everyFakeHostRefusesConnections(NetworkInfo net, Capture capture) {
    assertThatThrownBy(() -> new Socket(net.address(5), 80))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Connection refused");
    assertThat(capture).hasResetFrom(net.address(5)).hasHandshakesWith(net.socketAddress(5, 80), 0);
  }

  @Test
  void theNextTestOnTheSameSubnetGetsItsOwnNetwork(NetworkInfo net, Capture capture) {
    assertThatThrownBy(() -> new Socket(net.address(9), 443)).isInstanceOf(ConnectException.class);
    assertThat(capture).hasResetFrom(net.address(9)).hasNoPacketTo(net.address(5));
  }

  @Test
  @FakeNetwork(mode = Mode.ACCEPT)
  void aMethodAnnotationReplacesTheClasses(NetworkInfo net, Capture capture) throws Exception {
    try (Socket socket = new Socket(net.address(7), 8080)) {
      org.assertj.core.api.Assertions.assertThat(socket.isConnected()).isTrue();
    }
    assertThat(capture).hasHandshakeWith(net.socketAddress(7, 8080));
  }
}
