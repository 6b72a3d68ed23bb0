package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Relay;
import io.faketcp.peer.Rule;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.postgresql.util.PSQLException;

/**
 * HikariCP and the PostgreSQL JDBC driver, unchanged, against the real PostgreSQL on the machine's
 * loopback, reached through the fake address 10.66.0.5:5432: the faults act between the pool and the
 * database.
 */
@ResourceLock(providers = SubnetLocks.class)
class StockLedgerTest {
  // tag::relay[]
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.66.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.66.0.5", "5432", Relay.to("127.0.0.1", 5432)))   // the real PostgreSQL
      .build();
  // end::relay[]

  private StockLedger ledger;

  @BeforeEach
  void openLedger(NetworkInfo net) throws SQLException {
    RealServices.require("PostgreSQL", RealServices.POSTGRES);
    ledger = new StockLedger(net.socketAddress(5, 5432), RealServices.USER, RealServices.PASSWORD, RealServices.DATABASE,
        "stock_relay_" + ProcessHandle.current().pid(), Duration.ofSeconds(1));
    ledger.createTable();
  }

  @AfterEach
  void closeLedger(NetworkControl peer) throws SQLException {
    if (ledger != null) {
      peer.clearFaults();
      try {
        ledger.dropTable();
      } finally {
        ledger.close();
      }
    }
  }

  @Test
  void queriesReachTheRealDatabaseThroughTheFakeAddress(NetworkInfo net) throws SQLException {
    ledger.add("apple", 5);
    ledger.add("apple", 3);

    assertThat(ledger.stock("apple")).isEqualTo(8);
    assertThat(network.capture()).hasHandshakeWith(net.socketAddress(5, 5432));
  }

  // tag::fault[]
  @Test
  void underABlackholeThePoolTimesOutAndRecoversOnceItLifts(NetworkControl peer) throws SQLException {
    ledger.add("pear", 2);
    peer.fault(Fault.parse("blackhole-after=0"));   // every connection to 10.66.0.5 goes silent

    long start = System.nanoTime();
    assertThatThrownBy(() -> ledger.stock("pear")).isInstanceOf(SQLException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the driver's socket timeout, 1 s, or the pool's, 3 s")
        .isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));

    peer.clearFaults();
    assertThat(ledger.stock("pear")).isEqualTo(2);
  }
  // end::fault[]

  // tag::reset-mid-query[]
  @Test
  void aResetFailsTheQueryWithTheDriversExceptionAndTheNextCallGetsAFreshConnection(NetworkControl peer)
      throws SQLException {
    ledger.add("plum", 4);
    int before = ledger.backendPid();
    peer.fault(Fault.parse("reset-after=1"));      // RST once the pool sends anything more

    assertThatThrownBy(() -> ledger.stock("plum")).isInstanceOf(PSQLException.class)
        .hasMessageContaining("I/O error");

    peer.clearFaults();
    assertThat(ledger.stock("plum")).isEqualTo(4);
    assertThat(ledger.backendPid()).as("a new connection, served by another backend").isNotEqualTo(before);
  }
  // end::reset-mid-query[]

  // tag::latency[]
  @Test
  void latencyAddsWhatWasAskedToEveryQuery(NetworkControl peer) throws SQLException {
    ledger.add("fig", 1);
    long plain = medianQueryNanos();

    peer.fault(Fault.parse("latency=100ms"));
    long slow = medianQueryNanos();

    assertThat(Duration.ofNanos(slow - plain)).as("added to a query (one round trip)")
        .isBetween(Duration.ofMillis(95), Duration.ofMillis(400));
  }
  // end::latency[]

  private long medianQueryNanos() throws SQLException {
    long[] took = new long[5];
    for (int i = 0; i < took.length; i++) {
      long start = System.nanoTime();
      assertThat(ledger.stock("fig")).isEqualTo(1);
      took[i] = System.nanoTime() - start;
    }
    Arrays.sort(took);
    return took[took.length / 2];
  }
}
