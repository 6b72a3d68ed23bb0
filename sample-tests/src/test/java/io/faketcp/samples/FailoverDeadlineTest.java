package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.samples.FailoverClient.NoReplicaAvailableException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover client's deadline: replicas that never answer use it up; the rest are not tried. */
@FakeNetwork(subnet = "10.21.0.0/24")
class FailoverDeadlineTest {

  // tag::rules[]
  @Test
  void givesUpAtItsDeadlineWithoutTryingTheRemainingReplicas(NetworkInfo net, NetworkControl peer, Capture capture) {
    peer.rules(Rules.of(Mode.ACCEPT)
        .with(Rule.of("10.21.0.5-10.21.0.6", "*", Mode.DROP)));   // .7 and up accept
    List<InetSocketAddress> replicas = List.of(
        net.socketAddress(5, 5432), net.socketAddress(6, 5432), net.socketAddress(7, 5432));
    FailoverClient client = new FailoverClient(replicas, Duration.ofSeconds(1), Duration.ofMillis(1500));

    long start = System.nanoTime();
    assertThatThrownBy(client::connect)
        .isInstanceOf(NoReplicaAvailableException.class)
        .hasMessageStartingWith("no replica accepted within 1500 ms: 10.21.0.5:5432 ")
        .hasMessageContaining(", 10.21.0.6:5432 ")
        .hasMessageNotContaining("10.21.0.7");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // the whole deadline used (1 s on .5, the 500 ms left on .6), and no longer than it by more than a
    // loaded machine's wake-ups; .7, with less than FailoverClient.MIN_ATTEMPT left, is never tried
    assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofMillis(1500 + 700));
    assertThat(capture)
        .hasSynWithoutAnswer(net.socketAddress(5, 5432))
        .hasSynWithoutAnswer(net.socketAddress(6, 5432))
        .hasNoPacketTo(net.address(7));
  }
  // end::rules[]
}
