package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpOptions;

/**
 * What the host's SACK blocks say it holds above SND.UNA (RFC 2018, RFC 6675's scoreboard): up to
 * {@value #RANGES} disjoint ranges, lowest first. It only guides the sender — which holes are lost,
 * which bytes need not go again — and may be wrong (a receiver may renege): the connection keeps it
 * across a retransmission timeout, as Linux does, and clears it when a cumulative ACK stops at a
 * SACKed byte; ranges the cumulative ACK passes are dropped.
 */
final class SackScoreboard {
  /**
   * Enough for the holes of a full send queue: 4 MiB at 2 % loss has about 60 (with 8, kept until
   * 2026, what did not fit was sent again after a timeout though the host held it).
   */
  static final int RANGES = 64;
  /** RFC 6675's DupThresh: three segments' worth above a hole mark it lost. */
  static final int DUP_THRESH = 3;

  private final SeqRanges ranges = new SeqRanges(RANGES);

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  void clear() {
    ranges.clear();
  }

  /**
   * Takes the SACK blocks of an ACK; blocks outside {@code (sndUna, sndMax]} (a D-SACK report, or
   * bytes never sent) are ignored. Returns whether they SACKed a byte not SACKed before.
   */
  boolean update(TcpOptions options, int sndUna, int sndMax) {
    boolean news = false;
    for (int i = 0; i < options.sackBlockCount(); i++) {
      int left = (int) options.sackLeft(i);
      int right = (int) options.sackRight(i);
      if (!Seq.before(left, right) || !Seq.before(sndUna, left) || Seq.before(sndMax, right)) {
        continue;
      }
      news |= add(left, right);
    }
    return news;
  }

  /** SACKs {@code [left, right)}; whether any byte of it is new. */
  boolean add(int left, int right) {
    int added = ranges.add(left, right);
    if (added == SeqRanges.FULL) {
      if (Seq.before(highest(), left)) {
        return false; // full, and above everything kept: the lower ranges matter more (holes go lowest first)
      }
      ranges.dropHighest(); // the highest range makes room
      added = ranges.add(left, right);
    }
    return added > 0;
  }

  /** Forgets what the cumulative ACK {@code sndUna} covers. */
  void advance(int sndUna) {
    ranges.dropBefore(sndUna);
  }

  /** Whether {@code seq} is SACKed. */
  boolean sacked(int seq) {
    return ranges.indexOf(seq) >= 0;
  }

  /** How many bytes below {@code seq} are SACKed. */
  int sackedBelow(int seq) {
    int bytes = 0;
    for (int i = 0; i < ranges.count() && Seq.before(ranges.start(i), seq); i++) {
      bytes += (Seq.before(ranges.end(i), seq) ? ranges.end(i) : seq) - ranges.start(i);
    }
    return bytes;
  }

  /** Where the SACKed range holding {@code seq} ends, or {@code seq} itself if it is not SACKed. */
  int skip(int seq) {
    int i = ranges.indexOf(seq);
    return i < 0 ? seq : ranges.end(i);
  }

  /** Bytes from {@code seq} up to the next SACKed byte above it ({@code Integer.MAX_VALUE} if none is). */
  int unsackedFrom(int seq) {
    for (int i = 0; i < ranges.count(); i++) {
      if (Seq.before(seq, ranges.start(i))) {
        return ranges.start(i) - seq;
      }
    }
    return Integer.MAX_VALUE;
  }

  /**
   * RFC 6675's IsLost: whether the unSACKed byte {@code seq} counts as lost — {@value #DUP_THRESH}
   * discontiguous SACKed ranges above it, or more than {@code DUP_THRESH - 1} segments of
   * {@code segmentSize} SACKed above it.
   */
  boolean isLost(int seq, int segmentSize) {
    int above = 0;
    long bytes = 0;
    for (int i = 0; i < ranges.count(); i++) {
      int start = ranges.start(i);
      int end = ranges.end(i);
      if (Seq.before(seq, end)) {
        above++;
        bytes += end - (Seq.before(seq, start) ? start : seq);
      }
    }
    return above >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * segmentSize;
  }

  /** The end of the highest SACKed range; meaningless when empty. */
  int highest() {
    return ranges.end(ranges.count() - 1);
  }
}
