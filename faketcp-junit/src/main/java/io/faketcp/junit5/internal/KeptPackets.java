package io.faketcp.junit5.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The packets a capture keeps, shared by {@link PcapCapture} and {@link PeerCapture}: at most a limit of
 * them, a count of all it was given and of those not kept for the limit. Thread-safe: the capture's
 * reading thread adds, the test's thread reads, clears and waits; every method holds this object's
 * monitor, and each added packet wakes the waiters.
 */
final class KeptPackets {
  private final List<CaptureRecord> records = new ArrayList<>();
  private final BooleanSupplier live;
  private int limit;
  private long total;
  private long overLimit;

  /**
   * {@code live} tells whether packets may still come (the owner's source is running); a wait for
   * more ends as soon as it is false. It is called holding this monitor, so it must not take a lock
   * that is held while calling into this object.
   */
  KeptPackets(BooleanSupplier live) {
    this.live = live;
  }

  /** How many packets to keep at most, from now on. */
  synchronized void limit(int limit) {
    this.limit = limit;
  }

  /** Counts one packet, keeps it while under the limit, and wakes the waiters. */
  synchronized void add(byte[] bytes, long epochNanos, boolean toSubnet) {
    total++;
    if (records.size() < limit) {
      records.add(new CaptureRecord(bytes, epochNanos, toSubnet));
    } else {
      overLimit++;
    }
    notifyAll();
  }

  /** Counts one packet without keeping it (read while the capture is not started), and wakes the waiters. */
  synchronized void count() {
    total++;
    notifyAll();
  }

  /** Wakes the waiters so that they look at {@code live} again: the owner's source has just stopped. */
  synchronized void wakeWaiters() {
    notifyAll();
  }

  /** Packets added in all, kept or not. */
  synchronized long total() {
    return total;
  }

  /**
   * Waits (bounded) until at least {@code count} packets have been added in all; true if they have.
   * Returns early when the source is no longer live or the thread is interrupted (keeping the flag).
   */
  synchronized boolean awaitTotal(long count, long timeoutNanos) {
    return awaitTotal(count, timeoutNanos, live);
  }

  /** As {@link #awaitTotal(long, long)}, ending early when {@code whileTrue} turns false instead. */
  synchronized boolean awaitTotal(long count, long timeoutNanos, BooleanSupplier whileTrue) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (total < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !whileTrue.getAsBoolean()) {
        return total >= count;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return total >= count;
      }
    }
    return true;
  }

  /** The packets kept so far (a copy of the list). */
  synchronized List<CaptureRecord> records() {
    return new ArrayList<>(records);
  }

  /** Packets not kept because the limit was reached. */
  synchronized long overLimit() {
    return overLimit;
  }

  /** Forgets the packets kept so far and the over-limit count; the total stays. */
  synchronized void clear() {
    records.clear();
    overLimit = 0;
  }
}
