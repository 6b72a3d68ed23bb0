package io.faketcp.peer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The peer's counters. Written only by the peer's thread, read by any: opaque access keeps the
 * writes as cheap as plain ones on the packet path while readers never see a torn or stale-forever
 * value.
 */
final class Counters {
  static final int PACKETS_IN = 0;
  static final int PACKETS_OUT = 1;
  static final int BYTES_IN = 2;
  static final int BYTES_OUT = 3;
  static final int BAD = 4;
  static final int IGNORED = 5;
  static final int ECHO_REPLIES = 6;
  static final int RESETS_SENT = 7;
  static final int CONNECTIONS_OPENED = 8;
  static final int SYN_RECEIVED = 9;
  static final int SYN_SENT = 10;
  static final int ESTABLISHED = 11;
  static final int CLOSING = 12;
  static final int FAILURES = 13;
  static final int WRITE_ERRORS = 14;
  static final int RETRANSMISSIONS = 15;
  static final int ABORTED = 16;
  static final int FAULT_ACTIONS = 17;
  static final int FAULT_DROPS = 18;
  /** Packets a fault holds back now (delayed, or held by reorder): not in {@link PeerCounters}. */
  static final int HELD = 19;
  private static final int SIZE = 20;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  private final long[] values = new long[SIZE];

  void add(int counter, long delta) {
    SLOT.setOpaque(values, counter, (long) SLOT.getOpaque(values, counter) + delta);
  }

  void increment(int counter) {
    add(counter, 1);
  }

  long get(int counter) {
    return (long) SLOT.getOpaque(values, counter);
  }

  PeerCounters snapshot() {
    return new PeerCounters(get(PACKETS_IN), get(PACKETS_OUT), get(BYTES_IN), get(BYTES_OUT), get(BAD),
        get(IGNORED), get(ECHO_REPLIES), get(RESETS_SENT), get(CONNECTIONS_OPENED), get(SYN_RECEIVED),
        get(SYN_SENT), get(ESTABLISHED), get(CLOSING), get(FAILURES), get(WRITE_ERRORS), get(RETRANSMISSIONS),
        get(ABORTED), get(FAULT_ACTIONS), get(FAULT_DROPS));
  }
}
