package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection served by a user's server (its {@link Handler}): the {@link Application} the peer thread
 * drives, and the streams and controls the server's thread uses (the public {@code Server.Connection}), with two bounded buffers
 * between them: the {@linkplain SessionInput input side} and the {@linkplain SessionOutput output side}.
 * This class holds what is the whole connection's: its life (opened, closed, reset, taken away), the
 * server's run, and the pump that carries the server's side to the endpoint.
 *
 * <p>Both buffers are rings whose arrays grow on demand up to their capacity and are dropped once
 * the connection no longer needs them: a connection carrying a greeting costs a few KiB, not 128.
 * Input: the host's bytes wait in a buffer of 64 KiB that grows by every byte the server reads, up to
 * {@value #INPUT_LIMIT} bytes; output: a write copies into a buffer of 64 KiB that grows by every
 * byte the endpoint takes, up to {@value #OUTPUT_LIMIT} bytes. A read (the window opened) or a write
 * schedules the pump on the peer thread; at most one pump is queued per session at a time.
 *
 * <p>One lock guards both sides. It is held only to reserve or commit a part of a ring and to flip
 * flags, never while bytes are copied or the endpoint sends: each ring has one thread putting and one
 * taking, each copies its part (the free space past the content, or the content) outside the lock
 * and commits it after, so neither thread waits while the other copies 64 KiB or sends a segment (a
 * wait there would park it, and its wake-up cost the other a system call). A ring whose array grows
 * meanwhile keeps the part being taken unchanged in the old array; one released meanwhile (reset,
 * close) drops the commit. The peer thread never waits for a server thread.
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
  private static final System.Logger LOG = System.getLogger(ServerSession.class.getName());

  private final Handler handler;
  private final ServerPool pool;
  final ReentrantLock lock = new ReentrantLock();
  final SessionInput input = new SessionInput(this);
  final SessionOutput output = new SessionOutput(this);
  private final Runnable pumpTask = this::pump;

  // Guarded by lock.
  boolean resetRequested;
  /** Why the connection is gone (reads and writes throw), or null. */
  String gone;
  private boolean goneUnderServer;
  private boolean pumpScheduled;

  // Peer thread only (and read under lock by the drain).
  Endpoint endpoint;
  boolean closed;
  private boolean resetSent;

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
    output.summing(endpoint.blockSumsUsed()); // before the server's thread starts
    this.local = new InetSocketAddress(pool.address(endpoint.fakeAddress()), endpoint.fakePort());
    this.remote = new InetSocketAddress(pool.address(endpoint.hostAddress()), endpoint.hostPort());
    if (!pool.start(this)) {
      abort("the fake peer is stopping");
    }
  }

  @Override
  public int receiveWindow() {
    return input.window();
  }

  @Override
  public void received(ByteBuffer data) {
    input.received(data);
  }

  @Override
  public int blockSum(int block) {
    return output.blockSum(block);
  }

  @Override
  public void inputShutdown(Endpoint endpoint) {
    lock.lock();
    try {
      input.end();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void writable() {
    if (!closed) {
      output.drain();
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
      input.end();
      output.shut = true;
      output.release();
      if (gone != null) {
        input.release();
      }
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
      if (!reset && input.roomFreed) {
        input.roomFreed = false;
        windowOpened = true;
      }
    } finally {
      lock.unlock();
    }
    if (reset) {
      sendReset();
      return;
    }
    output.drain();
    if (windowOpened && !closed) {
      endpoint.receiveWindowOpened();
    }
  }

  /** Peer thread, once the server's failure is recorded. */
  private void resetAfterFailure() {
    lock.lock();
    try {
      resetRequested = true;
      output.ring.release();
      input.ring.release();
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

  /** Queues one pump on the peer thread unless one is queued already. Lock held. */
  void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = pool.toPeer(pumpTask);
    }
  }

  /** Queues {@code task} for the peer thread; false if the peer is not running. */
  boolean toPeer(Runnable task) {
    return pool.toPeer(task);
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
          input.changed.signalAll();
          output.changed.signalAll();
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
    return input;
  }

  public OutputStream output() {
    return output;
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
      output.shutDown();
    } finally {
      lock.unlock();
    }
  }

  public void close() {
    lock.lock();
    try {
      output.shutDown();
      input.discard();
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
      schedulePump();
    } finally {
      lock.unlock();
    }
  }

  /** Waits on {@code condition} (lock held); an interrupt ends the wait with an {@link InterruptedIOException}. */
  void await(Condition condition) throws InterruptedIOException {
    try {
      condition.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting on " + this);
    }
  }

  /** Throws once the connection is gone (reset, given up, the peer stopping). Lock held. */
  void checkNotGone() throws SocketException {
    if (gone != null) {
      throw new SocketException("connection " + this + " is gone: " + gone);
    }
  }

  private static String format(InetSocketAddress address) {
    return address == null ? "?" : address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return format(local) + " <- " + format(remote);
  }
}
