package io.faketcp.peer.internal.loop;

import io.faketcp.tun.TunDevice;

/**
 * Internal, not API. The daemon thread {@code faketcp-peer-<device>} that peers of one device run on, one after another.
 * A peer started on its own has a thread of its own, ended by {@code FakePeer.close()}, as always. A
 * fixture that starts a peer per test on a device it keeps gives them one kept thread instead: no thread
 * is started or joined per test (each costs a wake-up of a few hundred µs in a VM), and a peer closed
 * while its thread waits for packets is taken off it without waking it at all (see {@code FakePeer.close()}).
 *
 * <p>Between peers the thread waits on the device and drops what it reads (what the device holds belongs
 * to no peer then). {@link #close()} ends it and waits for it; closing the device ends it too.
 */
public final class PeerThread implements AutoCloseable {
  /** The name of the peer's log: {@code FakePeer}'s, as before the loop had a package of its own. */
  static final String LOG_NAME = "io.faketcp.peer.FakePeer";
  private static final System.Logger LOG = System.getLogger(LOG_NAME);

  private final TunDevice device;
  private final Thread thread;
  /** The peer to run: the last one served; it may have ended already. */
  private volatile Peer next;
  private volatile boolean closing;
  private boolean started; // guarded by this
  /** Where packets read between peers are dropped; taken the first time there are any. */
  private PeerBuffers idle;

  public PeerThread(TunDevice device) {
    this.device = device;
    this.thread = new Thread(this::run, "faketcp-peer-" + device.name());
    thread.setDaemon(true);
  }

  /**
   * Runs {@code peer} on this thread from now on, starting the thread the first time. A thread already
   * running finds the peer by itself when it next wakes (a packet, a task, a wake-up): nothing to wait for.
   *
   * @throws IllegalStateException when this thread is closed or still runs another peer
   */
  synchronized void serve(Peer peer) {
    if (closing || (started && !thread.isAlive())) {
      throw new IllegalStateException("the peer thread " + thread.getName() + " has ended: "
          + (device.isOpen() ? "it was closed" : "device " + device.name() + " is closed"));
    }
    Peer before = next;
    if (before != null && !before.ended()) {
      throw new IllegalStateException("the peer thread " + thread.getName() + " still runs " + before
          + ": close that peer first");
    }
    next = peer;
    if (!started) {
      started = true;
      thread.start();
    }
  }

  /** Whether the caller is this thread. */
  boolean isCurrent() {
    return Thread.currentThread() == thread;
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  /** Whether {@link #close()} was called: the peer on it stops. */
  boolean closing() {
    return closing;
  }

  String name() {
    return thread.getName();
  }

  public TunDevice device() {
    return device;
  }

  @Override
  public String toString() {
    return "peer thread " + thread.getName();
  }

  /** Ends the thread (the peer on it stops as if closed) and waits for it, up to 5 s. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
      if (!started) {
        return;
      }
    }
    if (device.isOpen()) {
      device.wakeup();
    }
    if (thread != Thread.currentThread()) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (thread.isAlive()) {
      LOG.log(System.Logger.Level.WARNING, "peer thread {0} did not stop within 5 s", thread.getName());
    }
  }

  private void run() {
    Peer last = null;
    try (TunDevice.Attachment io = device.attach()) {
      while (!closing) {
        Peer peer = next;
        if (peer != last) {
          last = peer;
          peer.runOnThisThread(); // returns when the peer ends or is taken off this thread
          continue;
        }
        dropWaiting();
        if (!closing && next == last) {
          device.awaitReadable(-1);
        }
      }
    } catch (RuntimeException | Error e) {
      // attach() refused, or the device went away between peers (or before the first ran)
      LOG.log(System.Logger.Level.DEBUG, "peer thread {0} stops: {1}", thread.getName(), e.toString());
      Peer peer = next;
      if (peer != null && peer != last) {
        peer.endWithoutRunning(e);
      }
    } finally {
      if (idle != null) {
        idle.release();
      }
    }
  }

  /** Between peers: what the device holds belongs to no peer. */
  private void dropWaiting() {
    if (idle == null) {
      idle = PeerBuffers.take();
    }
    for (int i = 0; i < 1024 && device.read(idle.in) > 0; i++) {
      // dropped
    }
  }

  /**
   * A peer as its thread runs it; {@code FakePeer} gives one of its own, whose {@code toString} is the
   * peer's.
   */
  public interface Peer {
    /** Whether the peer has ended. */
    boolean ended();

    /** On the thread: runs the peer until it ends or is taken off the thread. */
    void runOnThisThread();

    /** The thread cannot run the peer (the device went away): it ends with {@code cause}. */
    void endWithoutRunning(Throwable cause);
  }
}
