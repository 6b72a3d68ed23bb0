package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.samples.ReportDatabase.ReportsUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The PostgreSQL JDBC driver, unchanged, against a fake PostgreSQL served by a fake host. */
@ResourceLock(providers = SubnetLocks.class)
class ReportDatabaseTest {
  // tag::server[]
  static final FakePostgres postgres = FakePostgres.refusingLogins();   // a Server: see FakePostgres

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.61.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.61.0.5", "5432", postgres))
      .build();

  @Test
  void refusedLoginNamesTheServersReason(NetworkInfo net) {
    ReportDatabase reports = new ReportDatabase(net.socketAddress(5, 5432), "app", Duration.ofSeconds(5));

    assertThatThrownBy(reports::countReports)
        .isInstanceOf(ReportsUnavailableException.class)
        .hasMessage("reports database 10.61.0.5:5432 unavailable: "
            + "FATAL: password authentication failed for user \"app\"")
        .extracting(e -> ((ReportsUnavailableException) e).sqlState()).isEqualTo("28P01");

    assertThat(postgres.startup).containsEntry("user", "app").containsEntry("database", "reports");
    assertThat(network.capture())
        .hasHandshakeWith(net.socketAddress(5, 5432))
        .containsInOrder(
            PacketPattern.data().from(net.address(5), 5432),     // 'N': no TLS
            PacketPattern.data().from(net.address(5), 5432),     // the ErrorResponse
            PacketPattern.fin().from(net.address(5), 5432))
        .hasCount(PacketPattern.rst(), 0);
  }
  // end::server[]

  @Test
  void serverThatNeverAnswersTheLoginRunsOutTheLoginTimeout(NetworkInfo net, NetworkControl peer) {
    peer.rules(Rules.of(Mode.REJECT).with(Rule.of("10.61.0.5", "5432", FakePostgres.silentAfterStartup())));
    ReportDatabase reports = new ReportDatabase(net.socketAddress(5, 5432), "app", Duration.ofSeconds(1));

    long start = System.nanoTime();
    assertThatThrownBy(reports::countReports)
        .isInstanceOf(ReportsUnavailableException.class)
        .hasMessageContaining("10.61.0.5:5432 unavailable: ")
        .hasMessageContaining("timed out");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
    assertThat(network.capture()).hasHandshakeWith(net.socketAddress(5, 5432));
  }

  @Test
  void noDatabaseOnAnotherPortIsRefused(NetworkInfo net) {
    ReportDatabase reports = new ReportDatabase(net.socketAddress(5, 5433), "app", Duration.ofSeconds(1));

    assertThatThrownBy(reports::countReports)
        .isInstanceOf(ReportsUnavailableException.class)
        .hasMessageContaining("Connection to 10.61.0.5:5433 refused");
    assertThat(network.capture()).hasResetFrom(net.address(5));
  }
}
