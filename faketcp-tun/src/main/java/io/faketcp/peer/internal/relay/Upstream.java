package io.faketcp.peer.internal.relay;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Internal, not API: the service a relay carries its connections to, as the engine uses it. The public
 * {@code Relay} is a thin face over one of these; it checks the values before it makes one.
 *
 * @param host the service's host name or address, resolved at each connection
 * @param port the service's port, 1-65535
 * @param connectTimeout how long a connect to the service may take, positive
 */
public record Upstream(String host, int port, Duration connectTimeout) {
  /** The service's address, resolved now. */
  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  /** The connect timeout in milliseconds, at least 1. */
  public int connectTimeoutMillis() {
    return (int) Math.max(1, connectTimeout.toMillis());
  }

  @Override
  public String toString() {
    return "relay to " + host + ":" + port;
  }
}
