package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * Out-of-order data from the host, kept until the hole before it is filled, as far as the window
 * offered reaches (Linux keeps it up to its receive buffer): a ring indexed by sequence number and up
 * to {@value #RANGES} disjoint ranges. Without it every segment after a lost one had to come again,
 * one per round trip, and a 5% loss stalled the host's sender for seconds; with it the retransmission
 * of the hole is enough.
 *
 * <p>The ring holds {@code [rcvNxt, rcvNxt + capacity)}: it is allocated on the first out-of-order
 * segment, as large as the window then offered (a power of two, at least {@value #MIN_CAPACITY}
 * bytes), grows by copying what it keeps when a segment reaches beyond it, and a ring larger than
 * that minimum is let go once nothing is kept (tens of thousands of connections must not each hold
 * megabytes).
 */
final class Reassembly {
  static final int RANGES = 16;
  static final int MIN_CAPACITY = 1 << 16;
  /** No ring is larger: windows are at most a few megabytes ({@link ReceiveWindow#MAX}). */
  static final int MAX_CAPACITY = 1 << 30;

  /** Null while none is needed. */
  private byte[] ring;
  private ByteBuffer view;
  private final SeqRanges ranges = new SeqRanges(RANGES);
  /** The sequence number of the segment kept last: its range goes first in the SACK option (RFC 2018). */
  private int latest;
  /** Where a FIN that came after a gap sits, if one did. */
  private boolean fin;
  private int finSeq;

  boolean isEmpty() {
    return ranges.isEmpty() && !fin;
  }

  /** The bytes the ring holds now (0 when there is none). */
  int capacity() {
    return ring == null ? 0 : ring.length;
  }

  /**
   * Keeps {@code [offset, offset + length)} of {@code source}, the bytes at {@code seq}, which lies
   * after {@code rcvNxt}; {@code window} is what the window offered reaches past {@code rcvNxt} (the
   * size of a new ring). False if there was no room: too many ranges, or a segment further away than
   * any ring may be.
   */
  boolean add(ByteBuffer source, int offset, int length, int seq, int rcvNxt, int window) {
    if (length <= 0 || Seq.before(seq, rcvNxt)) {
      throw new IllegalArgumentException("out-of-order bytes must lie after RCV.NXT " + Seq.field(rcvNxt)
          + ", not at " + Seq.field(seq) + " (" + length + " bytes)");
    }
    long reach = (long) (seq - rcvNxt) + length;
    if (reach > MAX_CAPACITY) {
      return false;
    }
    ranges.dropBefore(rcvNxt);
    if (reach > capacity()) {
      resize(ceilingPowerOfTwo(Math.max(reach, ring == null ? Math.max(window, MIN_CAPACITY) : 2L * ring.length)));
    }
    if (ranges.add(seq, seq + length) == SeqRanges.FULL) {
      return false; // too fragmented: the host sends it again
    }
    latest = seq;
    int mask = ring.length - 1;
    int index = seq & mask;
    int first = Math.min(length, ring.length - index);
    source.get(offset, ring, index, first);
    if (first < length) {
      source.get(offset + first, ring, 0, length - first);
    }
    return true;
  }

  private static int ceilingPowerOfTwo(long n) {
    return (int) Math.min(MAX_CAPACITY, Long.highestOneBit(n - 1) << 1);
  }

  /** A ring of {@code capacity} bytes holding the ranges kept, each at its sequence number's place. */
  private void resize(int capacity) {
    byte[] old = ring;
    ring = new byte[capacity];
    view = ByteBuffer.wrap(ring);
    for (int i = 0; old != null && i < ranges.count(); i++) {
      int seq = ranges.start(i);
      int left = ranges.end(i) - seq;
      while (left > 0) {
        int from = seq & (old.length - 1);
        int to = seq & (capacity - 1);
        int n = Math.min(left, Math.min(old.length - from, capacity - to));
        System.arraycopy(old, from, ring, to, n);
        seq += n;
        left -= n;
      }
    }
  }

  void fin(int seq) {
    fin = true;
    finSeq = seq;
  }

  /** Whether the FIN kept here is next at {@code rcvNxt}. */
  boolean finAt(int rcvNxt) {
    return fin && finSeq == rcvNxt;
  }

  /** Forgets everything before {@code rcvNxt}; a ring larger than the smallest goes once nothing is kept. */
  void advance(int rcvNxt) {
    ranges.dropBefore(rcvNxt);
    if (fin && Seq.before(finSeq, rcvNxt)) {
      fin = false;
    }
    if (ranges.isEmpty() && ring != null && ring.length > MIN_CAPACITY) {
      ring = null;
      view = null;
    }
  }

  /** How many disjoint ranges are kept (each a SACK block, up to four of them). */
  int rangeCount() {
    return ranges.count();
  }

  /** Bytes kept from {@code rcvNxt} on without a gap. */
  int contiguous(int rcvNxt) {
    return !ranges.isEmpty() && ranges.start(0) == rcvNxt ? ranges.end(0) - rcvNxt : 0;
  }

  /**
   * The SACK option for the ranges kept (RFC 2018): NOP, NOP, kind 5, then up to four blocks, the one
   * holding the latest segment first; null when nothing is kept. {@code options[n]} is a scratch
   * array of 4 + 8n bytes for n blocks.
   */
  byte[] sackOption(byte[][] options) {
    int count = ranges.count();
    int blocks = Math.min(count, 4);
    if (blocks == 0) {
      return null;
    }
    byte[] option = options[blocks];
    option[0] = 1;
    option[1] = 1;
    option[2] = 5;
    option[3] = (byte) (2 + 8 * blocks);
    int first = Math.max(0, ranges.indexOf(latest));
    put(option, 4, ranges.start(first), ranges.end(first));
    int at = 12;
    for (int i = 0; i < count && at < option.length; i++) {
      if (i != first) {
        put(option, at, ranges.start(i), ranges.end(i));
        at += 8;
      }
    }
    return option;
  }

  private static void put(byte[] option, int at, int left, int right) {
    for (int k = 0; k < 4; k++) {
      option[at + k] = (byte) (left >>> (24 - 8 * k));
      option[at + 4 + k] = (byte) (right >>> (24 - 8 * k));
    }
  }

  /**
   * Up to {@code length} kept bytes at {@code seq} (see {@link #contiguous}), as far as the ring goes
   * without wrapping; valid until the next call.
   */
  ByteBuffer view(int seq, int length) {
    int index = seq & (ring.length - 1);
    view.clear().position(index).limit(index + Math.min(length, ring.length - index));
    return view;
  }
}
