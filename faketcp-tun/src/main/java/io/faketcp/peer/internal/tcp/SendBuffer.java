package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * A connection's send queue: a fixed-size byte ring holding every byte from SND.UNA on, sent or not,
 * until the host acknowledges it (so it can be sent again).
 */
final class SendBuffer {
  private final byte[] ring;
  private int head;
  private int size;

  SendBuffer(int capacity) {
    ring = new byte[capacity];
  }

  int size() {
    return size;
  }

  int free() {
    return ring.length - size;
  }

  /** Appends as much of {@code [position, limit)} of {@code source} as fits, advancing its position. */
  int append(ByteBuffer source) {
    int length = Math.min(source.remaining(), free());
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

  /** Drops the first {@code length} bytes (acknowledged by the host). */
  void drop(int length) {
    head = (head + length) % ring.length;
    size -= length;
  }
}
