package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import io.faketcp.samples.ReportDatabase.ReportsUnavailableException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Real clients that connect by name, unchanged: the PostgreSQL JDBC driver to {@code db.test} and the
 * JDK's {@link HttpClient} to {@code api.test}, resolved by the JDK's resolver through the fake DNS
 * (faketcp's resolver provider on JDK 18+, the launcher's resolv.conf everywhere), and each under
 * NXDOMAIN, SERVFAIL and a DNS server that never answers.
 *
 * <p>The JDK caches every answer (30 s) and every failure (10 s) for the life of the JVM, as in
 * production: each scenario below asks for a name of its own, so that no test meets another's answer.
 */
@ResourceLock(providers = SubnetLocks.class)
class NamedServicesTest {
  static final FakePostgres postgres = FakePostgres.refusingLogins();

  // tag::names[]
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .mode(Mode.REJECT)
      .hosts("db.test=192.168.0.5", "api.test=192.168.0.6")
      .hosts("db.nxdomain.test=192.168.0.5", "db.servfail.test=192.168.0.5", "db.silent.test=192.168.0.5")
      .hosts("api.nxdomain.test=192.168.0.6", "api.servfail.test=192.168.0.6", "api.silent.test=192.168.0.6")
      .rule(Rule.of("192.168.0.5", "5432", postgres))
      .rule(Rule.of("192.168.0.6", "80", Server.fixedResponse(
          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")))
      .build();
  // end::names[]

  private static ReportDatabase reports(String host, Duration loginTimeout) {
    return new ReportDatabase(host, 5432, "app", loginTimeout);
  }

  private static HttpResponse<String> get(String url, Duration timeout) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theJdbcDriverReachesDbTestByName(NetworkInfo net, Capture capture) {
    assertThatThrownBy(() -> reports("db.test", Duration.ofSeconds(5)).countReports())
        .isInstanceOf(ReportsUnavailableException.class)
        .hasMessage("reports database db.test:5432 unavailable: "
            + "FATAL: password authentication failed for user \"app\"");
    assertThat(capture)
        .containsInOrder(PacketPattern.udp().to(net.dnsServer().orElseThrow(), 53),   // A? db.test.
            PacketPattern.udp().from(net.dnsServer().orElseThrow(), 53),              // A 192.168.0.5
            PacketPattern.syn().to(net.address("db.test"), 5432))
        .hasHandshakeWith(net.socketAddress(5, 5432));
  }

  @Test
  void theHttpClientReachesApiTestByName(NetworkInfo net, Capture capture) throws Exception {
    HttpResponse<String> response = get("http://api.test/status", Duration.ofSeconds(5));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
    assertThat(capture).hasHandshakeWith(net.socketAddress(6, 80));
    assertThat(capture.packets().list()).anyMatch(p -> p.line().contains(" A? api.test. "));
  }

  // tag::dns-nxdomain[]
  @Test
  void nxdomainIsAnUnknownHostForBothClients(NetworkControl control) {
    control.fault(Fault.parse("dns=nxdomain@*.nxdomain.test"));

    assertThatThrownBy(() -> reports("db.nxdomain.test", Duration.ofSeconds(5)).countReports())
        .isInstanceOf(ReportsUnavailableException.class)
        .hasRootCauseInstanceOf(UnknownHostException.class)
        .hasMessageContaining("db.nxdomain.test");
    assertThatThrownBy(() -> get("http://api.nxdomain.test/", Duration.ofSeconds(5)))
        .isInstanceOf(java.net.ConnectException.class);
  }
  // end::dns-nxdomain[]

  @Test
  void servfailIsAnUnknownHostForBothClients(NetworkControl control, Capture capture) {
    control.fault(Fault.parse("dns=servfail@*.servfail.test"));

    assertThatThrownBy(() -> reports("db.servfail.test", Duration.ofSeconds(5)).countReports())
        .isInstanceOf(ReportsUnavailableException.class)
        .hasRootCauseInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> get("http://api.servfail.test/", Duration.ofSeconds(5)))
        .isInstanceOf(java.net.ConnectException.class);
    assertThat(capture.packets().list()).anyMatch(p -> p.line().contains(" ServFail "));
  }

  @Test
  void aSilentDnsServerRunsOutTheJdbcLoginTimeoutButNotTheHttpClientsTimeouts(NetworkControl control) throws Exception {
    control.fault(Fault.parse("dns=timeout@*.silent.test"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> reports("db.silent.test", Duration.ofSeconds(1)).countReports())
        .isInstanceOf(ReportsUnavailableException.class)
        .hasMessageContaining("timed out");
    Duration jdbc = Duration.ofNanos(System.nanoTime() - start);
    // The resolver itself waits 2 x 5 s (resolv.conf's defaults); pgjdbc gives up at its loginTimeout.
    assertThat(jdbc).as("pgjdbc's loginTimeout").isBetween(Duration.ofMillis(900), Duration.ofMillis(3000));

    // The HttpClient's connectTimeout and request timeout start after the lookup: with both at 1 s, the
    // call still waits for the resolver after 2 s (it returns after the resolver's 10 s). Only a
    // deadline of the application's own ends it in time.
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://api.silent.test/")).timeout(Duration.ofSeconds(1))
        .build();
    // On a thread of its own: the call stays blocked in the resolver for 10 s, and the common pool has one
    // thread on a 2-core machine, which later tests in this JVM would wait for.
    java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "http-call-to-silent-dns");
      t.setDaemon(true);
      return t;
    });
    java.util.concurrent.Future<HttpResponse<String>> call =
        caller.submit(() -> client.send(request, HttpResponse.BodyHandlers.ofString()));
    caller.shutdown();
    start = System.nanoTime();
    assertThatThrownBy(() -> call.get(1, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    Duration deadline = Duration.ofNanos(System.nanoTime() - start);
    Thread.sleep(1000);
    assertThat(call).as("HttpClient.send with 1 s timeouts, 2 s after the call").isNotDone();
    assertThat(deadline).as("the application's deadline").isBetween(Duration.ofMillis(900), Duration.ofMillis(2000));
  }
}
