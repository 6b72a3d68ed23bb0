package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.junit5.TcpConversation;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import io.faketcp.samples.QuoteClient.QuoteUnavailableException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Exactly the third call fails: a {@code Server} that counts its connections answers the third with 503. A
 * reset before any answer does not fail a GET of the JDK's {@code HttpClient}: it sends the request again.
 */
@ResourceLock(providers = SubnetLocks.class)
@Timeout(30)
class ThirdRequestTest {
  static final String QUOTE = "{\"symbol\":\"ACME\",\"bid\":101.25}";

  // tag::third-request[]
  static final AtomicInteger connections = new AtomicInteger();

  static final Server failsTheThird = connection -> {
    HttpHead.read(connection.input());                     // the request's head
    int n = connections.incrementAndGet();
    if (n == 5) {
      connection.reset();                                  // the fifth: RST instead of an answer
      return;
    }
    String answer = n == 3
        ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        : "HTTP/1.1 200 OK\r\nContent-Length: " + QUOTE.length() + "\r\nConnection: close\r\n\r\n" + QUOTE;
    connection.output().write(answer.getBytes(StandardCharsets.US_ASCII));
  };                                                       // returning closes with FIN

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.69.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.69.0.5", "8080", failsTheThird))
      .build();

  @Test
  void theThirdCallFailsAndAResetBeforeTheAnswerIsSentAgainByTheClient(NetworkInfo net) throws Exception {
    QuoteClient quotes = new QuoteClient(URI.create("http://10.69.0.5:8080/"), 1, Duration.ofSeconds(5),
        Duration.ZERO);                                    // one attempt per call: QuoteClient does not retry

    assertThat(quotes.quote("ACME")).isEqualTo(QUOTE);
    assertThat(quotes.quote("ACME")).isEqualTo(QUOTE);
    assertThatThrownBy(() -> quotes.quote("ACME"))
        .isInstanceOf(QuoteUnavailableException.class)
        .hasMessageEndingWith("answered 503");
    assertThat(quotes.quote("ACME")).isEqualTo(QUOTE);
    // The JDK's HttpClient sends a GET again, once, when its connection is reset before any answer:
    // the fifth connection is reset, and the call succeeds on a sixth.
    assertThat(quotes.quote("ACME")).isEqualTo(QUOTE);

    assertThat(network.capture()).hasHandshakesWith(net.socketAddress(5, 8080), 6);
    List<TcpConversation> calls = network.capture().packets().conversationsWith(net.socketAddress(5, 8080));
    assertThat(calls).extracting(TcpConversation::resetFromServer)
        .containsExactly(false, false, false, false, true, false);
  }
  // end::third-request[]
}
