package io.faketcp.compat;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Runs in parallel with the other classes (junit-platform.properties) on DeclarativeTest's subnet:
 * the two must never overlap, and neither may wait for a lock that nobody holds.
 */
@FakeNetwork(mode = Mode.ACCEPT)
class SameSubnetInParallelTest {

  @Test
  void acceptsOnTheDefaultSubnet(NetworkInfo net, Capture capture) throws Exception {
    try (Socket socket = new Socket(net.address(20), 5432)) {
      org.assertj.core.api.Assertions.assertThat(socket.isConnected()).isTrue();
    }
    assertThat(capture).hasHandshakeWith(net.socketAddress(20, 5432)).hasNoPacketTo(net.address(5));
  }

  @Test
  void answersPing(NetworkInfo net, Capture capture) throws Exception {
    org.assertj.core.api.Assertions.assertThat(net.address(21).isReachable(2000)).isTrue();
    assertThat(capture).hasEchoRequestsTo(net.address(21), 1);
  }
}
