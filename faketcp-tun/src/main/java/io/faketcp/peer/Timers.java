package io.faketcp.peer;

import java.util.PriorityQueue;

/**
 * The connections' timers, on the peer thread: one deadline per connection (retransmission, persist,
 * SYN+ACK, TIME-WAIT), kept in a heap by the time it was queued at. Re-arming a queued timer for a
 * later time (every ACK that moves SND.UNA) only writes a field; the heap is touched when the timer
 * is first armed, armed earlier, or reaches the head. The peer's poll waits until {@link #next()}.
 */
final class Timers {
  private final PriorityQueue<Connection> queue =
      new PriorityQueue<>(64, (a, b) -> Long.signum(a.queuedAt - b.queuedAt));

  /** Arms {@code c}'s timer for {@code at} (nanoTime), replacing any earlier setting. */
  void arm(Connection c, long at) {
    c.timerAt = at;
    c.timerArmed = true;
    if (!c.queued) {
      c.queuedAt = at;
      c.queued = true;
      queue.add(c);
    } else if (at - c.queuedAt < 0) {
      queue.remove(c); // rare: armed earlier than queued
      c.queuedAt = at;
      queue.add(c);
    }
  }

  boolean armed(Connection c) {
    return c.timerArmed;
  }

  void cancel(Connection c) {
    c.timerArmed = false; // the heap entry, if any, is dropped when it reaches the head
  }

  /** When the next timer may be due, as a nanoTime; Long.MAX_VALUE when none is armed. */
  long next() {
    Connection head;
    while ((head = queue.peek()) != null && (!head.timerArmed || head.state == Connection.CLOSED)) {
      queue.poll();
      head.queued = false;
    }
    return head == null ? Long.MAX_VALUE : head.queuedAt;
  }

  /** Fires every timer due at {@code now}. */
  void fire(long now) {
    Connection head;
    while ((head = queue.peek()) != null && now - head.queuedAt >= 0) {
      queue.poll();
      head.queued = false;
      if (!head.timerArmed || head.state == Connection.CLOSED) {
        continue;
      }
      if (now - head.timerAt >= 0) {
        head.timerArmed = false;
        head.timerExpired(now);
      } else {
        head.queuedAt = head.timerAt; // re-armed later since it was queued
        head.queued = true;
        queue.add(head);
      }
    }
  }

  int size() {
    return queue.size();
  }
}
