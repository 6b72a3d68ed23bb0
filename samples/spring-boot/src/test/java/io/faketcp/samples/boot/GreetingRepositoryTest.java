package io.faketcp.samples.boot;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.spring.TestCapture;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * HikariCP + pgjdbc against the fake PostgreSQL: the schema was initialised while the context
 * started (spring.sql.init), a blackhole runs out the pool's timeout, and clearFaults() lets it recover.
 */
@AppNetwork
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GreetingRepositoryTest {
  @Autowired
  GreetingRepository greetings;

  @Test
  @Order(1)
  void theSchemaAndDataWereLoadedWhileTheContextStarted() {
    assertThat(greetings.find(1)).contains("hello");
    assertThat(AppHosts.DATABASE.creates()).isEqualTo(1);
  }

  @Test
  @Order(2)
  void savesAndReads() {
    greetings.save(2, "it's me");
    assertThat(greetings.find(2)).contains("it's me");
  }

  // tag::blackhole[]
  @Test
  @Order(3)
  void aBlackholedDatabaseRunsOutThePoolsTimeoutAndClearFaultsLetsItRecover(NetworkControl peer, NetworkInfo net)
      throws InterruptedException {
    Thread.sleep(600);   // idle longer than Hikari's 500 ms: the pool checks a connection before handing it out
    peer.fault(Fault.blackholeAfter(Duration.ZERO).at(net.address(7).getHostAddress(), "5432"));
    long start = System.nanoTime();

    assertThatThrownBy(greetings::count)
        .isInstanceOf(CannotGetJdbcConnectionException.class)
        .cause().isInstanceOf(SQLTransientConnectionException.class)
        .hasMessageContaining("request timed out after");   // connection-timeout=1000 (ms)
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));

    peer.clearFaults();
    assertThat(firstAnswerWithin(Duration.ofSeconds(10))).isGreaterThanOrEqualTo(1);
  }
  // end::blackhole[]

  @Test
  @Order(4)
  void thePoolsTrafficIsLeftOutOfTheCaptureUnlessAskedFor(TestCapture capture, NetworkInfo net) {
    assertThat(greetings.count()).isGreaterThanOrEqualTo(1);

    assertThat(capture).hasNoPacketTo(net.address(7));
    assertThat(capture.everything()).contains(PacketPattern.data().to(net.address(7), 5432));
  }

  /** The count, once the pool has a working connection again; the pool's backoff may take a few tries. */
  private long firstAnswerWithin(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        return greetings.count();
      } catch (DataAccessException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
