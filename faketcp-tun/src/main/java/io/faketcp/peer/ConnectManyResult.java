package io.faketcp.peer;

import java.time.Duration;
import java.util.Locale;

/**
 * What a {@link ConnectMany} run achieved: every requested connection is either established or
 * failed, with the reason.
 */
public final class ConnectManyResult {
  private final ConnectMany request;
  private final int established;
  private final int refused;
  private final int timedOut;
  private final long synRetransmissions;
  private final Duration elapsed;

  ConnectManyResult(ConnectMany request, int established, int refused, int timedOut, long synRetransmissions,
      Duration elapsed) {
    this.request = request;
    this.established = established;
    this.refused = refused;
    this.timedOut = timedOut;
    this.synRetransmissions = synRetransmissions;
    this.elapsed = elapsed;
  }

  /** Connections requested. */
  public int requested() {
    return request.count();
  }

  /** Connections whose handshake completed (SYN+ACK received and acknowledged). */
  public int established() {
    return established;
  }

  /** Connections the server refused with RST. */
  public int refused() {
    return refused;
  }

  /** Connections with no SYN+ACK after every retransmission, or still pending at the run's timeout. */
  public int timedOut() {
    return timedOut;
  }

  /** Failed connections: refused plus timed out. */
  public int failed() {
    return refused + timedOut;
  }

  /** SYNs sent again because the first went unanswered. */
  public long synRetransmissions() {
    return synRetransmissions;
  }

  /** From the first SYN to the last connection's outcome. */
  public Duration elapsed() {
    return elapsed;
  }

  /** Established connections per second of {@link #elapsed()}. */
  public double rate() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? established / seconds : 0;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "%s: %d requested, %d established, %d refused, %d timed out in %.3f s (%.0f/s), %d SYN retransmissions",
        request, requested(), established, refused, timedOut, elapsed.toNanos() / 1e9, rate(), synRetransmissions);
  }
}
