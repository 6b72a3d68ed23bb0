package io.faketcp.peer;

import java.nio.ByteBuffer;

/** A fixed-size byte ring holding what an ECHO connection received and has not yet sent back. */
final class EchoBuffer {
  private final byte[] ring;
  private int head;
  private int size;

  EchoBuffer(int capacity) {
    ring = new byte[capacity];
  }

  int size() {
    return size;
  }

  int free() {
    return ring.length - size;
  }

  /** Appends {@code length} bytes of {@code source} from absolute {@code offset}; caller checks {@link #free()}. */
  void append(ByteBuffer source, int offset, int length) {
    int tail = (head + size) % ring.length;
    int first = Math.min(length, ring.length - tail);
    source.get(offset, ring, tail, first);
    if (first < length) {
      source.get(offset + first, ring, 0, length - first);
    }
    size += length;
  }

  /** Removes the first {@code length} bytes into {@code target} at its position. */
  void take(byte[] target, int length) {
    int first = Math.min(length, ring.length - head);
    System.arraycopy(ring, head, target, 0, first);
    if (first < length) {
      System.arraycopy(ring, 0, target, first, length - first);
    }
    head = (head + length) % ring.length;
    size -= length;
  }
}
