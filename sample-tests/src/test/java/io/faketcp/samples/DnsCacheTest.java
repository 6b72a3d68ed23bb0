package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a default JVM does when a name moves: the JDK caches a found address for 30 s
 * ({@code networkaddress.cache.ttl}) and a failed lookup for 10 s ({@code networkaddress.cache.negative.ttl})
 * whatever the DNS says, so a client keeps going to the old address for up to 30 s, as in production.
 * {@link ShortDnsCacheTest} runs the same move in a JVM with a 1 s cache.
 */
@FakeNetwork(mode = Mode.ECHO, hosts = {"orders.cache.test=192.168.0.5"})
class DnsCacheTest {

  @Test
  void aDefaultJvmKeepsTheOldAddressAfterTheNameMoved(NetworkInfo net, NetworkControl control, Capture capture)
      throws Exception {
    Reconnector client = new Reconnector("orders.cache.test", 5432, Duration.ofMillis(100));
    try (Socket first = client.connect(Duration.ofSeconds(2))) {
      assertThat(first.getInetAddress()).isEqualTo(net.address(5));
    }
    control.rules(Rules.of(Mode.ECHO).with(Rule.of("192.168.0.5", "*", Mode.REJECT)));   // .5 now refuses
    control.names().host("orders.cache.test", "192.168.0.6");                            // and the name moves

    assertThatThrownBy(() -> client.connect(Duration.ofSeconds(2))).isInstanceOf(IOException.class)
        .hasMessageContaining("Connection refused");
    assertThat(capture).hasHandshakesWith(net.socketAddress(6, 5432), 0)
        .hasCount(PacketPattern.udp().to(net.dnsServer().orElseThrow(), 53).and(p -> p.line().contains(" A? "),
            "asking for an address"), 1);                                                   // asked once, then cached
    assertThat(client.failedAttempts()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void aDefaultJvmRemembersThatANameWasUnknown(NetworkControl control) throws Exception {
    assertThatThrownBy(() -> InetAddress.getByName("late.cache.test")).isInstanceOf(UnknownHostException.class);
    control.names().host("late.cache.test", "192.168.0.7");

    Thread.sleep(1500);
    assertThatThrownBy(() -> InetAddress.getByName("late.cache.test")).as("the failure is cached for 10 s")
        .isInstanceOf(UnknownHostException.class);
  }
}
