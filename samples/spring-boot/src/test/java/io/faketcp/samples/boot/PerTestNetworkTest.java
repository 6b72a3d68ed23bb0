package io.faketcp.samples.boot;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.client.ResourceAccessException;

// tag::per-test[]
/**
 * faketcp-junit's per-test network in a Spring test: fine for beans that touch the network only when
 * called (this context starts before the test's network does). Spring 6.2 logs no @AliasFor warning
 * for @FakeNetwork (CI checks the build's output).
 */
@SpringBootTest(classes = PriceClient.class, properties = "prices.url=http://10.82.0.5:8080")
@FakeNetwork(subnet = "10.82.0.0/24", mode = Mode.REJECT)
class PerTestNetworkTest {
  @Autowired
  PriceClient prices;

  @Test
  void aRefusedConnectionReachesTheCaller(NetworkInfo net, Capture capture) {
    assertThatThrownBy(() -> prices.price("abc"))
        .isInstanceOf(ResourceAccessException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
    assertThat(capture).hasResetFrom(net.address(5));
  }
}
// end::per-test[]
