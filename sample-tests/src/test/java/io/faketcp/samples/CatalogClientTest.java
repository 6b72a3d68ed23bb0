package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.samples.CatalogClient.CatalogUnavailableException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link java.net.http.HttpClient} behind a wrapper: request timeout, refused and unanswered connects. */
@FakeNetwork(mode = Mode.DISCARD, subnet = "10.30.0.0/24")
@Timeout(10) // a client without its timeouts would wait forever
class CatalogClientTest {

  @Test
  void aServerThatNeverAnswersHitsTheRequestTimeoutAndTheConnectionIsClosed(NetworkInfo net, Capture capture)
      throws Exception {
    // DISCARD: the fake host accepts the connection and acknowledges the request, but never answers.
    CatalogClient catalog = new CatalogClient(URI.create("http://10.30.0.9:8080/"), Duration.ofSeconds(1),
        Duration.ofMillis(500));

    Instant sent = Instant.now();
    long start = System.nanoTime();
    assertThatThrownBy(() -> catalog.product("42"))
        .isInstanceOf(CatalogUnavailableException.class)
        .hasMessage("catalog at http://10.30.0.9:8080/ did not answer within 500 ms")
        .hasCauseExactlyInstanceOf(HttpTimeoutException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofMillis(500 + 2000));

    InetSocketAddress server = net.socketAddress(9, 8080);
    CapturedPacket request = capture.await(PacketPattern.data().to(net.address(9), 8080), Duration.ofSeconds(2));
    CapturedPacket fin = capture.await(PacketPattern.fin().to(net.address(9), 8080), Duration.ofSeconds(2));
    capture.await(PacketPattern.fin().from(net.address(9), 8080), Duration.ofSeconds(2));
    assertThat(Captures.payloadText(request)).startsWith("GET /products/42 HTTP/1.1\r\n");
    // The request timeout runs from the call, connecting and writing included: on a busy machine the
    // request itself may leave well after the call, so measure from the call, not from the request.
    assertThat(Duration.between(sent, fin.timestamp()))
        .as("the client closed the connection because of the timeout")
        .isGreaterThanOrEqualTo(Duration.ofMillis(450));
    assertThat(fin.timestamp()).isAfter(request.timestamp());
    assertThat(capture)
        .hasHandshakeWith(server)
        .hasBytesReceivedFrom(server, 0)
        .hasCount(PacketPattern.rst(), 0)                   // closed cleanly: FIN, not RST
        .containsInOrder(PacketPattern.fin().to(net.address(9), 8080), PacketPattern.fin().from(net.address(9), 8080));
  }

  @Test
  @FakeNetwork(mode = Mode.REJECT, subnet = "10.30.0.0/24")
  void aRefusedConnectionIsReportedAtOnce(NetworkInfo net, Capture capture) {
    CatalogClient catalog = new CatalogClient(URI.create("http://10.30.0.9:8080/"), Duration.ofSeconds(1),
        Duration.ofSeconds(1));

    assertThatThrownBy(() -> catalog.product("42"))
        .isInstanceOf(CatalogUnavailableException.class)
        .hasMessage("catalog at http://10.30.0.9:8080/ refused the connection")
        .hasCauseInstanceOf(ConnectException.class);
    assertThat(capture).hasResetFrom(net.address(9)).hasCount(PacketPattern.data(), 0);
  }

  @Test
  @FakeNetwork(mode = Mode.DROP, subnet = "10.30.0.0/24")
  void anUnansweredConnectHitsTheConnectTimeout(NetworkInfo net, Capture capture) {
    CatalogClient catalog = new CatalogClient(URI.create("http://10.30.0.9:8080/"), Duration.ofMillis(300),
        Duration.ofSeconds(5));

    long start = System.nanoTime();
    assertThatThrownBy(() -> catalog.product("42"))
        .isInstanceOf(CatalogUnavailableException.class)
        .hasMessage("catalog at http://10.30.0.9:8080/ did not accept a connection")
        .hasCauseInstanceOf(HttpConnectTimeoutException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isBetween(Duration.ofMillis(300), Duration.ofMillis(300 + 2000));
    assertThat(capture).hasSynWithoutAnswer(net.socketAddress(9, 8080));
  }
}
