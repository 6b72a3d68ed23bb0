package io.faketcp.peer.internal.faults;

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

  /** The public fault, as a key ({@link FaultEffect#fault()}). */
  final Object fault;
  final FaultEffect.Where scope;
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

  ActiveFault(FaultEffect effect, SplittableRandom random, AtomicLong actions) {
    this.fault = effect.fault();
    this.scope = effect.scope();
    this.random = random;
    this.actions = actions;
    this.kind = kind(effect);
    this.probability = effect.probability();
    this.amount = effect.amount();
    this.nanos = effect.nanos();
    this.jitterNanos = effect.jitterNanos();
  }

  private static int kind(FaultEffect effect) {
    switch (effect.kind()) {
      case LATENCY: return LATENCY;
      case LOSS: return LOSS;
      case DUPLICATE: return DUPLICATE;
      case REORDER: return REORDER;
      case BANDWIDTH: return BANDWIDTH;
      case UNREACHABLE: return UNREACHABLE;
      case MTU: return MTU;
      case DROP_FIRST: return DROP_FIRST;
      case DROP_NTH: return DROP_NTH;
      default: throw new IllegalArgumentException("fault '" + effect.fault() + "' does not act on packets");
    }
  }
}
