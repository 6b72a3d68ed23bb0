package io.faketcp.peer;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fault in force in one direction, with its own random generator and state, and its values
 * taken out of the record once, for the packet path.
 */
final class ActiveFault {
  static final int LATENCY = 0;
  static final int LOSS = 1;
  static final int DUPLICATE = 2;
  static final int REORDER = 3;
  static final int BANDWIDTH = 4;
  static final int UNREACHABLE = 5;
  static final int MTU = 6;
  static final int DROP_FIRST = 7;
  static final int DROP_NTH = 8;

  final Fault fault;
  final Scope scope;
  final int kind;
  /** Loss, duplicate, reorder: 0 to 1. */
  final double probability;
  /** Bandwidth: bytes per second; mtu; drop-first, drop-nth: packets; unreachable: the ICMP code. */
  final long amount;
  /** Latency. */
  final long nanos;
  final long jitterNanos;
  final SplittableRandom random;
  final AtomicLong actions;
  /** drop-first, drop-nth: packets seen. */
  long count;
  /** Latency: when the last packet leaves; bandwidth: when the link is free again (nanoTime). */
  long last = Long.MIN_VALUE / 2;
  /**
   * Bandwidth: how late the link's last packet took effect (ns, 0 when on time: left, and for a
   * host's packet was answered), and when (nanoTime); see {@link DelayLine#timersFired}.
   */
  long lateness;
  long leftAt;
  /** The connection of the link's last packet that took effect ({@link #lateness}). */
  long lateFlow;
  /** Bandwidth: packets left in the timers now firing, the last of them meant to leave at {@link #leftScheduled}, of {@link #leftFlow}. */
  boolean left;
  long leftScheduled;
  long leftFlow;

  ActiveFault(Fault fault, SplittableRandom random, AtomicLong actions) {
    this.fault = fault;
    this.scope = fault.scope();
    this.random = random;
    this.actions = actions;
    int k = LATENCY;
    double p = 0;
    long a = 0;
    long n = 0;
    long j = 0;
    if (fault instanceof Fault.Latency) {
      n = ((Fault.Latency) fault).delay().toNanos();
      j = ((Fault.Latency) fault).jitter().toNanos();
    } else if (fault instanceof Fault.Loss) {
      k = LOSS;
      p = ((Fault.Loss) fault).percent() / 100;
    } else if (fault instanceof Fault.Duplicate) {
      k = DUPLICATE;
      p = ((Fault.Duplicate) fault).percent() / 100;
    } else if (fault instanceof Fault.Reorder) {
      k = REORDER;
      p = ((Fault.Reorder) fault).percent() / 100;
    } else if (fault instanceof Fault.Bandwidth) {
      k = BANDWIDTH;
      a = ((Fault.Bandwidth) fault).bytesPerSecond();
    } else if (fault instanceof Fault.Unreachable) {
      k = UNREACHABLE;
      a = ((Fault.Unreachable) fault).code().icmp;
    } else if (fault instanceof Fault.Mtu) {
      k = MTU;
      a = ((Fault.Mtu) fault).mtu();
    } else if (fault instanceof Fault.DropFirst) {
      k = DROP_FIRST;
      a = ((Fault.DropFirst) fault).packets();
    } else if (fault instanceof Fault.DropNth) {
      k = DROP_NTH;
      a = ((Fault.DropNth) fault).n();
    } else {
      throw new IllegalArgumentException("fault '" + fault + "' does not act on packets");
    }
    this.kind = k;
    this.probability = p;
    this.amount = a;
    this.nanos = n;
    this.jitterNanos = j;
  }
}
