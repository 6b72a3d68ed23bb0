package io.faketcp.peer.internal.connectmany;

import java.util.concurrent.TimeUnit;

/**
 * How fast a {@link ConnectManyRun} opens connections: how many handshakes may be in flight, and how
 * long to wait for a SYN+ACK before sending the SYN again.
 *
 * <p>The window works like TCP's congestion window: slow start (one more per connection answered,
 * so it doubles per round) up to the request's bound or the first loss, then congestion avoidance
 * (one more per window of connections answered), and half as many when a SYN goes unanswered —
 * once per loss event, that is for SYNs sent after the last decrease only, since one overflow of
 * the server's accept queue drops every SYN in flight at that moment. A listener whose accept queue
 * is full drops SYNs without a word, so a lost SYN is the only sign a client gets that the server
 * is behind. Slow start matters because the round trip is not always short: while the server's
 * thread holds the listener (in accept()) our SYNs wait in the socket's backlog, and when that
 * thread is not scheduled, a small window leaves the peer waiting and the accept queue empty (the
 * server's pauses, measured).
 *
 * <p>The retransmission timeout is measured (RFC 6298: SRTT + 4·RTTVAR from SYNs answered the first
 * time, Karn's rule), at least {@link #MIN_RTO}, doubled for each retransmission of one SYN. Until
 * the first SYN+ACK it is the request's initial timeout. On a tun device the host's kernel handles
 * our SYN inside our own write() and queues its SYN+ACK before the call returns (or, while the
 * server's thread holds the listener in accept(), as soon as it lets go), so the measured round
 * trip is the peer's own loop, well under a millisecond: a SYN not answered within 10 ms was
 * dropped. Sending one again too early costs two packets and nothing else (the kernel answers a
 * repeated SYN of a pending request with its SYN+ACK again, and we acknowledge that one too);
 * waiting 200 ms for each of them stalled the whole run, since the dropped SYNs hold every slot of
 * the window.
 */
final class ConnectManyPacing {
  static final int INITIAL_WINDOW = 64;
  static final int MINIMUM_WINDOW = 8;
  static final long MIN_RTO = TimeUnit.MILLISECONDS.toNanos(10);
  static final long MAX_RTO = TimeUnit.SECONDS.toNanos(30);

  private final int limit;
  private int window;
  /** Slow start below this, congestion avoidance from it (the bound until the first loss). */
  private int threshold;
  private int growth;
  private boolean decreased;
  private long lastDecrease;
  private long srtt;
  private long rttvar;
  private long rto;

  ConnectManyPacing(int limit, long initialRto) {
    this.limit = limit;
    this.window = Math.min(limit, INITIAL_WINDOW);
    this.threshold = limit;
    this.rto = initialRto;
  }

  /** Handshakes that may be in flight now. */
  int window() {
    return window;
  }

  /** The timeout of a SYN sent for the {@code retransmission}th time again (0: its first transmission). */
  long timeout(int retransmission) {
    return retransmission >= 31 ? MAX_RTO : Math.min(MAX_RTO, rto << Math.min(retransmission, 30));
  }

  /** A SYN was answered; {@code rtt} is its round trip when it was sent once, else negative (Karn). */
  void answered(long rtt) {
    if (rtt >= 0) {
      if (srtt == 0) {
        srtt = Math.max(1, rtt);
        rttvar = rtt / 2;
      } else {
        rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
        srtt = (7 * srtt + rtt) / 8;
      }
      rto = Math.min(MAX_RTO, Math.max(MIN_RTO, srtt + 4 * rttvar));
    }
    if (window >= limit) {
      return;
    }
    if (window < threshold) {
      window++;
    } else if (++growth >= window) {
      window++;
      growth = 0;
    }
  }

  /**
   * A SYN last sent at {@code sentAt} went unanswered; the window halves once per loss event.
   * Returns whether this is a new loss event.
   */
  boolean lost(long sentAt, long now) {
    if (decreased && sentAt - lastDecrease < 0) {
      return false; // in flight when the window was last cut: the same overflow
    }
    window = Math.max(MINIMUM_WINDOW, window / 2);
    threshold = window;
    growth = 0;
    decreased = true;
    lastDecrease = now;
    return true;
  }
}
