package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output side of a {@link ServerSession}: the server's thread writes into a ring through this
 * stream, and the peer thread drains the ring into the endpoint's send queue ({@link #drain}).
 *
 * <p>A write copies into a ring of {@value ServerSession#OUTPUT_CAPACITY} bytes that grows by every
 * byte the endpoint takes, up to {@value ServerSession#OUTPUT_LIMIT} bytes, and blocks while it is
 * full. The writer sums the bytes in checksum blocks as it copies them ({@link BlockSums}), so that
 * the endpoint need not sum them again. The drain (run by the session's pump, or when the endpoint
 * reports room) moves bytes into the send queue as far as it has room, both parts of the ring at
 * once so that the endpoint cuts full segments, and queues the FIN once the server shut its output
 * down and every byte is queued.
 *
 * <p>State guarded by the session's lock, as the session describes; the drain's own fields are the
 * peer thread's.
 */
final class SessionOutput extends OutputStream {
  private final ServerSession session;
  private final ReentrantLock lock;
  final Ring ring = new Ring(ServerSession.OUTPUT_CAPACITY);
  final Condition changed;
  /** The sums, added by the writing thread (one at a time), read by the peer thread. */
  private final BlockSums sums = new BlockSums();
  /**
   * Whether the writers sum their bytes: not where the device completes the checksums, whose
   * endpoint sums a payload itself the rare time it needs the sum. Set before the server's thread starts.
   */
  private boolean summing = true;

  // Guarded by the session's lock.
  boolean shut;
  /** A server thread is copying into the ring (one at a time). */
  private boolean writing;

  // Peer thread only.
  private ByteBuffer view;
  /** The ring's part past its end, from index 0: {@link #view}'s sequel. */
  private ByteBuffer wrapped;
  /** A drain is sending (the endpoint may report room meanwhile: that drain is folded in). */
  private boolean draining;
  private boolean drainAgain;
  private boolean finQueued;

  SessionOutput(ServerSession session) {
    this.session = session;
    this.lock = session.lock;
    this.changed = lock.newCondition();
  }

  // ---- the server's threads ----

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n = writeSome(b, off, len);
      off += n;
      len -= n;
    }
  }

  /**
   * Copies up to {@code len} bytes from {@code from} at {@code start} (wrapping at its end: it may be
   * a ring's array) into the ring as far as it has room, waiting while it is full; the count, at
   * least 1. Lock not held.
   */
  int writeSome(byte[] from, int start, int len) throws IOException {
    int n;
    int tail;
    int epoch;
    byte[] bytes;
    while (true) {
      lock.lock();
      try {
        while (!hasRoom()) {
          session.await(changed); // full, or another thread of the server is writing
        }
        n = Math.min(len, ring.free());
        tail = reserve(n);
        bytes = ring.bytes;
        epoch = ring.epoch;
      } finally {
        lock.unlock();
      }
      boolean done = false;
      try {
        Ring.copy(from, start, bytes, tail, n); // the peer thread only takes bytes before these meanwhile
        addSums(from, start, n); // before the commit: the peer thread sends them only after it
        done = true;
      } finally {
        if (!done) {
          lock.lock();
          try {
            put(0, epoch);
          } finally {
            lock.unlock();
          }
        }
      }
      lock.lock();
      try {
        if (put(n, epoch)) {
          return n;
        }
      } finally {
        lock.unlock();
      }
      // released meanwhile (reset, closed): the next pass says why
    }
  }

  /** As a socket's stream: closing it closes the connection. */
  @Override
  public void close() {
    session.close();
  }

  /**
   * Whether a writer may reserve room now (there is some, and no other thread is writing); throws
   * once the server may no longer write. Lock held.
   */
  boolean hasRoom() throws SocketException {
    session.checkNotGone();
    if (shut) {
      throw new SocketException("connection " + session + ": output was shut down by the server");
    }
    return ring.free() > 0 && !writing;
  }

  /** Whether the writers sum their bytes in blocks ({@link BlockSums}); called once, before the server's thread starts. */
  void summing(boolean on) {
    summing = on;
  }

  /** Reserves {@code n} bytes of room ({@link #hasRoom} said there is) for this writer; where they go. Lock held. */
  int reserve(int n) {
    writing = true;
    return ring.reserve(n);
  }

  /** Sums {@code n} bytes of {@code from} from {@code start}, wrapping at its end, as the output's next. */
  void addSums(byte[] from, int start, int n) {
    if (!summing) {
      return;
    }
    int first = Math.min(n, from.length - start);
    sums.add(from, start, first);
    if (first < n) {
      sums.add(from, 0, n - first);
    }
  }

  /**
   * The writer copied {@code n} bytes into the room it reserved (0: none): they are in unless the
   * ring was released meanwhile; true if so. Lock held.
   */
  boolean put(int n, int epoch) {
    writing = false;
    changed.signalAll(); // another writer may go on
    if (ring.commitPut(n, epoch) && n > 0) {
      session.schedulePump();
      return true;
    }
    return false;
  }

  /** The server shuts its output down: FIN after every byte written. Lock held. */
  void shutDown() {
    if (!shut) {
      shut = true;
      changed.signalAll();
      session.schedulePump();
    }
  }

  /**
   * The peer thread is to hand the host's bytes to the endpoint itself ({@link SessionInput}'s
   * splice): only while the ring is empty, nobody writes and the output is not shut down; writers
   * wait until {@link #spliced}. False when it may not. Lock held.
   */
  boolean startSplice() {
    if (shut || writing || ring.size > 0) {
      return false;
    }
    writing = true;
    return true;
  }

  /** The splice queued {@code n} bytes in the endpoint, past the ring and the sums. Lock held. */
  void spliced(int n) {
    sums.skip(n);
    writing = false;
    changed.signalAll();
  }

  /** Drops the ring and what it holds; writers wake to see why. Lock held. */
  void release() {
    ring.release();
    changed.signalAll();
  }

  // ---- the peer thread ----

  /** The sum of block {@code block} of the output, or -1 ({@link BlockSums#sum}). */
  int blockSum(int block) {
    return sums.sum(block);
  }

  /**
   * Moves the ring's bytes into the endpoint's send queue; FIN once the server shut down and all is
   * queued. Lock not held: the endpoint copies and sends outside it. A call while a drain sends (the
   * endpoint reporting room) makes that drain look again.
   */
  void drain() {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        if (!drainOnce()) {
          return;
        }
      } while (drainAgain);
    } finally {
      draining = false;
    }
  }

  /** One pass of {@link #drain()}; false once the connection is reset or closed. */
  private boolean drainOnce() {
    int size;
    int head;
    int epoch;
    byte[] bytes;
    boolean fin;
    Endpoint endpoint;
    lock.lock();
    try {
      endpoint = session.endpoint;
      if (session.closed || session.resetRequested || endpoint == null) {
        return false;
      }
      size = ring.size;
      head = ring.head;
      epoch = ring.epoch;
      bytes = ring.bytes;
      fin = shut && size == 0 && !finQueued && !writing;
      if (fin) {
        finQueued = true;
      }
    } finally {
      lock.unlock();
    }
    if (fin) {
      endpoint.shutdownOutput();
      return true;
    }
    if (size == 0 || endpoint.sendRoom() <= 0) {
      return true;
    }
    if (view == null || view.array() != bytes) {
      view = ByteBuffer.wrap(bytes); // the ring grew
      wrapped = ByteBuffer.wrap(bytes);
    }
    int first = Math.min(size, bytes.length - head);
    view.limit(head + first).position(head);
    wrapped.limit(size - first).position(0);
    int n = endpoint.send(view, wrapped); // both parts, then full segments
    lock.lock();
    try {
      if (n > 0 && ring.commitTake(n, epoch)) {
        ring.grow(n, ServerSession.OUTPUT_LIMIT); // taken: the buffer may hold as much more
        changed.signalAll();
      }
      if (shut && ring.size == 0 && !finQueued && !writing && !session.closed && !session.resetRequested) {
        drainAgain = true; // the FIN, in the next pass
      } else if (n > 0 && ring.size > 0) {
        drainAgain = true; // written meanwhile: as far as the endpoint takes it
      }
    } finally {
      lock.unlock();
    }
    return true;
  }
}
