package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Application code under test: connects with a connect timeout, and on failure tries again after an
 * exponentially growing pause (100 ms, 200 ms, 400 ms, ...), up to a number of attempts.
 */
public final class RetryingConnector {
  private final int maxAttempts;
  private final Duration connectTimeout;
  private final Duration initialBackoff;
  private final RetryListener listener;

  /**
   * @param maxAttempts connects tried at most, at least 1
   * @param connectTimeout the limit for each connect
   * @param initialBackoff the pause after the first failure; doubled after each further one
   * @param listener told about every failed attempt before the pause (for logging and metrics)
   */
  public RetryingConnector(int maxAttempts, Duration connectTimeout, Duration initialBackoff, RetryListener listener) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts " + maxAttempts + " must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.connectTimeout = connectTimeout;
    this.initialBackoff = initialBackoff;
    this.listener = listener;
  }

  /** The pause after the {@code attempt}th failed attempt (1-based). */
  public Duration backoffAfter(int attempt) {
    return initialBackoff.multipliedBy(1L << (attempt - 1));
  }

  /**
   * A connected socket to {@code server}.
   *
   * @throws ConnectFailedException when every attempt failed; its cause is the last failure
   * @throws InterruptedException when interrupted while pausing
   */
  public Connected connect(InetSocketAddress server) throws ConnectFailedException, InterruptedException {
    IOException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Socket socket = new Socket();
      try {
        socket.connect(server, (int) connectTimeout.toMillis());
        return new Connected(socket, attempt);
      } catch (IOException e) {
        closeQuietly(socket);
        last = e;
      }
      if (attempt < maxAttempts) {
        Duration pause = backoffAfter(attempt);
        listener.retrying(attempt, last, pause);
        Thread.sleep(pause.toMillis());
      }
    }
    throw new ConnectFailedException("could not connect to " + server.getAddress().getHostAddress() + ":"
        + server.getPort() + " in " + maxAttempts + " attempts", maxAttempts, last);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing was connected
    }
  }

  /** A socket and the attempt that connected it (1 for the first); closing it closes the socket. */
  public record Connected(Socket socket, int attempt) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Told about each failed attempt that will be retried. */
  @FunctionalInterface
  public interface RetryListener {
    /** Attempt {@code attempt} failed with {@code failure}; the next comes after {@code pause}. */
    void retrying(int attempt, IOException failure, Duration pause);
  }

  /** Every attempt failed. */
  public static final class ConnectFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int attempts;

    ConnectFailedException(String message, int attempts, Throwable cause) {
      super(message, cause);
      this.attempts = attempts;
    }

    /** How many attempts were made. */
    public int attempts() {
      return attempts;
    }
  }
}
