package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct buffers of send queues that grew and were left ({@link SendBuffer}), kept for the next
 * ones, up to {@value #KEPT} bytes in all. A new direct buffer costs its pages twice (zeroed by the
 * JVM, then faulted in by the kernel as they are first written): a connection whose queue grows to
 * 4 MiB allocates about 8 MiB on the way, which a bulk transfer of 100 MB felt. Peer thread only.
 */
final class RingPool {
  /** Bytes kept at most: two queues at their largest. */
  static final int KEPT = 2 * TcpSender.SEND_BUFFER;
  private final ArrayDeque<ByteBuffer> rings = new ArrayDeque<>();
  private long kept;

  /** A direct buffer of {@code capacity} bytes (its content arbitrary): a kept one if there is one. */
  ByteBuffer take(int capacity) {
    for (java.util.Iterator<ByteBuffer> i = rings.iterator(); i.hasNext(); ) {
      ByteBuffer ring = i.next();
      if (ring.capacity() == capacity) {
        i.remove();
        kept -= capacity;
        return ring;
      }
    }
    return ByteBuffer.allocateDirect(capacity);
  }

  /** {@code ring} is no longer used: kept while the pool has room, the oldest kept ones dropped for it. */
  void give(ByteBuffer ring) {
    if (!ring.isDirect() || ring.capacity() > KEPT) {
      return;
    }
    while (kept + ring.capacity() > KEPT) {
      kept -= rings.removeFirst().capacity();
    }
    rings.addLast(ring);
    kept += ring.capacity();
  }

  /** Bytes kept now (test access). */
  long kept() {
    return kept;
  }
}
