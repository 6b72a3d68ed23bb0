package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Fails on purpose, to show what a failing faketcp test prints: the assertion, every captured packet,
 * and where the {@code .pcap} and transcript were written. Left out of the normal build; run it with
 * {@code mvn -pl sample-tests test -Pfailure-demo}. {@link FailureOutputTest} checks what it prints.
 */
@FakeNetwork(mode = Mode.REJECT)
class CaptureFailureDemoTest {

  // tag::failure-demo[]
  @Test
  void expectsAHandshakeButTheServerRefused(NetworkInfo net, Capture capture) {
    MetricsSender sender = new MetricsSender(net.socketAddress(5, 2003), Duration.ofSeconds(1));
    try {
      sender.send("checkout.latency.p99", 0.25, Instant.parse("2024-05-01T12:00:00Z"));
    } catch (MetricsSender.MetricsUnavailableException e) {
      // swallowed: the capture assertion below reports what happened
    }

    assertThat(capture).hasHandshakeWith(net.socketAddress(5, 2003));
  }
  // end::failure-demo[]

  @Test
  void applicationErrorFailsTheTest(NetworkInfo net) throws Exception {
    new MetricsSender(net.socketAddress(6, 2003), Duration.ofSeconds(1))
        .send("checkout.latency.p99", 0.25, Instant.parse("2024-05-01T12:00:00Z"));
  }
}
