package io.faketcp.samples;

// tag::smallest[]
import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

@FakeNetwork(mode = Mode.REJECT)
class ConnectionRefusedTest {

  @Test
  void everyFakeHostRefusesConnections(NetworkInfo net, Capture capture) {
    assertThatThrownBy(() -> new Socket(net.address(5), 80))   // 192.168.0.5:80
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Connection refused");

    assertThat(capture)
        .hasResetFrom(net.address(5))
        .hasHandshakesWith(net.socketAddress(5, 80), 0);
  }
}
// end::smallest[]
