package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Application code: connects through a circuit breaker that opens after {@code threshold} failed
 * connects in a row and then fails fast, without touching the network, until {@code openFor} passed.
 */
final class CircuitBreaker {
  private final int threshold;
  private final Duration openFor;
  private final Clock clock;
  private int failures;
  private Instant openUntil = Instant.MIN;

  CircuitBreaker(int threshold, Duration openFor, Clock clock) {
    this.threshold = threshold;
    this.openFor = openFor;
    this.clock = clock;
  }

  /** A connected socket, or an exception: the connect's own, or {@link OpenException} when open. */
  Socket connect(InetSocketAddress address, Duration timeout) throws IOException {
    if (clock.instant().isBefore(openUntil)) {
      throw new OpenException(address);
    }
    Socket socket = new Socket();
    try {
      socket.connect(address, (int) timeout.toMillis());
      failures = 0;
      return socket;
    } catch (IOException e) {
      socket.close();
      if (++failures >= threshold) {
        openUntil = clock.instant().plus(openFor);
      }
      throw e;
    }
  }

  /** The breaker is open: the call was not attempted. */
  static final class OpenException extends IOException {
    OpenException(InetSocketAddress address) {
      super("circuit open: not connecting to " + address);
    }
  }
}
