package io.faketcp.peer.internal.tcp;

import java.util.concurrent.TimeUnit;

/**
 * The round-trip estimate and retransmission timeout of one connection (RFC 6298): SRTT and RTTVAR
 * from one timed segment at a time (Karn: none from a segment sent twice), an RTO of at least
 * {@link #MIN_RTO} that doubles on each timeout up to {@link #MAX_RTO}.
 */
final class RttEstimator {
  static final long MIN_RTO = TimeUnit.MILLISECONDS.toNanos(200);
  static final long INITIAL_RTO = TimeUnit.SECONDS.toNanos(1);
  /** Backoff stops here (RFC 6298 allows 60 s; tests should not wait that long for a recovery). */
  static final long MAX_RTO = TimeUnit.SECONDS.toNanos(5);
  private static final int MIN_VARIANCE_MICROS = 1000;
  private static final int MIN_RTO_MICROS = (int) (MIN_RTO / 1000);
  private static final int INITIAL_RTO_MICROS = (int) (INITIAL_RTO / 1000);
  private static final int MAX_RTO_MICROS = (int) (MAX_RTO / 1000);

  // In microseconds (an int holds far more than MAX_RTO): every connection carries one of these.
  private int srtt;
  private int rttvar;
  private int rto;
  private boolean timing;
  /** The timed segment is acknowledged by an ACK of this. */
  private int timedEnd;
  private long timedAt;

  RttEstimator() {
    restart();
  }

  /** As new: no sample, the initial RTO. */
  void restart() {
    srtt = 0;
    rttvar = 0;
    rto = INITIAL_RTO_MICROS;
    timing = false;
    timedEnd = 0;
    timedAt = 0;
  }

  /** The retransmission timeout now, in nanoseconds. */
  long rto() {
    return rto * 1000L;
  }

  /** One round trip measured (nanoseconds). */
  void sample(long rttNanos) {
    int rtt = (int) Math.max(1, Math.min(MAX_RTO_MICROS, rttNanos / 1000));
    if (srtt == 0) {
      srtt = rtt;
      rttvar = rtt / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
      srtt = (7 * srtt + rtt) / 8;
    }
    rto = Math.min(MAX_RTO_MICROS, Math.max(MIN_RTO_MICROS, srtt + Math.max(MIN_VARIANCE_MICROS, 4 * rttvar)));
  }

  /** A segment ending at {@code end} went out for the first time at {@code now}: timed unless one already is. */
  void sent(int end, long now) {
    if (!timing) {
      timing = true;
      timedEnd = end;
      timedAt = now;
    }
  }

  /** Something went out a second time: the segment being timed may be among it (Karn). */
  void retransmitted() {
    timing = false;
  }

  /** The host acknowledged up to {@code ack} at {@code now}: a sample if it covers the timed segment. */
  void acknowledged(int ack, long now) {
    if (timing && !Seq.before(ack, timedEnd)) {
      timing = false;
      sample(now - timedAt);
    }
  }

  /** A timeout: the RTO doubles (RFC 6298 5.5) and nothing in flight is timed any more. */
  void backOff() {
    rto = Math.min(MAX_RTO_MICROS, rto * 2);
    timing = false;
  }
}
