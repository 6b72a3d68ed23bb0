package io.faketcp.peer;

import io.faketcp.packet.TcpOptions;

/**
 * What the host's SACK blocks say it holds above SND.UNA (RFC 2018, RFC 6675's scoreboard): up to
 * {@value #RANGES} disjoint ranges, lowest first. It only guides the sender — which holes are lost,
 * which bytes need not go again — and may be wrong (a receiver may renege), so the connection clears
 * it after a retransmission timeout; ranges the cumulative ACK passes are dropped.
 */
final class SackScoreboard {
  /** A few ACKs' worth of blocks: a 64 KiB window at 10% loss has about five holes. */
  static final int RANGES = 8;
  /** RFC 6675's DupThresh: three segments' worth above a hole mark it lost. */
  static final int DUP_THRESH = 3;

  private final int[] starts = new int[RANGES];
  private final int[] ends = new int[RANGES];
  private int count;

  boolean isEmpty() {
    return count == 0;
  }

  void clear() {
    count = 0;
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
      if (!Connection.before(left, right) || !Connection.before(sndUna, left) || Connection.before(sndMax, right)) {
        continue;
      }
      news |= add(left, right);
    }
    return news;
  }

  /** SACKs {@code [left, right)}; whether any byte of it is new. */
  boolean add(int left, int right) {
    int i = 0;
    while (i < count && Connection.before(ends[i], left)) {
      i++;
    }
    if (i == count || Connection.before(right, starts[i])) {
      if (count == RANGES) {
        if (i == count) {
          return false; // full, and above everything kept: the lower ranges matter more (holes go lowest first)
        }
        count--; // the highest range makes room
      }
      System.arraycopy(starts, i, starts, i + 1, count - i);
      System.arraycopy(ends, i, ends, i + 1, count - i);
      starts[i] = left;
      ends[i] = right;
      count++;
      return true;
    }
    boolean news = Connection.before(left, starts[i]) || Connection.before(ends[i], right);
    if (Connection.before(left, starts[i])) {
      starts[i] = left;
    }
    if (Connection.before(ends[i], right)) {
      ends[i] = right;
    }
    int j = i + 1;
    while (j < count && !Connection.before(ends[i], starts[j])) {
      if (Connection.before(ends[i], ends[j])) {
        ends[i] = ends[j];
      }
      j++;
    }
    System.arraycopy(starts, j, starts, i + 1, count - j);
    System.arraycopy(ends, j, ends, i + 1, count - j);
    count -= j - i - 1;
    return news;
  }

  /** Forgets what the cumulative ACK {@code sndUna} covers. */
  void advance(int sndUna) {
    int drop = 0;
    while (drop < count && !Connection.before(sndUna, ends[drop])) {
      drop++;
    }
    if (drop > 0) {
      System.arraycopy(starts, drop, starts, 0, count - drop);
      System.arraycopy(ends, drop, ends, 0, count - drop);
      count -= drop;
    }
    if (count > 0 && Connection.before(starts[0], sndUna)) {
      starts[0] = sndUna;
    }
  }

  /** Whether {@code seq} is SACKed. */
  boolean sacked(int seq) {
    for (int i = 0; i < count; i++) {
      if (!Connection.before(seq, starts[i]) && Connection.before(seq, ends[i])) {
        return true;
      }
    }
    return false;
  }

  /** Where the SACKed range holding {@code seq} ends, or {@code seq} itself if it is not SACKed. */
  int skip(int seq) {
    for (int i = 0; i < count; i++) {
      if (!Connection.before(seq, starts[i]) && Connection.before(seq, ends[i])) {
        return ends[i];
      }
    }
    return seq;
  }

  /** Bytes from {@code seq} up to the next SACKed byte above it ({@code Integer.MAX_VALUE} if none is). */
  int unsackedFrom(int seq) {
    for (int i = 0; i < count; i++) {
      if (Connection.before(seq, starts[i])) {
        return starts[i] - seq;
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
    int ranges = 0;
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      if (Connection.before(seq, ends[i])) {
        ranges++;
        bytes += ends[i] - (Connection.before(seq, starts[i]) ? starts[i] : seq);
      }
    }
    return ranges >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * segmentSize;
  }

  /** The end of the highest SACKed range; meaningless when empty. */
  int highest() {
    return ends[count - 1];
  }
}
