package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Relay;
import io.faketcp.peer.Rule;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** Jedis, unchanged, against the real Redis on the machine's loopback through the fake 10.67.0.5:6379. */
@ResourceLock(providers = SubnetLocks.class)
class SessionCacheTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.67.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.67.0.5", "6379", Relay.to("127.0.0.1", 6379)))   // the real Redis
      .build();

  private SessionCache cache;
  private final String session = "relay-" + ProcessHandle.current().pid();

  @BeforeEach
  void openCache(NetworkInfo net) {
    RealServices.require("Redis", RealServices.REDIS);
    cache = new SessionCache(new HostAndPort(net.address(5).getHostAddress(), 6379), Duration.ofSeconds(1));
    cache.put(session, "ada", Duration.ofSeconds(60));
  }

  @AfterEach
  void closeCache(NetworkControl peer) {
    if (cache != null) {
      peer.clearFaults();
      cache.close();
    }
  }

  @Test
  void commandsReachTheRealRedisThroughTheFakeAddress(NetworkInfo net) {
    assertThat(cache.user(session)).contains("ada");
    assertThat(cache.user("nobody-" + session)).isEmpty();
    assertThat(network.capture()).hasHandshakeWith(net.socketAddress(5, 6379));
  }

  @Test
  void underABlackholeTheClientTimesOutAndRecoversOnceItLifts(NetworkControl peer) {
    peer.fault(Fault.parse("blackhole-after=0"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> cache.user(session)).isInstanceOf(JedisConnectionException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("Jedis's socket timeout, 1 s")
        .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));

    peer.clearFaults();
    assertThat(cache.user(session)).contains("ada");
  }

  @Test
  void aResetFailsTheCommandAndTheNextOneGetsAFreshConnection(NetworkControl peer) {
    peer.fault(Fault.parse("reset-after=1"));

    assertThatThrownBy(() -> cache.user(session)).isInstanceOf(JedisConnectionException.class);

    peer.clearFaults();
    assertThat(cache.user(session)).contains("ada");
  }

  @Test
  void latencyAddsWhatWasAskedToEveryCommand(NetworkControl peer) {
    long plain = medianCommandNanos();

    peer.fault(Fault.parse("latency=100ms"));
    long slow = medianCommandNanos();

    assertThat(Duration.ofNanos(slow - plain)).as("added to a command (one round trip)")
        .isBetween(Duration.ofMillis(95), Duration.ofMillis(400));
  }

  private long medianCommandNanos() {
    long[] took = new long[5];
    for (int i = 0; i < took.length; i++) {
      long start = System.nanoTime();
      assertThat(cache.user(session)).contains("ada");
      took[i] = System.nanoTime() - start;
    }
    Arrays.sort(took);
    return took[took.length / 2];
  }
}
