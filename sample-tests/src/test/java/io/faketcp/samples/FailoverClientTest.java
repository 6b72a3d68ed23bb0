package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Failover over replicas .5 (gone: drops everything), .6 (refuses) and .7 (healthy). */
// tag::programmatic[]
@ResourceLock(providers = SubnetLocks.class)
class FailoverClientTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.20.0.0/24")
      .mode(Mode.ACCEPT)
      .rule(Rule.of("10.20.0.5", "*", Mode.DROP))
      .rule(Rule.of("10.20.0.6", "*", Mode.REJECT))
      .build();

  @Test
  void endsUpOnTheFirstHealthyReplicaWithinItsDeadline(NetworkInfo net) throws Exception {
    List<InetSocketAddress> replicas = List.of(net.socketAddress(5, 5432), net.socketAddress(6, 5432),
        net.socketAddress(7, 5432), net.socketAddress(8, 5432));
    FailoverClient client = new FailoverClient(replicas, Duration.ofMillis(300), Duration.ofSeconds(2));

    long start = System.nanoTime();
    try (Socket socket = client.connect()) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(socket.getRemoteSocketAddress()).isEqualTo(net.socketAddress(7, 5432));
      assertThat(took).isBetween(Duration.ofMillis(300), Duration.ofSeconds(2));
    }

    assertThat(network.capture())
        .hasSynWithoutAnswer(net.socketAddress(5, 5432))
        .hasResetFrom(net.address(6))
        .hasHandshakeWith(net.socketAddress(7, 5432))
        .hasNoPacketTo(net.address(8))
        .containsInOrder(
            PacketPattern.syn().to(net.address(5), 5432),
            PacketPattern.syn().to(net.address(6), 5432),
            PacketPattern.syn().to(net.address(7), 5432));
  }
}
// end::programmatic[]
