package io.faketcp.peer.internal.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The input side of a {@link ServerSession}: the host's bytes, put into a ring by the peer thread
 * ({@link #received}) and read by the server's thread through this stream.
 *
 * <p>The ring holds {@value ServerSession#INPUT_CAPACITY} bytes at first and grows by every byte the
 * server reads, up to {@value ServerSession#INPUT_LIMIT} bytes, as Linux's receive buffer grows with
 * what its application reads; its free space is the receive window, so a server that does not read
 * closes the window and the host's writes block. Each read schedules the session's pump on the peer
 * thread, which tells the endpoint the window opened. A server thread waiting for bytes is woken once
 * the peer thread has handled the packets it read in one pass, not per segment.
 *
 * <p>{@link #transferTo} into a session's output copies from ring to ring; into this session's own
 * output, the peer thread may meanwhile hand the host's bytes to the endpoint itself ({@link #splice}).
 *
 * <p>State guarded by the session's lock, as the session describes.
 */
final class SessionInput extends InputStream {
  /** The most {@code transferTo} moves at a time: the peer thread sends a piece while the next is copied. */
  static final int TRANSFER_PIECE = 128 * 1024;
  /**
   * The least a full segment of the host's must carry for the peer thread to splice ({@link #splice}):
   * more than a segment at MTU 1,500 carries.
   */
  static final int SPLICE_LEAST = 4096;

  private final ServerSession session;
  private final ReentrantLock lock;
  final Ring ring = new Ring(ServerSession.INPUT_CAPACITY);
  final Condition changed;
  private final Runnable wakeTask = this::wake;

  // Guarded by the session's lock.
  boolean ended;
  boolean discarding;
  /** Bytes were read since the last pump: the window opened. */
  boolean roomFreed;
  /** A server thread is copying out of the ring (one at a time). */
  private boolean reading;
  /** A server thread is in {@link #transferTo} this session's own output: the peer thread may splice. */
  private boolean echoing;
  /** Bytes the peer thread spliced, ever. */
  private long spliced;
  /** Server threads wait in a read for bytes; a task that wakes them is queued on the peer thread. */
  private int readersWaiting;
  private boolean wakeScheduled;

  SessionInput(ServerSession session) {
    this.session = session;
    this.lock = session.lock;
    this.changed = lock.newCondition();
  }

  // ---- the peer thread ----

  /** The receive window: the ring's free space (any, once the bytes are dropped). */
  int window() {
    lock.lock();
    try {
      return discarding || session.gone != null ? ServerSession.INPUT_CAPACITY : ring.free();
    } finally {
      lock.unlock();
    }
  }

  /** The host's in-order bytes: into the ring, or dropped once the server closed or the connection is gone. */
  void received(ByteBuffer data) {
    if (splice(data) && !data.hasRemaining()) {
      return;
    }
    int n = data.remaining();
    byte[] bytes;
    int tail;
    int epoch;
    lock.lock();
    try {
      if (discarding || session.gone != null) {
        data.position(data.limit());
        return;
      }
      if (n > ring.free()) {
        throw new IllegalStateException("the endpoint of " + session + " passed " + n + " bytes but the receive window was "
            + ring.free() + ": it must never pass more than receiveWindow()");
      }
      tail = ring.reserve(n);
      bytes = ring.bytes;
      epoch = ring.epoch;
    } finally {
      lock.unlock();
    }
    boolean done = false;
    try {
      Ring.copyIn(data, n, bytes, tail);
      done = true;
    } finally {
      lock.lock();
      try {
        if (ring.commitPut(done ? n : 0, epoch) && done && readersWaiting > 0 && !wakeScheduled) {
          // Woken once the peer thread has handled what it read in this pass (the task runs after
          // the reads), not per segment: at MTU 1,500 a wake-up per segment costs the peer thread a
          // system call every 1,448 bytes.
          wakeScheduled = session.toPeer(wakeTask);
          if (!wakeScheduled) {
            changed.signalAll();
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * While the server transfers its input into its own output ({@link #transferTo}) and both rings
   * are empty, the host's bytes go to the endpoint's send queue straight, as far as it has room (the
   * rest waits in the ring for the server's thread): no copy through the rings, no hand-off, and the
   * send queue learns their sum from their verified checksum. Only where the host's full segments
   * carry {@value #SPLICE_LEAST} bytes or more (MTU 9,000 and up), and then small pieces too (one left
   * in the ring would stop the splicing): small segments (MTU 1,500) cost the peer thread per packet,
   * not per byte, and there the server's thread, which gives the bytes back in bulk, takes a share of
   * the work. The connection's segment size decides, not a piece's length: bytes put back together
   * after a loss come as one piece larger than any segment. True if tried.
   */
  private boolean splice(ByteBuffer data) {
    if (session.endpoint.segmentPayload() < SPLICE_LEAST) {
      return false;
    }
    lock.lock();
    try {
      if (!echoing || reading || ring.size > 0 || discarding || session.gone != null || !session.output.startSplice()) {
        return false;
      }
    } finally {
      lock.unlock();
    }
    int sent = 0;
    try {
      sent = session.endpoint.send(data);
    } finally {
      lock.lock();
      try {
        session.output.spliced(sent);
        spliced += sent;
        if (sent > 0) {
          ring.grow(sent, ServerSession.INPUT_LIMIT); // taken as a read takes them: the window grows
        }
      } finally {
        lock.unlock();
      }
    }
    return true;
  }

  /** Peer thread: wakes the server threads waiting for bytes ({@link #received}). */
  private void wake() {
    lock.lock();
    try {
      wakeScheduled = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** No more bytes will come (the host's FIN, or the connection ended). Lock held. */
  void end() {
    ended = true;
    changed.signalAll();
  }

  /** Drops the ring and what it holds; readers wake to see why. Lock held. */
  void release() {
    ring.release();
    changed.signalAll();
  }

  /** The server closed: what the host still sends is dropped, the window stays open. Lock held. */
  void discard() {
    if (!discarding) {
      discarding = true;
      ring.release();
      roomFreed = true;
      changed.signalAll();
      session.schedulePump();
    }
  }

  // ---- the server's threads ----

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      lock.lock();
      try {
        checkReadable();
        return 0;
      } finally {
        lock.unlock();
      }
    }
    return take(len, (bytes, head, n) -> {
      Ring.copyOut(bytes, head, b, off, n);
      return n;
    });
  }

  /**
   * Waits for bytes, copies up to {@code most} of them out of the ring with {@code copy} (outside the
   * lock: the peer thread only appends past them meanwhile) and lets go of as many as it copied; the
   * count, or -1 at the end of the stream.
   */
  private int take(int most, CopyOut copy) throws IOException {
    int n;
    int head;
    int epoch;
    byte[] bytes;
    lock.lock();
    try {
      if (await() < 0) {
        return -1;
      }
      n = Math.min(most, ring.size);
      head = ring.head;
      epoch = ring.epoch;
      bytes = ring.bytes;
      reading = true;
    } finally {
      lock.unlock();
    }
    int copied = 0;
    try {
      copied = copy.copy(bytes, head, n);
    } finally {
      lock.lock();
      try {
        taken(copied, epoch);
      } finally {
        lock.unlock();
      }
    }
    return copied;
  }

  /** Copies {@code n} bytes of a ring's array from {@code head} (wrapping) somewhere; how many it copied. */
  private interface CopyOut {
    int copy(byte[] bytes, int head, int n) throws IOException;
  }

  /**
   * Every byte until the host's FIN, into {@code target}. When {@code target} is a session's output
   * (this connection's, as an echo server has it, or another's) the bytes go straight from the input
   * ring into the output ring, summed for the checksums on the way: one copy where a read and a write
   * make two. Into this connection's own output, while both rings are empty the peer thread hands the
   * host's bytes to the endpoint itself ({@link #splice}). Any other stream gets them in pieces of up
   * to {@value #TRANSFER_PIECE} bytes.
   */
  @Override
  public long transferTo(OutputStream target) throws IOException {
    Objects.requireNonNull(target, "target");
    if (!(target instanceof SessionOutput)) {
      return copyTo(target);
    }
    SessionOutput to = (SessionOutput) target;
    if (to != session.output) {
      long total = 0;
      for (int n; (n = transferOnce(to)) >= 0; ) {
        total += n;
      }
      return total;
    }
    long splicedBefore = echoing(true);
    long total = 0;
    try {
      for (int n; (n = echoOnce(to)) >= 0; ) {
        total += n;
      }
    } finally {
      total += echoing(false) - splicedBefore;
    }
    return total;
  }

  /** The server's thread enters or leaves a transfer into its own output; the bytes spliced so far. */
  private long echoing(boolean on) {
    lock.lock();
    try {
      echoing = on;
      return spliced;
    } finally {
      lock.unlock();
    }
  }

  /** {@link #transferTo} into a stream that is not a session's: through an array. */
  private long copyTo(OutputStream target) throws IOException {
    byte[] piece = new byte[TRANSFER_PIECE];
    long total = 0;
    for (int n; (n = read(piece, 0, piece.length)) >= 0; ) {
      target.write(piece, 0, n);
      total += n;
    }
    return total;
  }

  /**
   * Moves what the ring holds (up to {@value #TRANSFER_PIECE} bytes) into this session's own output
   * {@code out}, as far as it has room, under one lock for both rings; -1 at the end of the input.
   */
  private int echoOnce(SessionOutput out) throws IOException {
    int n;
    int head;
    int tail;
    int inEpoch;
    int outEpoch;
    byte[] from;
    byte[] to;
    lock.lock();
    try {
      while (true) {
        if (await() < 0) {
          return -1;
        }
        if (out.hasRoom()) {
          break;
        }
        session.await(out.changed); // full, or another thread of the server is writing
      }
      n = Math.min(TRANSFER_PIECE, Math.min(ring.size, out.ring.free()));
      head = ring.head;
      inEpoch = ring.epoch;
      from = ring.bytes;
      tail = out.reserve(n);
      outEpoch = out.ring.epoch;
      to = out.ring.bytes;
      reading = true;
    } finally {
      lock.unlock();
    }
    boolean done = false;
    try {
      Ring.copy(from, head, to, tail, n);
      out.addSums(from, head, n); // before the commit: the peer thread sends them only after it
      done = true;
    } finally {
      lock.lock();
      try {
        taken(done ? n : 0, inEpoch);
        out.put(done ? n : 0, outEpoch);
      } finally {
        lock.unlock();
      }
    }
    return n;
  }

  /** Moves what the ring holds (up to {@value #TRANSFER_PIECE} bytes) into another session's {@code out}; -1 at the end. */
  private int transferOnce(SessionOutput out) throws IOException {
    return take(TRANSFER_PIECE, out::writeSome);
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return session.gone != null || discarding ? 0 : ring.size;
    } finally {
      lock.unlock();
    }
  }

  /** As a socket's stream: closing it closes the connection. */
  @Override
  public void close() {
    session.close();
  }

  /**
   * Waits until the ring has bytes for this reader; the count, or -1 at the end of the stream.
   * Throws once the connection is gone or the server closed it. Lock held.
   */
  private int await() throws IOException {
    while (true) {
      checkReadable();
      if (ring.size > 0 && !reading) {
        return ring.size;
      }
      if (ended && ring.size == 0) {
        return -1;
      }
      readersWaiting++;
      try {
        session.await(changed); // no bytes yet, or another thread of the server is reading
      } finally {
        readersWaiting--;
      }
    }
  }

  /** Throws unless the server may still read. Lock held. */
  private void checkReadable() throws SocketException {
    session.checkNotGone();
    if (discarding) {
      throw new SocketException("connection " + session + " was closed by the server: no more reading");
    }
  }

  /**
   * A reader copied the first {@code n} bytes of the ring out (0: none): they go unless the ring was
   * released meanwhile, and the window opens by as much. Lock held.
   */
  private void taken(int n, int epoch) {
    reading = false;
    if (n > 0 && ring.commitTake(n, epoch)) {
      ring.grow(n, ServerSession.INPUT_LIMIT); // read: the buffer may hold as much more
      roomFreed = true;
      session.schedulePump();
    }
    changed.signalAll(); // another reader may go on
  }
}
