package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * Out-of-order data from the host, kept until the hole before it is filled: a 64 KiB ring indexed by
 * sequence number (the window is at most 65535 bytes) and up to {@value #RANGES} disjoint ranges.
 * Without it every segment after a lost one had to come again, one per round trip, and a 5% loss
 * stalled the host's sender for seconds; with it the retransmission of the hole is enough. Allocated
 * on a connection's first out-of-order segment.
 */
final class Reassembly {
  static final int RANGES = 16;
  static final int SIZE = 1 << 16;
  private static final int MASK = SIZE - 1;

  private final byte[] ring = new byte[SIZE];
  private final ByteBuffer view = ByteBuffer.wrap(ring);
  private final SeqRanges ranges = new SeqRanges(RANGES);
  /** The sequence number of the segment kept last: its range goes first in the SACK option (RFC 2018). */
  private int latest;
  /** Where a FIN that came after a gap sits, if one did. */
  private boolean fin;
  private int finSeq;

  boolean isEmpty() {
    return ranges.isEmpty() && !fin;
  }

  /** Keeps {@code [offset, offset + length)} of {@code source}, the bytes at {@code seq}; false if there was no room. */
  boolean add(ByteBuffer source, int offset, int length, int seq) {
    if (ranges.add(seq, seq + length) == SeqRanges.FULL) {
      return false; // too fragmented: the host sends it again
    }
    latest = seq;
    int index = seq & MASK;
    int first = Math.min(length, SIZE - index);
    source.get(offset, ring, index, first);
    if (first < length) {
      source.get(offset + first, ring, 0, length - first);
    }
    return true;
  }

  void fin(int seq) {
    fin = true;
    finSeq = seq;
  }

  /** Whether the FIN kept here is next at {@code rcvNxt}. */
  boolean finAt(int rcvNxt) {
    return fin && finSeq == rcvNxt;
  }

  /** Forgets everything before {@code rcvNxt}. */
  void advance(int rcvNxt) {
    ranges.dropBefore(rcvNxt);
    if (fin && Seq.before(finSeq, rcvNxt)) {
      fin = false;
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

  /** Up to {@code length} bytes at {@code seq}, as far as the ring goes without wrapping; valid until the next call. */
  ByteBuffer view(int seq, int length) {
    int index = seq & MASK;
    view.clear().position(index).limit(index + Math.min(length, SIZE - index));
    return view;
  }
}
