package io.faketcp.peer;

import io.faketcp.peer.internal.connectmany.ConnectManyRun;
import java.time.Duration;
import java.util.Locale;

/**
 * What a {@link ConnectMany} run achieved: every requested connection is either established or
 * failed, with the reason.
 */
public final class ConnectManyResult {
  private final ConnectMany request;
  private final ConnectManyRun.Outcome outcome;

  ConnectManyResult(ConnectMany request, ConnectManyRun.Outcome outcome) {
    this.request = request;
    this.outcome = outcome;
  }

  /** Connections requested. */
  public int requested() {
    return request.count();
  }

  /** Connections whose handshake completed (SYN+ACK received and acknowledged). */
  public int established() {
    return outcome.established;
  }

  /** Connections the server refused with RST. */
  public int refused() {
    return outcome.refused;
  }

  /** Connections with no SYN+ACK after every retransmission, or still pending at the run's timeout. */
  public int timedOut() {
    return outcome.timedOut;
  }

  /** Failed connections: refused plus timed out. */
  public int failed() {
    return outcome.refused + outcome.timedOut;
  }

  /** SYNs sent again because the first went unanswered. */
  public long synRetransmissions() {
    return outcome.synRetransmissions;
  }

  /** From the first SYN to the last connection's outcome. */
  public Duration elapsed() {
    return outcome.elapsed;
  }

  /** Established connections per second of {@link #elapsed()}. */
  public double rate() {
    double seconds = outcome.elapsed.toNanos() / 1e9;
    return seconds > 0 ? outcome.established / seconds : 0;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "%s: %d requested, %d established, %d refused, %d timed out in %.3f s (%.0f/s), %d SYN retransmissions",
        request, requested(), established(), refused(), timedOut(), elapsed().toNanos() / 1e9, rate(),
        synRetransmissions());
  }
}
