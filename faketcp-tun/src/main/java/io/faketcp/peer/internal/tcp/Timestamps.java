package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpOptions;
import io.faketcp.packet.TcpSegment;
import java.util.concurrent.TimeUnit;

/**
 * RFC 7323's timestamps for one connection, from the fake host's side, when the host offered them in
 * its SYN: TSval from a millisecond clock (Linux's tick) with a per-connection offset, TS.Recent kept
 * as §4.3 says (from acceptable segments that cover Last.ACK.sent), PAWS (§5) for segments whose
 * TSval is older than TS.Recent, and a round-trip sample from the TSecr of each ACK that moves
 * SND.UNA (§4.2: no ambiguity after a retransmission). Segments then carry the option, so a data
 * segment holds {@value #LENGTH} bytes less and at most three SACK blocks fit beside it. A layer of
 * the endpoint's one object, above its {@link ReceiveWindow}. Peer thread only.
 */
abstract class Timestamps extends ReceiveWindow {
  /** The option's length on the wire: two NOPs, kind, length, TSval, TSecr. */
  static final int LENGTH = 12;
  /** Half a tick: the expected round trip of a sample that saw the clock not move. */
  private static final long HALF_TICK = TimeUnit.MICROSECONDS.toNanos(500);
  /** A TSecr further back than this (in ticks) is not an echo of ours (RFC 7323 §4.2 on old echoes). */
  private static final int MAX_ECHO_AGE = 60_000;

  private boolean tsOn;
  private int tsOffset;
  private int tsRecent;
  private int tsLastAckSent;

  /** Room for the options {@link #timestampOption} writes: timestamps alone, and with 1 to 3 SACK blocks after them. */
  static byte[][] scratch() {
    return new byte[][] {new byte[LENGTH], new byte[LENGTH + 12], new byte[LENGTH + 20], new byte[LENGTH + 28]};
  }

  /** As new: not in use. */
  void clearTimestamps() {
    tsOn = false;
    tsOffset = 0;
    tsRecent = 0;
    tsLastAckSent = 0;
  }

  /** The host's SYN: in use when it carries the option; {@code offset} is this connection's clock offset. */
  void negotiateTimestamps(TcpOptions syn, int offset) {
    tsOn = syn.hasTimestamps();
    tsOffset = offset;
    tsRecent = tsOn ? (int) syn.tsVal() : 0;
  }

  boolean timestampsOn() {
    return tsOn;
  }

  /** TSval at {@code now} (nanoTime). */
  int tsValue(long now) {
    return (int) TimeUnit.NANOSECONDS.toMillis(now) + tsOffset;
  }

  /** TS.Recent: the TSecr of our next segment. */
  int tsRecent() {
    return tsRecent;
  }

  /**
   * PAWS (RFC 7323 §5.3 R1): whether {@code s} is an old duplicate to drop (acknowledging it unless it
   * is a RST, which PAWS leaves to the sequence check).
   */
  boolean oldTimestamp(TcpSegment s) {
    if (!tsOn || s.rst() || s.syn()) {
      return false;
    }
    TcpOptions o = s.options();
    return o.hasTimestamps() && (int) o.tsVal() - tsRecent < 0;
  }

  /** An acceptable segment at {@code seq}: TS.Recent follows its TSval if it covers Last.ACK.sent (§4.3 (2)). */
  void timestampReceived(TcpSegment s, int seq) {
    if (!tsOn) {
      return;
    }
    TcpOptions o = s.options();
    if (o.hasTimestamps() && (int) o.tsVal() - tsRecent >= 0 && seq - tsLastAckSent <= 0) {
      tsRecent = (int) o.tsVal();
    }
  }

  /** Our segment acknowledging {@code rcvNxt} goes out now. */
  void timestampSent(int rcvNxt) {
    tsLastAckSent = rcvNxt;
  }

  /** The round trip {@code s}'s TSecr tells at {@code now} (nanoseconds), or -1 when it tells none. */
  long timestampRtt(TcpSegment s, long now) {
    if (!tsOn) {
      return -1;
    }
    TcpOptions o = s.options();
    if (!o.hasTimestamps()) {
      return -1;
    }
    int ticks = tsValue(now) - (int) o.tsEcr();
    if (ticks < 0 || ticks > MAX_ECHO_AGE) {
      return -1;
    }
    return ticks == 0 ? HALF_TICK : TimeUnit.MILLISECONDS.toNanos(ticks);
  }

  /**
   * The option bytes for a segment sent at {@code now}: the timestamps, then the blocks of
   * {@code sack} (a SACK option as {@link Reassembly#sackOption} writes it: two NOPs, kind 5, length,
   * blocks; null for none), of which at most three fit beside the timestamps, written into one of
   * {@code scratch} (made by {@link #scratch()}). Valid until the next call.
   */
  byte[] timestampOption(long now, byte[] sack, byte[][] scratch) {
    int blocks = sack == null ? 0 : Math.min(3, (sack[3] - 2) / 8);
    byte[] o = scratch[blocks];
    o[0] = 1;
    o[1] = 1;
    o[2] = 8;
    o[3] = 10;
    putInt(o, 4, tsValue(now));
    putInt(o, 8, tsRecent);
    if (blocks > 0) {
      o[LENGTH] = 1;
      o[LENGTH + 1] = 1;
      o[LENGTH + 2] = 5;
      o[LENGTH + 3] = (byte) (2 + 8 * blocks);
      System.arraycopy(sack, 4, o, LENGTH + 4, 8 * blocks);
    }
    return o;
  }

  private static void putInt(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 24);
    b[at + 1] = (byte) (value >>> 16);
    b[at + 2] = (byte) (value >>> 8);
    b[at + 3] = (byte) value;
  }
}
