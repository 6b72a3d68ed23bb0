package io.faketcp.peer.internal.tcp;

/**
 * Disjoint ranges {@code [start, end)} of TCP sequence space, lowest first, merged as they touch, at
 * most a fixed number of them (comparisons modulo 2<sup>32</sup>, RFC 9293). What a receiver keeps out
 * of order ({@link Reassembly}) and what a sender learns from SACK blocks ({@link SackScoreboard}).
 */
final class SeqRanges {
  /** {@link #add}: there was no room for a range of its own. */
  static final int FULL = -1;

  private final int[] starts;
  private final int[] ends;
  private int count;

  SeqRanges(int capacity) {
    starts = new int[capacity];
    ends = new int[capacity];
  }

  int count() {
    return count;
  }

  int start(int i) {
    return starts[i];
  }

  int end(int i) {
    return ends[i];
  }

  boolean isEmpty() {
    return count == 0;
  }

  void clear() {
    count = 0;
  }

  /**
   * Adds {@code [left, right)}, merging it with the ranges it touches or overlaps. Returns 1 if it
   * added a byte not held before, 0 if every byte was held, {@link #FULL} (and changes nothing) if it
   * needed a range of its own and all are taken.
   */
  int add(int left, int right) {
    int i = 0;
    while (i < count && Seq.before(ends[i], left)) {
      i++;
    }
    if (i == count || Seq.before(right, starts[i])) {
      if (count == starts.length) {
        return FULL;
      }
      System.arraycopy(starts, i, starts, i + 1, count - i);
      System.arraycopy(ends, i, ends, i + 1, count - i);
      starts[i] = left;
      ends[i] = right;
      count++;
      return 1;
    }
    boolean news = Seq.before(left, starts[i]) || Seq.before(ends[i], right);
    if (Seq.before(left, starts[i])) {
      starts[i] = left;
    }
    if (Seq.before(ends[i], right)) {
      ends[i] = right;
    }
    int j = i + 1;
    while (j < count && !Seq.before(ends[i], starts[j])) {
      if (Seq.before(ends[i], ends[j])) {
        ends[i] = ends[j];
      }
      j++;
    }
    System.arraycopy(starts, j, starts, i + 1, count - j);
    System.arraycopy(ends, j, ends, i + 1, count - j);
    count -= j - i - 1;
    return news ? 1 : 0;
  }

  /** Forgets the highest range. */
  void dropHighest() {
    count--;
  }

  /** Forgets everything before {@code seq}. */
  void dropBefore(int seq) {
    int drop = 0;
    while (drop < count && !Seq.before(seq, ends[drop])) {
      drop++;
    }
    if (drop > 0) {
      System.arraycopy(starts, drop, starts, 0, count - drop);
      System.arraycopy(ends, drop, ends, 0, count - drop);
      count -= drop;
    }
    if (count > 0 && Seq.before(starts[0], seq)) {
      starts[0] = seq;
    }
  }

  /** The index of the range holding {@code seq}, or -1. */
  int indexOf(int seq) {
    for (int i = 0; i < count; i++) {
      if (!Seq.before(seq, starts[i]) && Seq.before(seq, ends[i])) {
        return i;
      }
    }
    return -1;
  }
}
