package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A failover by DNS in a JVM whose cache keeps answers 1 s and failures not at all: the security
 * properties {@code networkaddress.cache.ttl=1} and {@code networkaddress.cache.negative.ttl=0}, set
 * before the JVM's first lookup (as a java.security file or {@code -Djava.security.properties} would).
 * This class runs in a JVM of its own (the sample-tests pom's {@code short-dns-cache} execution).
 */
@FakeNetwork(mode = Mode.ECHO, hosts = {"db.failover.test=192.168.0.5"})
class ShortDnsCacheTest {
  static {
    java.security.Security.setProperty("networkaddress.cache.ttl", "1");
    java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
  }

  // tag::failover[]
  @Test
  void theClientReachesTheNewAddressOnceItsCacheLetsIt(NetworkInfo net, NetworkControl control, Capture capture)
      throws Exception {
    Reconnector client = new Reconnector("db.failover.test", 5432, Duration.ofMillis(100));
    long cached = System.nanoTime();                                                   // the answer's 1 s starts
    try (Socket first = client.connect(Duration.ofSeconds(2))) {
      assertThat(first.getInetAddress()).isEqualTo(net.address(5));
    }
    control.rules(Rules.of(Mode.ECHO).with(Rule.of("192.168.0.5", "*", Mode.REJECT)));  // .5 now refuses
    control.names().host("db.failover.test", "192.168.0.6");                           // the name moves to .6

    try (Socket moved = client.connect(Duration.ofSeconds(5))) {
      Duration took = Duration.ofNanos(System.nanoTime() - cached);
      assertThat(moved.getInetAddress()).isEqualTo(net.address(6));
      assertThat(took).as("until the cached answer expired").isBetween(Duration.ofMillis(600), Duration.ofMillis(2500));
    }
    assertThat(client.failedAttempts()).as("refused by .5 meanwhile").isBetween(3, 25);
    assertThat(capture).hasResetFrom(net.address(5)).hasHandshakeWith(net.socketAddress(6, 5432))
        .containsInOrder(PacketPattern.rst().from(net.address(5)),
            PacketPattern.udp().from(net.dnsServer().orElseThrow(), 53),               // A 192.168.0.6
            PacketPattern.syn().to(net.address(6), 5432));
  }
  // end::failover[]

  @Test
  void aFailureIsNotCached(NetworkControl control) throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> InetAddress.getByName("late.failover.test"))
        .isInstanceOf(java.net.UnknownHostException.class);
    control.names().host("late.failover.test", "192.168.0.7");
    assertThat(InetAddress.getByName("late.failover.test")).isEqualTo(InetAddress.getByName("192.168.0.7"));
  }
}
