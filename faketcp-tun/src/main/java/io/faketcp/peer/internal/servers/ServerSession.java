package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.Endpoint;
import io.faketcp.packet.Ipv4Packet;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection served by a user's server (its {@link Handler}): the {@link Application} the peer thread
 * drives, and the streams and controls the server's thread uses (the public {@code Server.Connection}), with two bounded buffers
 * between them.
 *
 * <p>Both buffers are rings whose arrays grow on demand up to their capacity and are dropped once
 * the connection no longer needs them: a connection carrying a greeting costs a few KiB, not 128.
 *
 * <p>Input: the host's bytes wait in a buffer of 64 KiB that grows by every byte the server reads,
 * up to {@value #INPUT_LIMIT} bytes, as Linux's receive buffer grows with what its application
 * reads; its free space is the receive window, so a server that does not read closes the window
 * (after 64 KiB) and the host's writes block. Each read schedules a pump on the peer thread, which
 * tells the endpoint the window opened. A server thread waiting for bytes is woken once the peer
 * thread has handled the packets it read in one pass, not per segment.
 *
 * <p>Output: a write copies into a buffer of 64 KiB that grows by every byte the endpoint takes, up
 * to {@value #OUTPUT_LIMIT} bytes, and blocks while it is full; the pump (scheduled by the write, or
 * run when the endpoint reports {@link #writable()}) moves bytes into the endpoint's send queue as far
 * as it has room, both parts of the ring at once so that the endpoint cuts full segments. At most one
 * pump is queued per session at a time.
 *
 * <p>The lock is held only to reserve or commit a part of a ring and to flip flags, never while
 * bytes are copied or the endpoint sends: each ring has one thread putting and one taking, each
 * copies its part (the free space past the content, or the content) outside the lock and commits it
 * after, so neither thread waits while the other copies 64 KiB or sends a segment (a wait there would
 * park it, and its wake-up cost the other a system call). A ring whose array grows meanwhile keeps
 * the part being taken unchanged in the old array; one released meanwhile (reset, close) drops the
 * commit. The peer thread never waits for a server thread.
 */
public final class ServerSession implements Application {
  /** The input buffer's capacity at first. */
  public static final int INPUT_CAPACITY = 65535;
  /** The input buffer's capacity at most, grown by the bytes the server reads. */
  public static final int INPUT_LIMIT = 4 << 20;
  /** The output buffer's capacity at first. */
  public static final int OUTPUT_CAPACITY = 65536;
  /** The output buffer's capacity at most, grown by the bytes the endpoint takes. */
  public static final int OUTPUT_LIMIT = 1 << 20;
  /** The most {@code transferTo} moves at a time: the peer thread sends a piece while the next is copied. */
  static final int TRANSFER_PIECE = 128 * 1024;
  private static final System.Logger LOG = System.getLogger(ServerSession.class.getName());

  private final Handler handler;
  private final ServerPool pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition inputChanged = lock.newCondition();
  private final Condition outputChanged = lock.newCondition();
  private final Ring input = new Ring(INPUT_CAPACITY);
  private final Ring output = new Ring(OUTPUT_CAPACITY);
  private final InputStream in = new In();
  private final Out out = new Out();
  private final Runnable pumpTask = this::pump;
  private final Runnable wakeReaderTask = this::wakeReader;
  /** The output's sums, added by the writing thread (one at a time), read by the peer thread. */
  private final BlockSums sums = new BlockSums();

  // Guarded by lock.
  private boolean inputEnded;
  private boolean discarding;
  private boolean outputShut;
  private boolean resetRequested;
  private String gone;
  private boolean goneUnderServer;
  private boolean roomFreed;
  private boolean pumpScheduled;
  /** A server thread is copying out of the input ring / into the output ring (one at a time). */
  private boolean reading;
  private boolean writing;
  /** Server threads wait in a read for bytes; a task that wakes them is queued on the peer thread. */
  private int readersWaiting;
  private boolean wakeReaderScheduled;

  // Peer thread only (and read under lock by the pump).
  private Endpoint endpoint;
  private ByteBuffer outputView;
  /** The output ring's part past its end, from index 0: {@link #outputView}'s sequel. */
  private ByteBuffer outputWrapped;
  /** A drain is sending (the endpoint may call {@link #writable()} meanwhile: that one is folded in). */
  private boolean draining;
  private boolean drainAgain;
  private boolean finQueued;
  private boolean resetSent;
  private boolean closed;

  // Written on the peer thread before the server's thread starts.
  private volatile InetSocketAddress local;
  private volatile InetSocketAddress remote;

  ServerSession(Handler handler, ServerPool pool) {
    this.handler = handler;
    this.pool = pool;
  }

  // ---- Application: the peer thread ----

  @Override
  public void opened(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.local = new InetSocketAddress(pool.address(endpoint.fakeAddress()), endpoint.fakePort());
    this.remote = new InetSocketAddress(pool.address(endpoint.hostAddress()), endpoint.hostPort());
    if (!pool.start(this)) {
      abort("the fake peer is stopping");
    }
  }

  @Override
  public int receiveWindow() {
    lock.lock();
    try {
      return discarding || gone != null ? INPUT_CAPACITY : input.free();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void received(ByteBuffer data) {
    int n = data.remaining();
    byte[] bytes;
    int tail;
    int epoch;
    lock.lock();
    try {
      if (discarding || gone != null) {
        data.position(data.limit());
        return;
      }
      if (n > input.free()) {
        throw new IllegalStateException("the endpoint of " + this + " passed " + n + " bytes but the receive window was "
            + input.free() + ": it must never pass more than receiveWindow()");
      }
      tail = input.reserve(n);
      bytes = input.bytes;
      epoch = input.epoch;
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
        if (input.commitPut(done ? n : 0, epoch) && done && readersWaiting > 0 && !wakeReaderScheduled) {
          // Woken once the peer thread has handled what it read in this pass (the task runs after
          // the reads), not per segment: at MTU 1,500 a wake-up per segment costs the peer thread a
          // system call every 1,448 bytes.
          wakeReaderScheduled = pool.toPeer(wakeReaderTask);
          if (!wakeReaderScheduled) {
            inputChanged.signalAll();
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public int blockSum(int block) {
    return sums.sum(block);
  }

  @Override
  public void inputShutdown(Endpoint endpoint) {
    lock.lock();
    try {
      inputEnded = true;
      inputChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void writable() {
    if (!closed) {
      drain();
    }
  }

  @Override
  public void closed(String reason) {
    closed = true;
    lock.lock();
    try {
      if (reason != null && gone == null) {
        gone = reason;
        goneUnderServer = true;
      }
      inputEnded = true;
      outputShut = true;
      output.release();
      if (gone != null) {
        input.release();
      }
      inputChanged.signalAll();
      outputChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the connection away from the server (the peer stops): its reads and writes throw, and the
   * host gets RST. Peer thread.
   */
  void abort(String reason) {
    lock.lock();
    try {
      if (gone == null) {
        gone = reason;
        goneUnderServer = true;
      }
      resetRequested = true;
      output.release();
      input.release();
      inputChanged.signalAll();
      outputChanged.signalAll();
    } finally {
      lock.unlock();
    }
    sendReset();
  }

  /** Runs on the peer thread when the server's side has something for the endpoint. */
  private void pump() {
    boolean reset;
    boolean windowOpened = false;
    lock.lock();
    try {
      pumpScheduled = false;
      if (closed || endpoint == null) {
        return;
      }
      reset = resetRequested;
      if (!reset && roomFreed) {
        roomFreed = false;
        windowOpened = true;
      }
    } finally {
      lock.unlock();
    }
    if (reset) {
      sendReset();
      return;
    }
    drain();
    if (windowOpened && !closed) {
      endpoint.receiveWindowOpened();
    }
  }

  /** Peer thread: wakes the server threads waiting for bytes ({@link #received}). */
  private void wakeReader() {
    lock.lock();
    try {
      wakeReaderScheduled = false;
      inputChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Peer thread, once the server's failure is recorded. */
  private void resetAfterFailure() {
    lock.lock();
    try {
      resetRequested = true;
      output.release();
      input.release();
    } finally {
      lock.unlock();
    }
    sendReset();
  }

  private void sendReset() {
    if (!closed && !resetSent && endpoint != null) {
      resetSent = true;
      endpoint.reset();
    }
  }

  /**
   * Moves output into the endpoint's send queue; FIN once the server shut down and all is queued.
   * Peer thread, lock not held: the endpoint copies and sends outside it. A call while a drain sends
   * (the endpoint reporting {@link #writable()}) makes that drain look again.
   */
  private void drain() {
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
    lock.lock();
    try {
      if (closed || resetRequested || endpoint == null) {
        return false;
      }
      size = output.size;
      head = output.head;
      epoch = output.epoch;
      bytes = output.bytes;
      fin = outputShut && size == 0 && !finQueued && !writing;
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
    if (outputView == null || outputView.array() != bytes) {
      outputView = ByteBuffer.wrap(bytes); // the ring grew
      outputWrapped = ByteBuffer.wrap(bytes);
    }
    int first = Math.min(size, bytes.length - head);
    outputView.limit(head + first).position(head);
    outputWrapped.limit(size - first).position(0);
    int n = endpoint.send(outputView, outputWrapped); // both parts, then full segments
    lock.lock();
    try {
      if (n > 0 && output.commitTake(n, epoch)) {
        output.grow(n, OUTPUT_LIMIT); // taken: the buffer may hold as much more
        outputChanged.signalAll();
      }
      if (outputShut && output.size == 0 && !finQueued && !writing && !closed && !resetRequested) {
        drainAgain = true; // the FIN, in the next pass
      } else if (n > 0 && output.size > 0) {
        drainAgain = true; // written meanwhile: as far as the endpoint takes it
      }
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** Queues one pump on the peer thread unless one is queued already. Lock held. */
  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = pool.toPeer(pumpTask);
    }
  }

  // ---- the server's thread ----

  /** Runs the server on the calling (pooled) thread, named after the connection meanwhile. */
  void serve() {
    Thread thread = Thread.currentThread();
    String idleName = thread.getName();
    thread.setName("faketcp-server " + format(local) + " <- " + format(remote));
    try {
      handler.serve(this);
      close();
    } catch (Throwable t) {
      if (takenAway(t)) {
        LOG.log(System.Logger.Level.DEBUG, "{0} ended with {1} after the connection was gone", this, t);
      } else {
        LOG.log(System.Logger.Level.WARNING, handler + " failed on " + this + ": " + t, t);
        lock.lock();
        try {
          if (gone == null) {
            gone = "reset after the server failed: " + t;
          }
          inputChanged.signalAll();
          outputChanged.signalAll();
        } finally {
          lock.unlock();
        }
        // Recorded before the RST goes out: a test that sees the reset then ends already has the failure.
        pool.failed(t, this::resetAfterFailure);
      }
    } finally {
      Thread.interrupted(); // the pool's thread starts its next connection uninterrupted
      thread.setName(idleName);
      pool.finished(this);
    }
  }

  /**
   * Whether {@code t} is what the server got because the connection was taken from it (reset by the
   * host, given up by the endpoint, the peer stopping): an I/O error or an interrupt then is no
   * failure of the server.
   */
  private boolean takenAway(Throwable t) {
    lock.lock();
    try {
      if (!goneUnderServer) {
        return false;
      }
    } finally {
      lock.unlock();
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  // ---- what the server's thread uses (Server.Connection's methods, as its documentation says) ----

  public InputStream input() {
    return in;
  }

  public OutputStream output() {
    return out;
  }

  public InetSocketAddress localAddress() {
    return local;
  }

  public InetSocketAddress remoteAddress() {
    return remote;
  }

  public void shutdownOutput() {
    lock.lock();
    try {
      if (!outputShut) {
        outputShut = true;
        outputChanged.signalAll();
        schedulePump();
      }
    } finally {
      lock.unlock();
    }
  }

  public void close() {
    lock.lock();
    try {
      shutdownOutput();
      if (!discarding) {
        discarding = true;
        input.release();
        roomFreed = true;
        inputChanged.signalAll();
        schedulePump();
      }
    } finally {
      lock.unlock();
    }
  }

  public void reset() {
    lock.lock();
    try {
      if (resetRequested) {
        return;
      }
      if (gone == null) {
        gone = "reset by the server";
      }
      resetRequested = true;
      output.release();
      input.release();
      inputChanged.signalAll();
      outputChanged.signalAll();
      schedulePump();
    } finally {
      lock.unlock();
    }
  }

  private void await(Condition condition) throws InterruptedIOException {
    try {
      condition.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting on " + this);
    }
  }

  /**
   * Waits until the input has bytes for this reader; the count, or -1 at the end of the stream.
   * Throws once the connection is gone or the server closed it. Lock held.
   */
  private int awaitInput() throws IOException {
    while (true) {
      checkReadable();
      if (input.size > 0 && !reading) {
        return input.size;
      }
      if (inputEnded && input.size == 0) {
        return -1;
      }
      readersWaiting++;
      try {
        await(inputChanged); // no bytes yet, or another thread of the server is reading
      } finally {
        readersWaiting--;
      }
    }
  }

  /** Sums {@code n} bytes of {@code from} from {@code start}, wrapping at its end, as the output's next. */
  private void addSums(byte[] from, int start, int n) {
    int first = Math.min(n, from.length - start);
    sums.add(from, start, first);
    if (first < n) {
      sums.add(from, 0, n - first);
    }
  }

  /** Throws unless the server may still read. Lock held. */
  private void checkReadable() throws SocketException {
    if (gone != null) {
      throw goneException();
    }
    if (discarding) {
      throw new SocketException("connection " + this + " was closed by the server: no more reading");
    }
  }

  /** Throws unless the server may still write. Lock held. */
  private void checkWritable() throws SocketException {
    if (gone != null) {
      throw goneException();
    }
    if (outputShut) {
      throw new SocketException("connection " + this + ": output was shut down by the server");
    }
  }

  /**
   * A reader copied the first {@code n} bytes of the input out (0: none): they go unless the ring
   * was released meanwhile, and the window opens by as much. Lock held.
   */
  private void inputTaken(int n, int epoch) {
    reading = false;
    if (n > 0 && input.commitTake(n, epoch)) {
      input.grow(n, INPUT_LIMIT); // read: the buffer may hold as much more
      roomFreed = true;
      schedulePump();
    }
    inputChanged.signalAll(); // another reader may go on
  }

  /**
   * A writer copied {@code n} bytes into the space it reserved (0: none): they are in unless the
   * ring was released meanwhile; true if so. Lock held.
   */
  private boolean outputPut(int n, int epoch) {
    writing = false;
    outputChanged.signalAll(); // another writer may go on
    if (output.commitPut(n, epoch) && n > 0) {
      schedulePump();
      return true;
    }
    return false;
  }

  private SocketException goneException() {
    return new SocketException("connection " + this + " is gone: " + gone);
  }

  private static String format(InetSocketAddress address) {
    return address == null ? "?" : address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return format(local) + " <- " + format(remote);
  }

  /** The server reads the host's bytes here. */
  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      int n;
      int head;
      int epoch;
      byte[] bytes;
      lock.lock();
      try {
        if (len == 0) {
          checkReadable();
          return 0;
        }
        if (awaitInput() < 0) {
          return -1;
        }
        n = Math.min(len, input.size);
        head = input.head;
        epoch = input.epoch;
        bytes = input.bytes;
        reading = true;
      } finally {
        lock.unlock();
      }
      try {
        Ring.copyOut(bytes, head, b, off, n); // the peer thread only appends past these bytes meanwhile
      } finally {
        lock.lock();
        try {
          inputTaken(n, epoch);
        } finally {
          lock.unlock();
        }
      }
      return n;
    }

    /**
     * Every byte until the host's FIN, into {@code target}. When {@code target} is a session's
     * output (this connection's, as an echo server has it, or another's) the bytes go straight from
     * the input buffer into the output buffer, summed for the checksums on the way: one copy where a
     * read and a write make two. Any other stream gets them in pieces of up to
     * {@value #TRANSFER_PIECE} bytes.
     */
    @Override
    public long transferTo(OutputStream target) throws IOException {
      Objects.requireNonNull(target, "target");
      if (!(target instanceof Out)) {
        return copyTo(target);
      }
      ServerSession to = ((Out) target).session();
      long total = 0;
      for (int n; (n = to == ServerSession.this ? echoOnce() : transferOnce(to)) >= 0; ) {
        total += n;
      }
      return total;
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
     * Moves what the input holds (up to {@value #TRANSFER_PIECE} bytes) into this session's own
     * output, as far as it has room, under one lock for both rings; -1 at the end of the input.
     */
    private int echoOnce() throws IOException {
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
          if (awaitInput() < 0) {
            return -1;
          }
          checkWritable();
          if (output.free() > 0 && !writing) {
            break;
          }
          await(outputChanged); // full, or another thread of the server is writing
        }
        n = Math.min(TRANSFER_PIECE, Math.min(input.size, output.free()));
        head = input.head;
        inEpoch = input.epoch;
        from = input.bytes;
        tail = output.reserve(n);
        outEpoch = output.epoch;
        to = output.bytes;
        reading = true;
        writing = true;
      } finally {
        lock.unlock();
      }
      boolean done = false;
      try {
        Ring.copy(from, head, to, tail, n);
        addSums(from, head, n); // before the commit: the peer thread sends them only after it
        done = true;
      } finally {
        lock.lock();
        try {
          inputTaken(done ? n : 0, inEpoch);
          outputPut(done ? n : 0, outEpoch);
        } finally {
          lock.unlock();
        }
      }
      return n;
    }

    /** Moves what the input holds (up to {@value #TRANSFER_PIECE} bytes) into {@code to}'s output; -1 at the end. */
    private int transferOnce(ServerSession to) throws IOException {
      int n;
      int head;
      int epoch;
      byte[] bytes;
      lock.lock();
      try {
        if (awaitInput() < 0) {
          return -1;
        }
        n = Math.min(TRANSFER_PIECE, input.size);
        head = input.head;
        epoch = input.epoch;
        bytes = input.bytes;
        reading = true;
      } finally {
        lock.unlock();
      }
      int moved = 0;
      try {
        moved = to.out.writeSome(bytes, head, n); // the peer thread only appends past these bytes meanwhile
      } finally {
        lock.lock();
        try {
          inputTaken(moved, epoch);
        } finally {
          lock.unlock();
        }
      }
      return moved;
    }

    @Override
    public int available() {
      lock.lock();
      try {
        return gone != null || discarding ? 0 : input.size;
      } finally {
        lock.unlock();
      }
    }

    /** As a socket's stream: closing it closes the connection. */
    @Override
    public void close() {
      ServerSession.this.close();
    }
  }

  /** The server writes to the host here. */
  private final class Out extends OutputStream {
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
     * Copies up to {@code len} bytes from {@code from} at {@code start} (wrapping at its end: it may
     * be a ring's array) into the output buffer as far as it has room, waiting while it is full;
     * the count, at least 1. Lock not held.
     */
    int writeSome(byte[] from, int start, int len) throws IOException {
      int n;
      int tail;
      int epoch;
      byte[] bytes;
      while (true) {
        lock.lock();
        try {
          while (true) {
            checkWritable();
            n = Math.min(len, output.free());
            if (n > 0 && !writing) {
              break;
            }
            await(outputChanged); // full, or another thread of the server is writing
          }
          tail = output.reserve(n);
          bytes = output.bytes;
          epoch = output.epoch;
          writing = true;
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
              outputPut(0, epoch);
            } finally {
              lock.unlock();
            }
          }
        }
        lock.lock();
        try {
          if (outputPut(n, epoch)) {
            return n;
          }
        } finally {
          lock.unlock();
        }
        // released meanwhile (reset, closed): the next pass says why
      }
    }

    ServerSession session() {
      return ServerSession.this;
    }

    /** As a socket's stream: closing it closes the connection. */
    @Override
    public void close() {
      ServerSession.this.close();
    }
  }

  /**
   * A byte ring of bounded capacity whose array grows on demand (from 2 KiB, doubling), so that a
   * connection that carries a few bytes costs a few bytes; {@link #release()} gives the array back.
   * Lock held by every caller of its methods but the static copies: a put {@link #reserve reserves}
   * the free space past the content, copies outside the lock and {@link #commitPut commits}; a take
   * copies the content outside the lock and {@link #commitTake commits}; one of each at a time.
   */
  static final class Ring {
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
}
