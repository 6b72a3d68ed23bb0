package io.faketcp.samples.boot;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.spring.TestCapture;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.client.ResourceAccessException;

/** The RestClient's timeouts against the fake price service: DROP, a latency fault, then all is well again. */
@AppNetwork
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PriceClientTest {
  @Autowired
  PriceClient prices;

  // tag::rest-client[]
  @Test
  @Order(1)
  void theConnectTimeoutEndsACallToAHostThatDropsEverything(NetworkControl peer) {
    peer.rules(Rules.of(Mode.DROP));          // this test only: the next one starts with AppHosts' rules
    long start = System.nanoTime();

    assertThatThrownBy(() -> prices.price("abc"))
        .isInstanceOf(ResourceAccessException.class)
        .hasRootCauseInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("Connect timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(5));
  }

  @Test
  @Order(2)
  void theReadTimeoutEndsACallWhoseAnswerIsLate(NetworkControl peer, NetworkInfo net) {
    // Each packet of the price service 700 ms late: the connect (2 s) waits for it, the read (500 ms) does not.
    peer.fault(Fault.latency(Duration.ofMillis(700)).at(net.address(5).getHostAddress(), "8080"));

    assertThatThrownBy(() -> prices.price("abc"))
        .isInstanceOf(ResourceAccessException.class)
        .hasRootCauseInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("Read timed out");
  }

  @Test
  @Order(3)
  void theNextTestStartsWithoutTheFaultAndWithItsOwnCapture(TestCapture capture, NetworkInfo net) {
    long start = System.nanoTime();

    assertThat(prices.price("abc")).isEqualTo("42.00");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));   // 700 ms latency twice: 1.4 s
    assertThat(capture)
        .hasHandshakesWith(net.socketAddress(5, 8080), 1)      // this test's call, none of the earlier ones
        .hasCount(PacketPattern.rst(), 0)
        .hasNoPacketTo(net.address(7));                       // the pool's traffic is background
  }
  // end::rest-client[]
}
