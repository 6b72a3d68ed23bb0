package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.samples.MetricsSender.MetricsUnavailableException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A blocking {@link java.net.Socket} client: a metric is sent over a short connection; a refused or
 * unanswered connect becomes the application's {@link MetricsUnavailableException}.
 */
@FakeNetwork(mode = Mode.ACCEPT)
class MetricsSenderTest {
  private static final Instant AT = Instant.parse("2024-05-01T12:00:00Z");

  @Test
  void sendsTheMetricOverAConnectionItClosesAfterwards(NetworkInfo net, Capture capture) throws Exception {
    InetSocketAddress graphite = net.socketAddress(5, 2003);
    MetricsSender sender = new MetricsSender(graphite, Duration.ofSeconds(1));

    sender.send("checkout.latency.p99", 0.25, AT);

    assertThat(capture)
        .hasHandshakeWith(graphite)
        .hasBytesSentTo(graphite, MetricsSender.line("checkout.latency.p99", 0.25, AT).length())
        .containsInOrder(
            PacketPattern.syn().to(net.address(5), 2003),
            PacketPattern.data().to(net.address(5), 2003),
            PacketPattern.fin().to(net.address(5), 2003));      // the client closed the connection
  }

  @Test
  @FakeNetwork(mode = Mode.REJECT)
  void aRefusedConnectionIsReportedAsMetricsUnavailable(NetworkInfo net, Capture capture) {
    MetricsSender sender = new MetricsSender(net.socketAddress(5, 2003), Duration.ofSeconds(1));

    assertThatThrownBy(() -> sender.send("checkout.latency.p99", 0.25, AT))
        .isInstanceOf(MetricsUnavailableException.class)
        .hasMessage("metrics server 192.168.0.5:2003 refused the connection")
        .hasCauseInstanceOf(ConnectException.class);
    assertThat(capture)
        .hasResetFrom(net.address(5))
        .hasHandshakesWith(net.socketAddress(5, 2003), 0)
        .hasCount(PacketPattern.data(), 0);
  }

  // tag::drop[]
  @Test
  @FakeNetwork(mode = Mode.DROP)
  void anUnansweredConnectTimesOutWithinItsBudget(NetworkInfo net, Capture capture) {
    // Linux resends an unanswered SYN after 1 s: a 1.5 s timeout lets the capture show one retransmission.
    MetricsSender sender = new MetricsSender(net.socketAddress(5, 2003), Duration.ofMillis(1500));

    long start = System.nanoTime();
    assertThatThrownBy(() -> sender.send("checkout.latency.p99", 0.25, AT))
        .isInstanceOf(MetricsUnavailableException.class)
        .hasMessage("metrics server 192.168.0.5:2003 did not answer within 1500 ms")
        .hasCauseInstanceOf(SocketTimeoutException.class);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    assertThat(waited).isBetween(Duration.ofMillis(1500), Duration.ofMillis(1500 + 2000));
    assertThat(capture)
        .hasSynWithoutAnswer(net.socketAddress(5, 2003))
        .hasCount(PacketPattern.any().from(net.address(5)), 0);
    List<CapturedPacket> syns = capture.packets().filter(PacketPattern.syn().to(net.address(5), 2003)).list();
    assertThat(syns).as("the first SYN and its retransmission").hasSizeGreaterThanOrEqualTo(2);
    assertThat(syns.stream().map(p -> p.tcp().orElseThrow().sourcePort()).collect(Collectors.toSet()))
        .as("one connection attempt: every SYN from the same port").hasSize(1);
  }
  // end::drop[]
}
