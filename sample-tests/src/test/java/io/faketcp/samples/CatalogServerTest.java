package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import io.faketcp.samples.CatalogClient.CatalogUnavailableException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The catalog client ({@code java.net.http.HttpClient}) against catalog servers on fake hosts. */
@ResourceLock(providers = SubnetLocks.class)
class CatalogServerTest {
  static final String PRODUCT = "{\"id\":\"42\",\"name\":\"teapot\"}";
  static final CompletableFuture<String> resetRequest = new CompletableFuture<>();

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.62.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.62.0.5", "8080", Server.fixedResponse("HTTP/1.1 200 OK\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + PRODUCT.length() + "\r\n\r\n" + PRODUCT)))
      .rule(Rule.of("10.62.0.6", "8080", Server.fixedResponse(
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 5\r\n\r\n")))
      .rule(Rule.of("10.62.0.7", "8080", connection -> {   // reads the request's first line, then resets
        byte[] line = new byte[20];
        int n = connection.input().read(line);
        resetRequest.complete(new String(line, 0, Math.max(n, 0), StandardCharsets.US_ASCII));
        connection.reset();
      }))
      .build();

  @Test
  void readsTheProductFromAHealthyCatalog(NetworkInfo net) throws Exception {
    CatalogClient catalog = new CatalogClient(URI.create("http://10.62.0.5:8080/"), Duration.ofSeconds(1),
        Duration.ofSeconds(5));

    assertThat(catalog.product("42")).isEqualTo(PRODUCT);
    assertThat(network.capture())
        .hasHandshakeWith(net.socketAddress(5, 8080))
        .contains(PacketPattern.fin().from(net.address(5), 8080))
        .hasCount(PacketPattern.rst(), 0);
  }

  @Test
  void aCatalogAnswering503IsUnavailable() {
    CatalogClient catalog = new CatalogClient(URI.create("http://10.62.0.6:8080/"), Duration.ofSeconds(1),
        Duration.ofSeconds(5));

    assertThatThrownBy(() -> catalog.product("42"))
        .isInstanceOf(CatalogUnavailableException.class)
        .hasMessage("catalog at http://10.62.0.6:8080/ answered 503");
  }

  @Test
  void aCatalogResettingTheConnectionFailsTheRequest(NetworkInfo net) throws Exception {
    CatalogClient catalog = new CatalogClient(URI.create("http://10.62.0.7:8080/"), Duration.ofSeconds(1),
        Duration.ofSeconds(5));

    assertThatThrownBy(() -> catalog.product("42"))
        .isInstanceOf(CatalogUnavailableException.class)
        .hasMessageStartingWith("catalog at http://10.62.0.7:8080/ failed: ")
        .hasCauseInstanceOf(java.io.IOException.class);
    assertThat(resetRequest.get()).startsWith("GET /products/42");
    assertThat(network.capture()).hasResetFrom(net.address(7));
  }
}
