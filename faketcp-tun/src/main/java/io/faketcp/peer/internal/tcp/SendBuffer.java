package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * A connection's send queue: a byte ring holding every byte from SND.UNA on, sent or not, until the
 * host acknowledges it (so it can be sent again). It holds up to its limit but grows into it with use,
 * as Linux's send buffer does: the ring starts at {@value #INITIAL} bytes (or the limit, if smaller)
 * and doubles when an append needs more room, so a connection that sends little keeps a small ring.
 * A ring grown past {@value #INITIAL} bytes is a direct buffer: a connection carrying that much is a
 * bulk one, and its segments' payloads are then written to the device from the ring itself, without a
 * copy behind the headers ({@link #view}).
 *
 * <p>It also remembers the internet checksum sums of pieces appended whole with a known sum (an
 * echoed segment's payload, whose sum its verified checksum gave): a segment sent later over exactly
 * such pieces is checksummed from them ({@link #sum}) instead of from its bytes.
 */
final class SendBuffer {
  static final int INITIAL = 64 * 1024;
  private final int limit;
  /** Where direct rings come from and go back to. */
  private final RingPool pool;
  /** A heap buffer while it is small, a direct one once it grows past {@value #INITIAL} bytes. */
  private ByteBuffer ring;
  /** A buffer over the ring, for {@link #view}; replaced when the ring grows. */
  private ByteBuffer view;
  private int head;
  private int size;
  /** Bytes appended since the start (mod 2^32): the stream position of the ring's tail. */
  private int appended;
  // The known sums, oldest first, in a ring of entries: the piece's stream position, length, sum. The
  // ring starts at SUMS_FIRST entries and doubles while full, up to SUMS_MOST: as many as a full queue
  // holds of segments from MTU 9,000 up (4 MiB of 8,948-byte pieces), so that a bulk connection whose
  // host reads slowly still finds every queued piece's sum (at 64 entries the 65th of a full queue at
  // MTU 65,535 was forgotten: the sender summed that segment's 64 KiB again, and the miss made the JVM
  // compile TcpSender.output anew in the middle of a fresh JVM's transfer).
  private static final int SUMS_FIRST = 16;
  private static final int SUMS_MOST = 512;
  private int[] sumStart;
  private int[] sumLength;
  private int[] sumValue;
  private int sumFirst;
  private int sumCount;

  SendBuffer(int limit, RingPool pool) {
    if (limit <= 0) {
      throw new IllegalArgumentException("send buffer limit " + limit + " must be positive");
    }
    this.limit = limit;
    this.pool = pool;
    ring = ByteBuffer.allocate(Math.min(limit, INITIAL));
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
    return ring.capacity();
  }

  /** Whether the ring is a direct buffer (test access). */
  boolean isDirect() {
    return ring.isDirect();
  }

  /** Appends as much of {@code [position, limit)} of {@code source} as fits, advancing its position. */
  int append(ByteBuffer source) {
    int length = Math.min(source.remaining(), free());
    if (size + length > ring.capacity()) {
      grow(size + length);
    }
    int tail = (head + size) % ring.capacity();
    int first = Math.min(length, ring.capacity() - tail);
    int from = source.position();
    ring.put(tail, source, from, first);
    if (first < length) {
      ring.put(0, source, from + first, length - first);
    }
    source.position(from + length);
    size += length;
    appended += length;
    return length;
  }

  /**
   * {@link #append(ByteBuffer)}, and when all of {@code source} fits, remembers that its bytes sum
   * to {@code sum} (the 16-bit one's complement sum, folded, as RFC 1071 adds words).
   */
  int append(ByteBuffer source, int sum) {
    int whole = source.remaining();
    int start = appended;
    int length = append(source);
    if (length == whole && length > 0) {
      if (sumStart == null) {
        sumStart = new int[SUMS_FIRST];
        sumLength = new int[SUMS_FIRST];
        sumValue = new int[SUMS_FIRST];
      } else if (sumCount == sumStart.length) {
        if (sumCount < SUMS_MOST) {
          growSums();
        } else {
          sumFirst = slot(1); // the oldest goes
          sumCount--;
        }
      }
      int i = slot(sumCount);
      sumStart[i] = start;
      sumLength[i] = length;
      sumValue[i] = sum;
      sumCount++;
    }
    return length;
  }

  /** The index of the {@code k}th known sum from the oldest. */
  private int slot(int k) {
    return (sumFirst + k) & (sumStart.length - 1);
  }

  /** The ring of known sums doubles, the oldest first at index 0. */
  private void growSums() {
    int[] start = new int[sumStart.length * 2];
    int[] length = new int[start.length];
    int[] value = new int[start.length];
    for (int k = 0; k < sumCount; k++) {
      start[k] = sumStart[slot(k)];
      length[k] = sumLength[slot(k)];
      value[k] = sumValue[slot(k)];
    }
    sumStart = start;
    sumLength = length;
    sumValue = value;
    sumFirst = 0;
  }

  /**
   * The folded sum of the {@code length} bytes from {@code offset} bytes past the head when they are
   * exactly pieces appended with a known sum, one after another; -1 otherwise (sum the bytes).
   */
  int sum(int offset, int length) {
    int headAt = appended - size;
    int at = headAt + offset;
    while (sumCount > 0 && sumStart[sumFirst] + sumLength[sumFirst] - headAt <= 0) {
      sumFirst = slot(1); // acknowledged and dropped
      sumCount--;
    }
    if (sumCount == 0) {
      return -1;
    }
    int k = sumCount - 1; // the newest: an echo sends what it just queued
    if (sumStart[slot(k)] != at) {
      k = find(at);
      if (k < 0) {
        return -1;
      }
    }
    // This loop ends on the entries' own tests, not on a count: written as a counted loop (k <
    // sumCount), a search loop here failed a loop-limit check that C2 compiles into TcpSender.output,
    // which the JVM then compiled again (its largest method on the send path) in mid-transfer.
    long total = 0;
    int covered = 0;
    while (covered < length) {
      int i = slot(k);
      if (k == sumCount || sumStart[i] != at + covered) {
        return -1;
      }
      int value = sumValue[i];
      total += (covered & 1) == 0 ? value : (value >>> 8 | value << 8) & 0xffff; // an odd start swaps the bytes
      covered += sumLength[i];
      k++;
    }
    return covered == length ? fold(total) : -1;
  }

  /**
   * The known sum whose piece starts at stream position {@code at}, counted from the oldest, or -1:
   * a binary search, the pieces being in stream order (a queue held back by the host's window holds
   * hundreds, and a burst sends them one segment after another).
   */
  private int find(int at) {
    int low = 0;
    int high = sumCount - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      int distance = sumStart[slot(middle)] - at; // the queue spans less than 2^31 bytes: no wrap in between
      if (distance == 0) {
        return middle;
      }
      if (distance < 0) {
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return -1;
  }

  /** {@code sum} folded to 16 bits with end-around carries. */
  static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  /** Copies {@code length} bytes from {@code offset} bytes past the head into {@code target[0..]}. */
  void copy(int offset, byte[] target, int length) {
    int start = (head + offset) % ring.capacity();
    int first = Math.min(length, ring.capacity() - start);
    ring.get(start, target, 0, first);
    if (first < length) {
      ring.get(0, target, first, length - first);
    }
  }

  /**
   * {@code length} bytes from {@code offset} bytes past the head as a buffer over the ring, when they
   * do not wrap around its end (else null: {@link #copy} them); valid until the queue next changes.
   * A segment's payload is then built from here, without a copy in between; from a direct ring the
   * device can write it where it is.
   */
  ByteBuffer view(int offset, int length) {
    int start = (head + offset) % ring.capacity();
    if (start + length > ring.capacity()) {
      return null;
    }
    if (view == null) {
      view = ring.duplicate();
    }
    view.clear().position(start).limit(start + length);
    return view;
  }

  /**
   * The queue is left for good (its connection closed): its ring goes back to the pool, and the queue
   * is not to be used again (its owner drops it).
   */
  void release() {
    pool.give(ring);
    ring = null;
    view = null;
    size = 0;
  }

  /** Drops the first {@code length} bytes (acknowledged by the host). */
  void drop(int length) {
    head = (head + length) % ring.capacity();
    size -= length;
  }

  /**
   * A ring of at least {@code needed} bytes (doubling, at most the limit), the queued bytes first;
   * direct past {@value #INITIAL} bytes.
   */
  private void grow(int needed) {
    int capacity = ring.capacity();
    while (capacity < needed) {
      capacity = (int) Math.min(limit, 2L * capacity);
    }
    ByteBuffer next = capacity > INITIAL ? pool.take(capacity) : ByteBuffer.allocate(capacity);
    int first = Math.min(size, ring.capacity() - head);
    next.put(0, ring, head, first);
    next.put(first, ring, 0, size - first);
    pool.give(ring);
    ring = next;
    view = null;
    head = 0;
  }
}
