package io.faketcp.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * A second class on the same network: it shares the context (the schema was created once for both),
 * whatever the other class did to the network is undone, and PER_CLASS works: the network is there
 * before the context, so also in a non-static {@code @BeforeAll}.
 */
@AppNetwork
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GreetingRepositoryPerClassTest {
  @Autowired
  GreetingRepository greetings;

  @Value("${faketcp.address.7}")
  String database;

  String subnet;

  @BeforeAll
  void network(NetworkInfo net) {
    subnet = net.subnet().toString();
  }

  @Test
  void sharesTheContextAndItsNetwork() {
    assertThat(subnet).isEqualTo("10.80.0.0/24");
    assertThat(database).isEqualTo("10.80.0.7");
    assertThat(AppHosts.DATABASE.creates()).isEqualTo(1);
    assertThat(greetings.find(1)).contains("hello");
  }

  @Test
  void startsWithoutTheFaultsOfOtherClasses(NetworkControl peer) {
    assertThat(peer.rules().faults()).isEmpty();
    assertThat(greetings.count()).isGreaterThanOrEqualTo(1);
  }
}
