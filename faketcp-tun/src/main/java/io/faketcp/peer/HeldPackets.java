package io.faketcp.peer;

import io.faketcp.peer.internal.Counters;
import java.util.concurrent.TimeUnit;

/**
 * The packets a peer's faults hold back (delayed or reordered, in either direction): how many there are
 * now, and waiting until none is ({@link FakePeer#awaitHeldPackets}). Any thread.
 */
final class HeldPackets {
  /** How often {@link #await} looks again. */
  private static final long HELD_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Counters counters;
  private final FaultLayer faults;
  private final PeerTasks tasks;

  HeldPackets(Counters counters, FaultLayer faults, PeerTasks tasks) {
    this.counters = counters;
    this.faults = faults;
    this.tasks = tasks;
  }

  /** How many packets the faults hold back right now. */
  int count() {
    return (int) counters.get(Counters.HELD);
  }

  /** Waits until no packet is held, at most until the last one held now is due plus {@code grace}. */
  boolean await(java.time.Duration grace) {
    if (count() == 0) {
      return true;
    }
    long deadline = faults.heldUntil() + grace.toNanos();
    while (count() > 0) {
      if (System.nanoTime() - deadline >= 0 || !tasks.isRunning()) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(HELD_POLL_NANOS);
    }
    return true;
  }
}
