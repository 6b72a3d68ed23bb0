package io.faketcp.peer.internal.faults;

import io.faketcp.peer.internal.Counters;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Internal, not API. The packets a peer's faults hold back (delayed or reordered, in either direction):
 * how many there are now, and waiting until none is ({@code FakePeer.awaitHeldPackets}). Any thread.
 */
public final class HeldPackets {
  /** How often {@link #await} looks again. */
  private static final long HELD_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Counters counters;
  private final FaultLayer faults;
  /** Whether the peer's thread still runs. */
  private final BooleanSupplier running;

  /** @param running whether the peer's thread still runs */
  public HeldPackets(Counters counters, FaultLayer faults, BooleanSupplier running) {
    this.counters = counters;
    this.faults = faults;
    this.running = running;
  }

  /** How many packets the faults hold back right now. */
  public int count() {
    return (int) counters.get(Counters.HELD);
  }

  /** Waits until no packet is held, at most until the last one held now is due plus {@code grace}. */
  public boolean await(java.time.Duration grace) {
    if (count() == 0) {
      return true;
    }
    long deadline = faults.heldUntil() + grace.toNanos();
    while (count() > 0) {
      if (System.nanoTime() - deadline >= 0 || !running.getAsBoolean()) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(HELD_POLL_NANOS);
    }
    return true;
  }
}
