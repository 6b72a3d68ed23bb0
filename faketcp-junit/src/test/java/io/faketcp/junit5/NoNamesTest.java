package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.faketcp.assertj.PacketPattern;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A network without names, under the launcher: no DNS server runs, and a lookup fails at once. */
@FakeNetwork
class NoNamesTest {

  @Test
  void aLookupFailsAtOnceInsteadOfWaitingForTheResolversTimeouts(NetworkInfo net, Capture capture) {
    assumeThat(System.getenv("FAKETCP_RESOLV_CONF")).as("run by faketcp's launcher").isEqualTo("192.168.0.254");
    assertThat(net.dnsServer()).isEmpty();

    long start = System.nanoTime();
    assertThatThrownBy(() -> InetAddress.getByName("no-names.example")).isInstanceOf(UnknownHostException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(capture).contains(PacketPattern.portUnreachable().from(net.address(254)));
  }
}
