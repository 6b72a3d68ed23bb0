package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.dns.FakeDns;
import java.net.InetAddress;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** One network for the class, names given to the builder: each test starts from the declared names. */
@ResourceLock(providers = SubnetLocks.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedNamesTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.72.0.0/24")
      .host("db.test", "10.72.0.5").build();

  @Test
  @Order(1)
  void aTestMovesAName(NetworkInfo net, NetworkControl control) throws Exception {
    assertThat(FakeDns.lookup(net.dnsServer().orElseThrow(), "db.test")).containsExactly(net.address(5));
    control.names().host("db.test", "10.72.0.6");
    assertThat(FakeDns.lookup(net.dnsServer().orElseThrow(), "db.test")).containsExactly(net.address(6));
  }

  @Test
  @Order(2)
  void theNextTestFindsItWhereItWasDeclared(NetworkInfo net) throws Exception {
    assertThat(net.address("db.test")).isEqualTo(InetAddress.getByName("10.72.0.5"));
    assertThat(FakeDns.lookup(net.dnsServer().orElseThrow(), "db.test")).containsExactly(net.address(5));
  }
}
