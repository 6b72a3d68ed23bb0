package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * The network is part of the context cache key: classes with equal annotations share a context and its
 * network, a class with another network gets its own context, and on an overlapping subnet takes it
 * over, as does a per-test {@code @FakeNetwork}; the first context's network opens again for its next
 * test class.
 */
class ContextCacheTest {
  static final Map<String, ApplicationContext> CONTEXTS = new ConcurrentHashMap<>();

  @Configuration
  static class Config {}

  @SpringJUnitConfig(Config.class)
  @ContextFakeNetwork(subnet = "10.72.0.0/24")
  static class AcceptingFirst {
    @Autowired
    ApplicationContext context;

    @Test
    void connects(NetworkInfo net) throws IOException {
      CONTEXTS.put("first", context);
      new Socket(net.address(5), 80).close();
    }
  }

  @SpringJUnitConfig(Config.class)
  @ContextFakeNetwork(subnet = "10.72.0.0/24", mode = Mode.REJECT)
  static class RejectingSameSubnet {
    @Autowired
    ApplicationContext context;

    @Test
    void isRefused(NetworkInfo net) {
      CONTEXTS.put("rejecting", context);
      assertThatThrownBy(() -> new Socket(net.address(5), 80)).isInstanceOf(ConnectException.class);
    }
  }

  /** faketcp-junit's per-test network on the subnet a cached context's network holds: it takes it over at once. */
  @FakeNetwork(subnet = "10.72.0.0/24", mode = Mode.REJECT)
  static class PerTestOnTheSameSubnet {
    @Test
    void isRefused(NetworkInfo net) {
      assertThatThrownBy(() -> new Socket(net.address(5), 80)).isInstanceOf(ConnectException.class);
    }
  }

  @SpringJUnitConfig(Config.class)
  @ContextFakeNetwork(subnet = "10.72.0.0/24")
  static class AcceptingAgain {
    @Autowired
    ApplicationContext context;

    @Test
    void connectsOnTheReopenedNetwork(NetworkInfo net) throws IOException {
      CONTEXTS.put("again", context);
      new Socket(net.address(5), 80).close();
    }
  }

  @Test
  void equalNetworksShareAContextAndADifferentOneTakesTheSubnetOver() {
    long start = System.nanoTime();
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(AcceptingFirst.class), selectClass(RejectingSameSubnet.class),
            selectClass(PerTestOnTheSameSubnet.class), selectClass(AcceptingAgain.class))
        .execute();
    List<Throwable> failures = results.testEvents().failed().stream()
        .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow())
        .toList();
    assertThat(failures).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(4);
    assertThat(CONTEXTS.get("again")).isSameAs(CONTEXTS.get("first"));
    assertThat(CONTEXTS.get("rejecting")).isNotSameAs(CONTEXTS.get("first"));
    // Nobody waited for a subnet (the pool would wait 60 s for a holder that does not give it up).
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
