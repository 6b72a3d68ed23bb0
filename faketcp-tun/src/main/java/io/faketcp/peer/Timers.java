package io.faketcp.peer;

import java.util.Arrays;

/**
 * The connections' timers, on the peer thread: one deadline per connection (retransmission, persist,
 * SYN+ACK, TIME-WAIT) in a binary heap that knows each connection's place, so that cancelling (a
 * handshake completed, everything acknowledged, the connection gone) takes it out at once and the
 * heap never holds connections that are done. Re-arming a queued timer for a later time (every ACK
 * that moves SND.UNA) only writes a field: the entry moves when it reaches the head. The peer's poll
 * waits until {@link #next()}.
 */
final class Timers {
  private Connection[] heap = new Connection[64];
  private int size;

  /** Arms {@code c}'s timer for {@code at} (nanoTime), replacing any earlier setting. */
  void arm(Connection c, long at) {
    c.timerAt = at;
    c.timerArmed = true;
    if (c.heapIndex < 0) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      c.queuedAt = at;
      heap[size] = c;
      c.heapIndex = size++;
      up(c.heapIndex);
    } else if (at - c.queuedAt < 0) {
      c.queuedAt = at;
      up(c.heapIndex);
    }
  }

  boolean armed(Connection c) {
    return c.timerArmed;
  }

  void cancel(Connection c) {
    c.timerArmed = false;
    if (c.heapIndex >= 0) {
      removeAt(c.heapIndex);
    }
  }

  /** When the next timer may be due, as a nanoTime; Long.MAX_VALUE when none is armed. */
  long next() {
    return size == 0 ? Long.MAX_VALUE : heap[0].queuedAt;
  }

  /** Fires every timer due at {@code now}. */
  void fire(long now) {
    while (size > 0 && now - heap[0].queuedAt >= 0) {
      Connection head = heap[0];
      if (!head.timerArmed || head.state == Connection.CLOSED) {
        removeAt(0);
      } else if (now - head.timerAt >= 0) {
        removeAt(0);
        head.timerArmed = false;
        head.timerExpired(now);
      } else {
        head.queuedAt = head.timerAt; // re-armed later since it was queued
        down(0);
      }
    }
  }

  int size() {
    return size;
  }

  private void removeAt(int i) {
    Connection gone = heap[i];
    gone.heapIndex = -1;
    size--;
    if (i == size) {
      heap[size] = null;
      return;
    }
    Connection last = heap[size];
    heap[size] = null;
    heap[i] = last;
    last.heapIndex = i;
    up(i);
    down(last.heapIndex);
  }

  private void up(int i) {
    Connection c = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Connection p = heap[parent];
      if (c.queuedAt - p.queuedAt >= 0) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = c;
    c.heapIndex = i;
  }

  private void down(int i) {
    Connection c = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1].queuedAt - heap[child].queuedAt < 0) {
        child++;
      }
      if (heap[child].queuedAt - c.queuedAt >= 0) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = c;
    c.heapIndex = i;
  }
}
