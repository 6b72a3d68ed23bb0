package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * A connection's send queue: a byte ring holding every byte from SND.UNA on, sent or not, until the
 * host acknowledges it (so it can be sent again). It holds up to its limit but grows into it with use,
 * as Linux's send buffer does: the ring starts at {@value #INITIAL} bytes (or the limit, if smaller)
 * and doubles when an append needs more room, so a connection that sends little keeps a small ring.
 */
final class SendBuffer {
  static final int INITIAL = 64 * 1024;
  private final int limit;
  private byte[] ring;
  /** A buffer over the ring, for {@link #view}; replaced when the ring grows. */
  private ByteBuffer view;
  private int head;
  private int size;

  SendBuffer(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("send buffer limit " + limit + " must be positive");
    }
    this.limit = limit;
    ring = new byte[Math.min(limit, INITIAL)];
  }

  int size() {
    return size;
  }

  /** Bytes that may still be appended (up to the limit, whatever the ring holds now). */
  int free() {
    return limit - size;
  }

  /** The ring's length now (test access). */
  int capacity() {
    return ring.length;
  }

  /** Appends as much of {@code [position, limit)} of {@code source} as fits, advancing its position. */
  int append(ByteBuffer source) {
    int length = Math.min(source.remaining(), free());
    if (size + length > ring.length) {
      grow(size + length);
    }
    int tail = (head + size) % ring.length;
    int first = Math.min(length, ring.length - tail);
    source.get(ring, tail, first);
    if (first < length) {
      source.get(ring, 0, length - first);
    }
    size += length;
    return length;
  }

  /** Copies {@code length} bytes from {@code offset} bytes past the head into {@code target[0..]}. */
  void copy(int offset, byte[] target, int length) {
    int start = (head + offset) % ring.length;
    int first = Math.min(length, ring.length - start);
    System.arraycopy(ring, start, target, 0, first);
    if (first < length) {
      System.arraycopy(ring, 0, target, first, length - first);
    }
  }

  /**
   * {@code length} bytes from {@code offset} bytes past the head as a buffer over the ring, when they
   * do not wrap around its end (else null: {@link #copy} them); valid until the queue next changes.
   * A segment's payload is then written to the wire from here, without a copy in between.
   */
  ByteBuffer view(int offset, int length) {
    int start = (head + offset) % ring.length;
    if (start + length > ring.length) {
      return null;
    }
    if (view == null || view.array() != ring) {
      view = ByteBuffer.wrap(ring);
    }
    view.clear().position(start).limit(start + length);
    return view;
  }

  /** Drops the first {@code length} bytes (acknowledged by the host). */
  void drop(int length) {
    head = (head + length) % ring.length;
    size -= length;
  }

  /** A ring of at least {@code needed} bytes (doubling, at most the limit), the queued bytes first. */
  private void grow(int needed) {
    int capacity = ring.length;
    while (capacity < needed) {
      capacity = (int) Math.min(limit, 2L * capacity);
    }
    byte[] next = new byte[capacity];
    copy(0, next, size);
    ring = next;
    head = 0;
  }
}
