package io.faketcp.peer;

import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.relay.RelayPipe;
import io.faketcp.peer.internal.relay.Upstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A {@link Server} that carries each connection to a real service: a fake address fronts, say, the
 * PostgreSQL on the machine's loopback, and every fault of the fake peer applies between the
 * application and the fake address.
 *
 * <pre>{@code
 * Rule.of("192.168.0.5", "5432", Relay.to("127.0.0.1", 5432))
 *     .withFaults(Fault.parse("latency=50ms"));
 * }</pre>
 *
 * <p>The fake host answers a SYN only once the connection to the service is made, with what the
 * service answered: SYN+ACK when it accepted, RST when it refused, ICMP destination unreachable (host
 * or network) when it cannot be reached; a connect that does not finish within the connect timeout
 * leaves the SYN unanswered, and the client's next SYN tries again. Then every byte is carried both
 * ways; a FIN from either side half-closes the other leg (the other direction goes on), a RST from
 * either side resets the other leg. The capture shows the application's leg.
 *
 * <p>Upstream connections are plain sockets of the test JVM: from a test JVM in faketcp's private
 * namespace the service must be reachable from there (see docs/real-services.md, "Reach").
 */
public final class Relay implements Server {
  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Upstream upstream;

  private Relay(Upstream upstream) {
    this.upstream = upstream;
  }

  /**
   * Relays to {@code host:port}, resolved at each connection.
   *
   * @throws IllegalArgumentException for an empty host or a port outside 1-65535
   */
  public static Relay to(String host, int port) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("relay: the upstream host is empty; give the service's address, e.g. 127.0.0.1");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("relay to " + host + ": port " + port + " is not 1-65535");
    }
    return new Relay(new Upstream(host.trim(), port, DEFAULT_CONNECT_TIMEOUT));
  }

  /**
   * Parses {@code HOST:PORT} as {@link #to(String, int)} does.
   *
   * @throws IllegalArgumentException naming the text when it is not HOST:PORT
   */
  public static Relay parse(String hostAndPort) {
    String text = hostAndPort == null ? "" : hostAndPort.trim();
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("relay upstream '" + hostAndPort + "': expected HOST:PORT, e.g. 127.0.0.1:5432");
    }
    try {
      return to(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("relay upstream '" + hostAndPort + "': the port is not a number", e);
    }
  }

  /**
   * This relay with another connect timeout (default 10 s): how long a connect to the service may
   * take before the client's SYN is left unanswered.
   */
  public Relay connectTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(upstream + ": connect timeout " + timeout + " must be positive");
    }
    return new Relay(new Upstream(upstream.host(), upstream.port(), timeout));
  }

  /** The service's address, resolved now. */
  public InetSocketAddress upstream() {
    return upstream.address();
  }

  /** The service as the engine's relay uses it. */
  Upstream target() {
    return upstream;
  }

  @Override
  public void serve(Connection connection) throws Exception {
    RelayGate gate = connection instanceof ServedConnection ? ((ServedConnection) connection).relays() : null;
    RelayPipe.serve(upstream, new HostLeg(connection), gate);
  }

  @Override
  public String toString() {
    return upstream.toString();
  }

  /** A {@link Server.Connection} as the relay's pipe sees its host leg. */
  private static final class HostLeg implements RelayPipe.HostLeg {
    private final Connection connection;

    HostLeg(Connection connection) {
      this.connection = connection;
    }

    @Override
    public InputStream input() {
      return connection.input();
    }

    @Override
    public OutputStream output() {
      return connection.output();
    }

    @Override
    public InetSocketAddress localAddress() {
      return connection.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return connection.remoteAddress();
    }

    @Override
    public void shutdownOutput() {
      connection.shutdownOutput();
    }

    @Override
    public void close() {
      connection.close();
    }

    @Override
    public void reset() {
      connection.reset();
    }

    @Override
    public String toString() {
      return connection.toString();
    }
  }
}
