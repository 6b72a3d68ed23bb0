package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Happy Eyeballs (RFC 8305) with a real client: OkHttp 5's fast fallback races IPv6 and IPv4. The
 * fake DNS answers A and AAAA for {@code www.dual.test}; every IPv6 fake host drops what it gets, so
 * OkHttp's IPv6 SYN goes unanswered, and after its fallback delay (250 ms) it tries IPv4, which
 * connects. The capture shows both attempts. No IPv6 connectivity is needed: the network is a tun
 * device in the test's own namespace.
 */
@ResourceLock(providers = SubnetLocks.class)
class HappyEyeballsTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet6("fd00:fa:ce::/64")                                   // dual stack: 192.168.0.0/24 and this
      .hosts("www.dual.test=192.168.0.5")                          // A 192.168.0.5, AAAA fd00:fa:ce::5
      .mode(Mode.REJECT)
      .rule(Rule.of("ipv6", "*", Mode.DROP))                        // IPv6 SYNs go unanswered
      .rule(Rule.of("*", "80", Server.fixedResponse(
          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")))
      .build();

  @Test
  void okHttpFallsBackToIpv4WithinItsFallbackDelay(NetworkInfo net, Capture capture) throws Exception {
    assertThat(InetAddress.getAllByName("www.dual.test")).contains(net.address(5), net.address6(5));
    OkHttpClient client = new OkHttpClient.Builder().fastFallback(true).build();

    long start = System.nanoTime();
    try (Response response = client.newCall(new Request.Builder().url("http://www.dual.test/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("hello");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).as("one fallback delay, not a connect timeout").isBetween(Duration.ofMillis(240),
        Duration.ofSeconds(3));
    assertThat(capture).containsInOrder(PacketPattern.syn().to(net.address6(5), 80),   // IPv6 first: dropped
            PacketPattern.syn().to(net.address(5), 80))                                // 250 ms later: IPv4
        .hasHandshakeWith(net.socketAddress(5, 80))
        .hasSynWithoutAnswer(new InetSocketAddress(net.address6(5), 80))
        .hasTimeBetween(PacketPattern.syn().to(net.address6(5), 80), PacketPattern.syn().to(net.address(5), 80),
            Duration.ofMillis(200), Duration.ofMillis(1500));                          // the fallback delay
  }
}
