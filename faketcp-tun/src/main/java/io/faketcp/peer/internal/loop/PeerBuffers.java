package io.faketcp.peer.internal.loop;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, not API. The native buffers a peer reads into and writes from (64 KiB each: no packet is larger), handed from
 * one peer to the next. Allocating a direct buffer costs 0.3 ms of CPU here (the memory is mapped and
 * zeroed anew each time), so a fixture that starts a peer per test would pay a millisecond for three;
 * a set comes back once its peer's thread has ended and nothing can touch it any more.
 */
public final class PeerBuffers {
  static final int SIZE = 65536;
  /** More sets than peers ever run at once in a test JVM; beyond it a set is left to the GC. */
  private static final int KEPT = 8;
  private static final ConcurrentLinkedDeque<PeerBuffers> FREE = new ConcurrentLinkedDeque<>();
  private static final AtomicInteger FREE_COUNT = new AtomicInteger();

  /** What the peer thread reads the device into. */
  final ByteBuffer in;
  /** Where {@link Wire} builds the next packet. */
  final ByteBuffer out;
  /** Where {@link Wire} copies packets written later (delayed, duplicated). */
  final ByteBuffer later;

  private PeerBuffers() {
    in = ByteBuffer.allocateDirect(SIZE);
    out = ByteBuffer.allocateDirect(SIZE);
    later = ByteBuffer.allocateDirect(SIZE);
  }

  /** A free set, or a new one; cleared (the bytes of the peer before are there, but every use writes first). */
  public static PeerBuffers take() {
    PeerBuffers b = FREE.pollFirst(); // the last given back: its pages are the likeliest to be resident
    if (b == null) {
      return new PeerBuffers();
    }
    FREE_COUNT.decrementAndGet();
    b.in.clear();
    b.out.clear();
    b.later.clear();
    return b;
  }

  /** Gives the set back; its owner must not touch it any more. */
  void release() {
    if (FREE_COUNT.incrementAndGet() <= KEPT) {
      FREE.addFirst(this);
    } else {
      FREE_COUNT.decrementAndGet();
    }
  }
}
