package io.faketcp.peer.internal.tcp;

import java.util.Arrays;

/**
 * The holes resent since the last timeout, lowest first, each with SND.MAX when it went (up to
 * {@value #CAPACITY}; those past it are left to the timer). A resent hole that the host still lacks
 * once it SACKs a byte at or above that mark, a byte sent after the resend, was lost again: on a path
 * that keeps order (a tun device) the resend would have arrived first. Linux did the same before RACK
 * (tcp_mark_lost_retrans).
 */
final class ResentHoles {
  static final int CAPACITY = 64;

  private final int[] seqs = new int[CAPACITY];
  private final int[] marks = new int[CAPACITY];
  private int head;
  private int count;

  void clear() {
    head = 0;
    count = 0;
    Arrays.fill(seqs, 0);
    Arrays.fill(marks, 0);
  }

  /** The hole at {@code seq} went again when SND.MAX was {@code mark}. */
  void resent(int seq, int mark) {
    for (int i = 0; i < count; i++) {
      int k = (head + i) % CAPACITY;
      if (seqs[k] == seq) {
        marks[k] = mark;
        return;
      }
    }
    if (count < CAPACITY && (count == 0 || Seq.before(seqs[(head + count - 1) % CAPACITY], seq))) {
      int k = (head + count) % CAPACITY;
      seqs[k] = seq;
      marks[k] = mark;
      count++;
    }
  }

  /** Forgets the holes the cumulative ACK {@code sndUna} passed. */
  void acknowledged(int sndUna) {
    while (count > 0 && Seq.before(seqs[head], sndUna)) {
      head = (head + 1) % CAPACITY;
      count--;
    }
  }

  /** Whether the resend of the hole at {@code sndUna} was lost, the host having SACKed up to {@code highestSacked}. */
  boolean lostAgain(int sndUna, int highestSacked) {
    return count > 0 && seqs[head] == sndUna && Seq.before(marks[head], highestSacked);
  }
}
