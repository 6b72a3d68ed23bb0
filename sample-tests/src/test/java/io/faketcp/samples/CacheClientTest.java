package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.resolver.dns.DnsErrorCauseException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Lettuce, a Netty-based Redis client, to {@code cache.test}: Netty's own DNS resolver reads
 * /etc/resolv.conf, which faketcp's launcher points at the fake DNS, and speaks DNS itself (no JDK
 * resolver, no JDK cache). Each scenario asks for a name of its own: Netty caches answers for their TTL.
 */
@ResourceLock(providers = SubnetLocks.class)
class CacheClientTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .mode(Mode.REJECT)
      .hosts("cache.test=192.168.0.7", "cache.nxdomain.test=192.168.0.7", "cache.servfail.test=192.168.0.7",
          "cache.silent.test=192.168.0.7")
      .rule(Rule.of("192.168.0.7", "6379", new FakeRedis("cached value")))
      .build();

  private RedisClient client;

  private String get(String host, Duration timeout) {
    client = RedisClient.create(RedisURI.builder().withHost(host).withPort(6379).withTimeout(timeout).build());
    client.setOptions(ClientOptions.builder().socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().get("key");
    }
  }

  @AfterEach
  void shutdown() {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void lettuceResolvesCacheTestThroughTheFakeDns(NetworkInfo net, Capture capture) {
    assertThat(get("cache.test", Duration.ofSeconds(5))).isEqualTo("cached value");

    assertThat(capture).hasHandshakeWith(net.socketAddress(7, 6379));
    assertThat(capture.packets().list()).anyMatch(p -> p.line().contains(" A? cache.test. "));
  }

  @Test
  void nxdomainFailsTheConnect(NetworkControl control) {
    control.fault(Fault.parse("dns=nxdomain@cache.nxdomain.test"));

    assertThatThrownBy(() -> get("cache.nxdomain.test", Duration.ofSeconds(5)))
        .isInstanceOf(RedisConnectionException.class)
        .hasCauseInstanceOf(UnknownHostException.class)
        .rootCause().isInstanceOf(DnsErrorCauseException.class).hasMessageContaining("NXDOMAIN");
  }

  @Test
  void servfailFailsTheConnect(NetworkControl control, Capture capture) {
    control.fault(Fault.parse("dns=servfail@cache.servfail.test"));

    assertThatThrownBy(() -> get("cache.servfail.test", Duration.ofSeconds(5)))
        .isInstanceOf(RedisConnectionException.class)
        .hasCauseInstanceOf(UnknownHostException.class)
        .rootCause().isInstanceOf(DnsErrorCauseException.class).hasMessageContaining("SERVFAIL");
    assertThat(capture.packets().list()).anyMatch(p -> p.line().contains(" ServFail "));
  }

  @Test
  void aSilentDnsServerRunsOutNettysQueryTimeoutNotLettucesConnectTimeout(NetworkControl control) {
    control.fault(Fault.parse("dns=timeout@cache.silent.test"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> get("cache.silent.test", Duration.ofSeconds(1)))
        .isInstanceOf(RedisConnectionException.class)
        .hasCauseInstanceOf(UnknownHostException.class)
        .rootCause().isInstanceOf(io.netty.resolver.dns.DnsNameResolverTimeoutException.class)
        .hasMessageContaining("timed out after 5000 milliseconds");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // Lettuce's connect timeout (1 s) starts after the lookup; Netty's resolver gives up after its query
    // timeout: 5 s, resolv.conf's default (options timeout:N changes it).
    assertThat(took).isBetween(Duration.ofMillis(4500), Duration.ofMillis(7000));
  }
}
