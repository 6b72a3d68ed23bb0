package io.faketcp.peer.internal;

import java.util.Arrays;

/**
 * The peer's timers, on the peer thread: one deadline per connection (retransmission, persist,
 * SYN+ACK, TIME-WAIT) in a binary heap that knows each connection's place, so that cancelling (a
 * handshake completed, everything acknowledged, the connection gone) takes it out at once and the
 * heap never holds connections that are done. Re-arming a queued timer for a later time (every ACK
 * that moves SND.UNA) only writes a field: the entry moves when it reaches the head. The peer's poll
 * waits until {@link #next()}. Faults (the fault layer, a connection's fault policy) queue their
 * deadlines here too, as {@link Entry}s of their own: one timer mechanism for the whole peer, and
 * none of it touched when no fault is set.
 */
public final class Timers {
  private Entry[] heap = new Entry[64];
  private int size;
  /** Arming order: of two entries due at the same time, the one armed first fires first. */
  private long order;

  /** Something with a deadline in the heap: a TCP endpoint, or a fault's pending action. */
  public abstract static class Entry {
    /** When the timer is due (nanoTime); when it was queued; whether it is armed. */
    long timerAt;
    long queuedAt;
    boolean timerArmed;
    /** Where this entry sits in the heap, -1 when not there. */
    int heapIndex = -1;
    long order;

    /** The deadline passed. */
    protected abstract void timerExpired(long now);

    /** Whether this entry is done for good (a closed connection): dropped without firing. */
    protected boolean finished() {
      return false;
    }

    /** Whether this entry sits in a heap now (armed, or cancelled and not yet dropped). */
    public final boolean queued() {
      return heapIndex >= 0;
    }
  }

  /** Arms {@code c}'s timer for {@code at} (nanoTime), replacing any earlier setting. */
  public void arm(Entry c, long at) {
    c.timerAt = at;
    c.timerArmed = true;
    if (c.heapIndex < 0) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      c.queuedAt = at;
      c.order = order++;
      heap[size] = c;
      c.heapIndex = size++;
      up(c.heapIndex);
    } else if (at - c.queuedAt < 0) {
      c.queuedAt = at;
      up(c.heapIndex);
    }
  }

  public boolean armed(Entry c) {
    return c.timerArmed;
  }

  public void cancel(Entry c) {
    c.timerArmed = false;
    if (c.heapIndex >= 0) {
      removeAt(c.heapIndex);
    }
  }

  /** When the next timer may be due, as a nanoTime; Long.MAX_VALUE when none is armed. */
  public long next() {
    return size == 0 ? Long.MAX_VALUE : heap[0].queuedAt;
  }

  /** Fires every timer due at {@code now}. */
  public void fire(long now) {
    while (size > 0 && now - heap[0].queuedAt >= 0) {
      Entry head = heap[0];
      if (!head.timerArmed || head.finished()) {
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

  public int size() {
    return size;
  }

  private void removeAt(int i) {
    Entry gone = heap[i];
    gone.heapIndex = -1;
    size--;
    if (i == size) {
      heap[size] = null;
      return;
    }
    Entry last = heap[size];
    heap[size] = null;
    heap[i] = last;
    last.heapIndex = i;
    up(i);
    down(last.heapIndex);
  }

  private void up(int i) {
    Entry c = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Entry p = heap[parent];
      if (!earlier(c, p)) {
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
    Entry c = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && earlier(heap[child + 1], heap[child])) {
        child++;
      }
      if (!earlier(heap[child], c)) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = c;
    c.heapIndex = i;
  }

  private static boolean earlier(Entry a, Entry b) {
    long d = a.queuedAt - b.queuedAt;
    return d < 0 || d == 0 && a.order < b.order;
  }
}
