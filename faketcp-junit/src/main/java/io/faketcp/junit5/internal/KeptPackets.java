package io.faketcp.junit5.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The packets a capture keeps, shared by {@link PcapCapture} and {@link PeerCapture}: as much of them as
 * its {@link CaptureLimits} allow (whole, cut to the snap length, headers only once whole packets have
 * used their part of the budget), a count of all it was given, of those not kept for the packet limit or the budget, and
 * of those kept cut. Thread-safe: the capture's
 * reading thread adds, the test's thread reads, clears and waits; every method holds this object's
 * monitor, and each added packet wakes the waiters.
 */
final class KeptPackets {
  private final List<CaptureRecord> records = new ArrayList<>();
  private final BooleanSupplier live;
  private CaptureLimits limits = CaptureLimits.packets(0);
  private long total;
  private long overLimit;
  private long overBudget;
  private long truncated;
  /** What the kept packets count against the budget: their bytes plus the overhead of each. */
  private long keptBytes;
  /** Whole packets have used their part of the budget: from now on (until {@link #clear}) headers only. */
  private boolean headersOnly;

  /**
   * {@code live} tells whether packets may still come (the owner's source is running); a wait for
   * more ends as soon as it is false. It is called holding this monitor, so it must not take a lock
   * that is held while calling into this object.
   */
  KeptPackets(BooleanSupplier live) {
    this.live = live;
  }

  /** How many packets to keep at most, from now on, with the default snap length and budget. */
  synchronized void limit(int limit) {
    limits(CaptureLimits.packets(limit));
  }

  /** What to keep, from now on. */
  synchronized void limits(CaptureLimits limits) {
    this.limits = limits;
  }

  /**
   * Counts one packet, keeps what the limits allow of it, and wakes the waiters; {@code bytes} itself is
   * kept when the packet is kept whole.
   */
  synchronized void add(byte[] bytes, long epochNanos, boolean toSubnet) {
    add(bytes, ByteBuffer.wrap(bytes), bytes.length, epochNanos, toSubnet);
  }

  /**
   * As {@link #add(byte[], long, boolean)} for a packet that was {@code length} bytes long on the wire, of
   * which {@code bytes} may be only the first ones (the kernel cut it): what is missing is kept as cut, for the
   * budget when fewer bytes came than the snap length keeps, for the snap length otherwise.
   */
  synchronized void add(byte[] bytes, int length, long epochNanos, boolean toSubnet) {
    add(bytes, ByteBuffer.wrap(bytes), Math.max(length, bytes.length), epochNanos, toSubnet);
  }

  /**
   * Counts the packet in {@code packet[position, limit)}, keeps a copy of what the limits allow of it
   * (the buffer is not changed), and wakes the waiters.
   */
  synchronized void add(ByteBuffer packet, long epochNanos, boolean toSubnet) {
    add(null, packet, packet.remaining(), epochNanos, toSubnet);
  }

  private void add(byte[] array, ByteBuffer packet, int length, long epochNanos, boolean toSubnet) {
    total++;
    notifyAll();
    if (records.size() >= limits.packets()) {
      overLimit++;
      return;
    }
    int keep = Math.min(length, limits.snapLength());
    CaptureRecord.Cut cut = keep < length ? CaptureRecord.Cut.SNAP_LENGTH : CaptureRecord.Cut.NONE;
    if (headersOnly || keptBytes + keep + CaptureLimits.PACKET_OVERHEAD > limits.wholePacketBytes()) {
      headersOnly = true;
      int headers = Math.min(keep, PacketHeaders.length(packet));
      if (keptBytes + headers + CaptureLimits.PACKET_OVERHEAD > limits.budget()) {
        overBudget++;
        return;
      }
      if (headers < keep) {
        keep = headers;
        cut = CaptureRecord.Cut.BUDGET;
      }
    }
    int captured = packet.remaining();
    if (captured < keep) { // the kernel cut it: to the snap length, or to headers for the budget
      keep = captured;
      cut = captured < limits.snapLength() ? CaptureRecord.Cut.BUDGET : CaptureRecord.Cut.SNAP_LENGTH;
    }
    byte[] kept = array != null && keep == array.length ? array : new byte[keep];
    if (kept != array) {
      packet.get(packet.position(), kept);
    }
    records.add(new CaptureRecord(kept, epochNanos, toSubnet, length, cut));
    keptBytes += keep + CaptureLimits.PACKET_OVERHEAD;
    if (cut != CaptureRecord.Cut.NONE) {
      truncated++;
    }
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

  /** Packets not kept because the budget was used up. */
  synchronized long overBudget() {
    return overBudget;
  }

  /** Packets kept cut: by the snap length, or to their headers by the budget. */
  synchronized long truncated() {
    return truncated;
  }

  /** What the kept packets count against the budget: their bytes plus {@link CaptureLimits#PACKET_OVERHEAD} each. */
  synchronized long keptBytes() {
    return keptBytes;
  }

  /**
   * Whether only headers are kept from now on: whole packets have used their three quarters of the budget
   * (until {@link #clear}).
   */
  synchronized boolean headersOnly() {
    return headersOnly;
  }

  /** The limits in force. */
  synchronized CaptureLimits limits() {
    return limits;
  }

  /** Forgets the packets kept so far and the counts of what was not kept or cut, freeing the budget; the total stays. */
  synchronized void clear() {
    records.clear();
    overLimit = 0;
    overBudget = 0;
    truncated = 0;
    keptBytes = 0;
    headersOnly = false;
  }
}
