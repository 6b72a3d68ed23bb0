package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.samples.RetryingConnector.ConnectFailedException;
import io.faketcp.samples.RetryingConnector.Connected;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Retry with backoff: a server that refuses, then comes back; or never does. */
@FakeNetwork(mode = Mode.REJECT)
class RetryingConnectorTest {

  // tag::mode-change[]
  @Test
  void connectsOnTheFirstAttemptAfterTheServerComesBack(NetworkInfo net, NetworkControl peer, Capture capture)
      throws Exception {
    InetSocketAddress server = net.socketAddress(5, 8080);
    RetryingConnector connector = new RetryingConnector(5, Duration.ofSeconds(1), Duration.ofMillis(50),
        (attempt, failure, pause) -> {
          if (attempt == 2) {
            peer.mode(Mode.ACCEPT); // the server is back from the third attempt on
          }
        });

    try (Connected connected = connector.connect(server)) {
      assertThat(connected.attempt()).isEqualTo(3);
    }

    assertThat(capture)
        .hasCount(PacketPattern.syn().to(net.address(5), 8080), 3)
        .hasCount(PacketPattern.rst().from(net.address(5), 8080), 2)
        .hasHandshakesWith(server, 1);
  }
  // end::mode-change[]

  @Test
  void givesUpAfterItsLastAttemptPausingLongerEachTime(NetworkInfo net, Capture capture) {
    RetryingConnector connector = new RetryingConnector(4, Duration.ofSeconds(1), Duration.ofMillis(100),
        (attempt, failure, pause) -> { });

    assertThatThrownBy(() -> connector.connect(net.socketAddress(5, 8080)))
        .isInstanceOf(ConnectFailedException.class)
        .hasMessage("could not connect to 192.168.0.5:8080 in 4 attempts")
        .hasCauseInstanceOf(ConnectException.class)
        .satisfies(e -> assertThat(((ConnectFailedException) e).attempts()).isEqualTo(4));

    assertThat(capture)
        .hasCount(PacketPattern.syn().to(net.address(5), 8080), 4)
        .hasCount(PacketPattern.rst().from(net.address(5), 8080), 4);
    // The pauses, as the kernel timestamped the SYNs: at least 100, 200 and 400 ms apart.
    List<CapturedPacket> syns = capture.packets().filter(PacketPattern.syn().to(net.address(5), 8080)).list();
    List<Duration> gaps = IntStream.range(1, syns.size())
        .mapToObj(i -> Duration.between(syns.get(i - 1).timestamp(), syns.get(i).timestamp()))
        .collect(Collectors.toList());
    List<Duration> pauses = List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(gaps).hasSize(3);
    for (int i = 0; i < gaps.size(); i++) {
      assertThat(gaps.get(i)).as("between attempts %d and %d", i + 1, i + 2)
          .isGreaterThanOrEqualTo(pauses.get(i).minusMillis(1))
          .isLessThan(pauses.get(i).plusSeconds(1));
    }
  }
}
