package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.junit5.TcpConversation;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.samples.QuoteClient.QuoteUnavailableException;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link QuoteClient}'s retry of a GET whose response a reset cut short, with {@code java.net.http.HttpClient}. */
@ResourceLock(providers = SubnetLocks.class)
@Timeout(20)
class QuoteClientTest {
  static final String QUOTE = "{\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.30,\"time\":\"2026-11-30T09:00:00Z\"}";

  // tag::retry-on-reset[]
  // Headers and 20 bytes of the body, then RST: on the first connection, or on every one.
  static final FakeQuoteService crashesOnce = new FakeQuoteService(QUOTE, 1, 20, QuoteClientTest::capture);
  static final FakeQuoteService crashesAlways = new FakeQuoteService(QUOTE, Integer.MAX_VALUE, 20, QuoteClientTest::capture);

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.63.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.63.0.5", "8080", crashesOnce))
      .rule(Rule.of("10.63.0.6", "8080", crashesAlways))
      .build();

  @Test
  void aResponseCutShortByAResetIsFetchedAgainAndReadWhole(NetworkInfo net) throws Exception {
    QuoteClient quotes = new QuoteClient(URI.create("http://10.63.0.5:8080/"), 3, Duration.ofSeconds(5),
        Duration.ofMillis(50));

    assertThat(quotes.quote("ACME")).isEqualTo(QUOTE);

    assertThat(crashesOnce.requests).hasSize(2).allMatch(head -> head.startsWith("GET /quotes/ACME HTTP/1.1\r\n"));
    List<TcpConversation> connections = network.capture().packets().conversationsWith(net.socketAddress(5, 8080));
    assertThat(connections).hasSize(2);
    assertThat(connections.get(0).bytesFromServer()).isEqualTo(crashesOnce.truncatedLength());
    assertThat(connections.get(0).resetFromServer()).isTrue();
    assertThat(connections.get(1).resetFromServer()).isFalse();
    assertThat(connections.get(1).finFromServer()).isTrue();
    assertThat(network.capture())
        .hasResetAfterBytes(net.socketAddress(5, 8080), crashesOnce.requests.get(0).length())   // all the request
        .containsInOrder(
            PacketPattern.data().from(net.address(5), 8080),
            PacketPattern.rst().from(net.address(5), 8080),
            PacketPattern.syn().to(net.address(5), 8080));
  }
  // end::retry-on-reset[]

  /** The running test's capture, for the servers to wait until their partial response is on the wire. */
  static Capture capture() {
    return network.capture();
  }

  @Test
  void givesUpAfterItsAttemptsWithTheResetAsCause(NetworkInfo net) throws Exception {
    QuoteClient quotes = new QuoteClient(URI.create("http://10.63.0.6:8080/"), 3, Duration.ofSeconds(5),
        Duration.ofMillis(50));

    assertThatThrownBy(() -> quotes.quote("ACME"))
        .isInstanceOf(QuoteUnavailableException.class)
        .hasMessageStartingWith("quote service at http://10.63.0.6:8080/ failed 3 time(s), last: ")
        .satisfies(e -> assertThat(((QuoteUnavailableException) e).attempts()).isEqualTo(3))
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2))
        .hasRootCauseInstanceOf(SocketException.class)
        .hasRootCauseMessage("Connection reset");

    assertThat(crashesAlways.connections()).isEqualTo(3);
    List<TcpConversation> connections = network.capture().packets().conversationsWith(net.socketAddress(6, 8080));
    assertThat(connections).hasSize(3).allSatisfy(c -> {
      assertThat(c.bytesFromServer()).isEqualTo(crashesAlways.truncatedLength());
      assertThat(c.resetFromServer()).isTrue();
    });
    assertThat(network.capture()).hasHandshakesWith(net.socketAddress(6, 8080), 3);
  }
}
