package io.faketcp.peer.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The peer's counters. Written only by the peer's thread, read by any: opaque access keeps the
 * writes as cheap as plain ones on the packet path while readers never see a torn or stale-forever
 * value.
 */
public final class Counters {
  public static final int PACKETS_IN = 0;
  public static final int PACKETS_OUT = 1;
  public static final int BYTES_IN = 2;
  public static final int BYTES_OUT = 3;
  public static final int BAD = 4;
  public static final int IGNORED = 5;
  public static final int ECHO_REPLIES = 6;
  public static final int RESETS_SENT = 7;
  public static final int CONNECTIONS_OPENED = 8;
  public static final int SYN_RECEIVED = 9;
  public static final int SYN_SENT = 10;
  public static final int ESTABLISHED = 11;
  public static final int CLOSING = 12;
  public static final int FAILURES = 13;
  public static final int WRITE_ERRORS = 14;
  public static final int RETRANSMISSIONS = 15;
  public static final int ABORTED = 16;
  public static final int FAULT_ACTIONS = 17;
  public static final int FAULT_DROPS = 18;
  /** Packets a fault holds back now (delayed, or held by reorder): not in {@link PeerCounters}. */
  public static final int HELD = 19;
  private static final int SIZE = 20;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  private final long[] values = new long[SIZE];

  public void add(int counter, long delta) {
    SLOT.setOpaque(values, counter, (long) SLOT.getOpaque(values, counter) + delta);
  }

  public void increment(int counter) {
    add(counter, 1);
  }

  public long get(int counter) {
    return (long) SLOT.getOpaque(values, counter);
  }
}
