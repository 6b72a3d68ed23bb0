package io.faketcp.peer.internal.servers;

import java.nio.ByteBuffer;

/**
 * A byte ring of bounded capacity whose array grows on demand (from 2 KiB, doubling), so that a
 * connection that carries a few bytes costs a few bytes; {@link #release()} gives the array back.
 * Lock held by every caller of its methods but the static copies: a put {@link #reserve reserves}
 * the free space past the content, copies outside the lock and {@link #commitPut commits}; a take
 * copies the content outside the lock and {@link #commitTake commits}; one of each at a time.
 */
final class Ring {
  private static final byte[] NONE = new byte[0];
  private static final int FIRST = 2048;
  int capacity;
  byte[] bytes = NONE;
  int head;
  int size;
  /** Counts {@link #release()}s: a copy begun before one is not committed. */
  int epoch;
  /** A put is between {@link #reserve} and {@link #commitPut}: the head stays where it is. */
  private boolean putting;

  Ring(int capacity) {
    this.capacity = capacity;
  }

  int free() {
    return capacity - size;
  }

  /** The capacity grows by {@code bytes}, to {@code limit} at most (the array follows on demand). */
  void grow(int bytes, int limit) {
    capacity = (int) Math.min(limit, (long) capacity + bytes);
  }

  /** Makes room in the array for {@code total} bytes (at most the capacity), keeping the content. */
  private void ensure(int total) {
    if (total <= bytes.length) {
      return;
    }
    int length = Math.min(capacity, Math.max(total, Math.max(FIRST, bytes.length * 2)));
    byte[] grown = new byte[length];
    int first = Math.min(size, bytes.length - head);
    System.arraycopy(bytes, head, grown, 0, first);
    System.arraycopy(bytes, 0, grown, first, size - first);
    bytes = grown;
    head = 0;
  }

  /** Appends {@code n} bytes from {@code source}'s position; the caller checked {@link #free()}. */
  void put(ByteBuffer source, int n) {
    int tail = reserve(n);
    copyIn(source, n, bytes, tail);
    commitPut(n, epoch);
  }

  /** Appends as much of {@code b[off, off+len)} as fits; returns the count. */
  int put(byte[] b, int off, int len) {
    int n = Math.min(len, free());
    if (n == 0) {
      return 0;
    }
    int tail = reserve(n);
    copy(b, off, bytes, tail, n);
    commitPut(n, epoch);
    return n;
  }

  /** Removes up to {@code len} bytes into {@code b[off...]}; returns the count. */
  int take(byte[] b, int off, int len) {
    int n = Math.min(len, size);
    if (n == 0) {
      return 0;
    }
    copyOut(bytes, head, b, off, n);
    commitTake(n, epoch);
    return n;
  }

  void skip(int n) {
    size -= n;
    head = size == 0 && !putting ? 0 : (head + n) % bytes.length;
  }

  /**
   * Makes room in the array for {@code n} more bytes (the caller checked {@link #free()}) and
   * returns the index where they go (they may wrap around the end); {@link #commitPut} adds them.
   */
  int reserve(int n) {
    ensure(size + n);
    putting = true;
    return bytes.length == 0 ? 0 : (head + size) % bytes.length;
  }

  /** The {@code n} reserved bytes are in: true unless the ring was released meanwhile. */
  boolean commitPut(int n, int since) {
    putting = false;
    if (epoch != since) {
      return false;
    }
    size += n;
    return true;
  }

  /** The first {@code n} bytes, copied out, go: true unless the ring was released meanwhile. */
  boolean commitTake(int n, int since) {
    if (epoch != since) {
      return false;
    }
    skip(n);
    return true;
  }

  /** Copies {@code n} bytes from {@code source}'s position into {@code bytes} at {@code tail}, wrapping. */
  static void copyIn(ByteBuffer source, int n, byte[] bytes, int tail) {
    int first = Math.min(n, bytes.length - tail);
    source.get(bytes, tail, first);
    if (first < n) {
      source.get(bytes, 0, n - first);
    }
  }

  /** Copies {@code n} bytes from {@code from} at {@code start} into {@code to} at {@code at}, each wrapping at its end. */
  static void copy(byte[] from, int start, byte[] to, int at, int n) {
    while (n > 0) {
      int k = Math.min(n, Math.min(from.length - start, to.length - at));
      System.arraycopy(from, start, to, at, k);
      start = start + k == from.length ? 0 : start + k;
      at = at + k == to.length ? 0 : at + k;
      n -= k;
    }
  }

  /** Copies {@code n} bytes from {@code bytes} at {@code head}, wrapping, into {@code b[off...]}. */
  static void copyOut(byte[] bytes, int head, byte[] b, int off, int n) {
    int first = Math.min(n, bytes.length - head);
    System.arraycopy(bytes, head, b, off, first);
    if (first < n) {
      System.arraycopy(bytes, 0, b, off + first, n - first);
    }
  }

  void clear() {
    head = 0;
    size = 0;
  }

  /** Empties the ring and drops its array; a copy under way is not committed. */
  void release() {
    clear();
    bytes = NONE;
    epoch++;
  }
}
