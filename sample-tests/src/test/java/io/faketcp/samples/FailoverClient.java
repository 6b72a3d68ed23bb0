package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Application code under test: connects to the first of several replicas that answers, trying them in
 * order, each with its own connect timeout, all within one overall deadline. A replica tried near the
 * deadline gets only the time that is left; none is tried with less than {@link #MIN_ATTEMPT} left.
 */
public final class FailoverClient {
  /** A connect with less time than this left is not started: it could hardly succeed on a real network. */
  public static final Duration MIN_ATTEMPT = Duration.ofMillis(50);

  private final List<InetSocketAddress> replicas;
  private final Duration connectTimeout;
  private final Duration deadline;

  /**
   * @param replicas tried in this order
   * @param connectTimeout the limit for each replica
   * @param deadline the limit for the whole {@link #connect()}
   */
  public FailoverClient(List<InetSocketAddress> replicas, Duration connectTimeout, Duration deadline) {
    this.replicas = List.copyOf(replicas);
    this.connectTimeout = connectTimeout;
    this.deadline = deadline;
  }

  /**
   * A socket connected to the first replica that accepted.
   *
   * @throws NoReplicaAvailableException when none accepted before the deadline; it says what happened
   *     with each replica tried
   */
  public Socket connect() throws NoReplicaAvailableException {
    long end = System.nanoTime() + deadline.toNanos();
    List<String> failures = new ArrayList<>();
    for (InetSocketAddress replica : replicas) {
      long left = (end - System.nanoTime() + 999_999) / 1_000_000; // whole ms, rounded up: never give up early
      if (left < MIN_ATTEMPT.toMillis()) {
        break;
      }
      Socket socket = new Socket();
      try {
        socket.connect(replica, (int) Math.min(connectTimeout.toMillis(), left));
        return socket;
      } catch (IOException e) {
        failures.add(replica.getAddress().getHostAddress() + ":" + replica.getPort() + " " + e.getMessage());
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing was connected
        }
      }
    }
    throw new NoReplicaAvailableException("no replica accepted within " + deadline.toMillis() + " ms: "
        + String.join(", ", failures));
  }

  /** No replica could be reached in time. */
  public static final class NoReplicaAvailableException extends Exception {
    private static final long serialVersionUID = 1L;

    NoReplicaAvailableException(String message) {
      super(message);
    }
  }
}
