package io.faketcp.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * When a bandwidth fault's link was idle during a transfer: from each packet it delayed (when the
 * fault saw it, and how long it held it), the time between the link going free and the next packet
 * reaching the fault. Idle time while the sender had data is what a transfer loses against its rate.
 */
final class LinkTimeline {
  private long[] seen = new long[1 << 16];
  private long[] leaves = new long[1 << 16];
  private int size;

  /** A packet the fault saw at {@code now} (nanoTime) and held {@code delay} ns. Peer thread. */
  synchronized void delayed(long now, long delay) {
    if (size == seen.length) {
      seen = Arrays.copyOf(seen, size * 2);
      leaves = Arrays.copyOf(leaves, size * 2);
    }
    seen[size] = now;
    leaves[size++] = now + delay;
  }

  /** Forgets the packets seen so far. */
  synchronized void clear() {
    size = 0;
  }

  /** The transfer's timeline from {@code start} to {@code end} (nanoTime), in ms. */
  synchronized String report(long start, long end) {
    if (size == 0) {
      return "timeline: no packet delayed";
    }
    StringBuilder b = new StringBuilder();
    double[] idleBy = new double[10];
    long bucket = Math.max(1, (end - start) / idleBy.length);
    double idle = 0;
    long free = seen[0];
    for (int i = 0; i < size; i++) {
      if (seen[i] - free > 0) {
        double gap = (seen[i] - free) / 1e6;
        idle += gap;
        int at = (int) Math.min(idleBy.length - 1, Math.max(0, (free - start) / bucket));
        idleBy[at] += gap;
      }
      free = Math.max(free, leaves[i]);
    }
    b.append(String.format(Locale.ROOT,
        "timeline packets %d first-seen-ms %.2f idle-ms %.2f last-leaves-ms %.2f end-ms %.2f idle-by-tenth",
        size, (seen[0] - start) / 1e6, idle, (free - start) / 1e6, (end - start) / 1e6));
    for (double d : idleBy) {
      b.append(String.format(Locale.ROOT, " %.1f", d));
    }
    return b.toString();
  }
}
