package io.faketcp.samples;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.peer.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A quote service on a fake host that crashes mid-response: the first {@code resets} connections get
 * the response's headers and the first {@code partialBody} bytes of its body, then a RST; later ones
 * the whole response and FIN. It reads each request's head first, so the RST comes after the whole
 * request was acknowledged. Also used by the Spring Boot sample (samples/spring-boot) as a price service.
 */
public final class FakeQuoteService implements Server {
  /** The request heads, in the order the connections came. */
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final byte[] response;
  private final int cut;
  private final int resets;
  private final Supplier<Capture> capture;

  /**
   * @param body the JSON every response carries
   * @param resets how many connections get a truncated response and a RST
   * @param partialBody how much of the body those get
   * @param capture the running test's capture (the extension's {@code capture()}), to see the partial
   *     response on the wire before resetting
   */
  public FakeQuoteService(String body, int resets, int partialBody, Supplier<Capture> capture) {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
        + "\r\nConnection: close\r\n\r\n";
    this.response = (head + body).getBytes(StandardCharsets.US_ASCII);
    this.cut = head.length() + partialBody;
    this.resets = resets;
    this.capture = capture;
  }

  /** How many bytes of the response a reset connection got: the headers and the partial body. */
  int truncatedLength() {
    return cut;
  }

  /** How many connections it served. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void serve(Connection connection) throws IOException {
    int n = connections.incrementAndGet();
    requests.add(HttpHead.read(connection.input()));
    if (n > resets) {
      connection.output().write(response);
      connection.close();
      return;
    }
    connection.output().write(response, 0, cut);
    // reset() drops bytes not sent yet: reset once the truncated response is on the wire.
    InetSocketAddress server = connection.localAddress();
    InetSocketAddress client = connection.remoteAddress();
    capture.get().await(PacketPattern.data().from(server.getAddress(), server.getPort())
        .to(client.getAddress(), client.getPort()), Duration.ofSeconds(5));
    connection.reset();
  }
}
