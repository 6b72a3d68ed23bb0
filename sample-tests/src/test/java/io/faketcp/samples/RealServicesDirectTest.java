package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * Tests of the same module that use the real services directly, without faketcp: the test JVM runs
 * in faketcp's private namespace all the same (the plugin starts every test JVM there), and reaches
 * the machine's loopback through pasta. Before reach, these could not connect.
 */
class RealServicesDirectTest {

  @Test
  void postgresOnTheMachinesLoopbackAnswersDirectly() throws SQLException {
    RealServices.require("PostgreSQL", RealServices.POSTGRES);
    try (StockLedger ledger = new StockLedger(RealServices.POSTGRES, RealServices.USER, RealServices.PASSWORD,
        RealServices.DATABASE, "stock_direct_" + ProcessHandle.current().pid(), Duration.ofSeconds(5))) {
      ledger.createTable();
      try {
        ledger.add("kiwi", 7);
        assertThat(ledger.stock("kiwi")).isEqualTo(7);
      } finally {
        ledger.dropTable();
      }
    }
  }

  @Test
  void redisOnTheMachinesLoopbackAnswersDirectly() {
    RealServices.require("Redis", RealServices.REDIS);
    try (SessionCache cache = new SessionCache(new HostAndPort("127.0.0.1", RealServices.REDIS.getPort()), Duration.ofSeconds(5))) {
      String session = "direct-" + ProcessHandle.current().pid();
      cache.put(session, "ada", Duration.ofSeconds(30));
      assertThat(cache.user(session)).contains("ada");
    }
  }
}
