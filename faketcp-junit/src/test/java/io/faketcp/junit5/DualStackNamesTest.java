package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.dns.FakeDns;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * On the default subnet (whose fake DNS the launcher's resolv.conf names, so that JDK 17 asks it too):
 * a declared name answers A and AAAA, and the JVM's lookups see both families.
 */
@FakeNetwork(subnet6 = "fd00:fa:ce::/64", hosts = {"web.test=192.168.0.5", "api.test=192.168.0.6,192.168.0.7"})
class DualStackNamesTest {

  @Test
  void aDeclaredNameHasTheAaaaRecordsOfTheSameHostNumbers(NetworkInfo net) throws Exception {
    assertThat(FakeDns.lookup6(net.dnsServer().orElseThrow(), "web.test")).containsExactly(net.address6(5));
    assertThat(FakeDns.lookup6(net.dnsServer().orElseThrow(), "api.test"))
        .containsExactly(net.address6(6), net.address6(7));
    assertThat(InetAddress.getAllByName("web.test")).containsExactlyInAnyOrder(net.address(5), net.address6(5));
  }
}
