package io.faketcp.peer.internal.udp;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Internal, not API. The thread that runs one peer's datagram servers ({@link DatagramHandler}s): one daemon thread, made at the first
 * datagram for a server and gone after 30 s without one, serving datagrams in the order they
 * arrived. Replies are handed back to the peer's thread, which sends them through the faults.
 */
public final class DatagramPool {
  private static final System.Logger LOG = System.getLogger(DatagramPool.class.getName());

  private final String name;
  private final Predicate<Runnable> peerThread;
  private final Consumer<ByteBuffer> send;
  private final Consumer<Throwable> recorder;
  private ThreadPoolExecutor thread;
  private boolean stopped;

  /**
   * @param name names the thread ({@code faketcp-datagrams-<name>})
   * @param peerThread queues a task for the peer thread and wakes it; false if the peer is not running
   * @param send writes one IPv4 packet through the faults; peer thread only
   * @param recorder records a server's failure as the peer's
   */
  public DatagramPool(String name, Predicate<Runnable> peerThread, Consumer<ByteBuffer> send, Consumer<Throwable> recorder) {
    this.name = name;
    this.peerThread = peerThread;
    this.send = send;
    this.recorder = recorder;
  }

  /** Serves {@code datagram} with {@code server} after the datagrams queued before it; peer thread. */
  synchronized void serve(DatagramHandler server, ReceivedDatagram datagram) {
    if (stopped) {
      return;
    }
    if (thread == null) {
      thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
        Thread t = new Thread(task, "faketcp-datagrams-" + name);
        t.setDaemon(true);
        return t;
      });
      thread.allowCoreThreadTimeOut(true);
    }
    try {
      thread.execute(() -> run(server, datagram));
    } catch (RejectedExecutionException e) {
      LOG.log(System.Logger.Level.DEBUG, "datagram for {0} dropped: the peer on {1} stopped", server, name);
    }
  }

  private void run(DatagramHandler server, ReceivedDatagram datagram) {
    try {
      server.serve(datagram);
    } catch (Throwable t) {
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.log(System.Logger.Level.WARNING, server + " failed on a datagram from " + datagram.source() + ": " + t, t);
      if (!peerThread.test(() -> recorder.accept(t))) {
        recorder.accept(t);
      }
    }
  }

  /** Sends the IPv4 packet {@code packet} from the peer's thread; false if the peer is not running. */
  boolean send(byte[] packet) {
    return peerThread.test(() -> send.accept(ByteBuffer.wrap(packet)));
  }

  /** Drops the datagrams not served yet and interrupts a server still running. Idempotent. */
  public void stop() {
    ThreadPoolExecutor toStop;
    synchronized (this) {
      stopped = true;
      toStop = thread;
    }
    if (toStop != null) {
      toStop.shutdownNow();
    }
  }

  /** Waits up to {@code timeout} for the thread to end; false (and a warning) if it did not. */
  public boolean awaitStopped(Duration timeout) {
    ThreadPoolExecutor toAwait;
    synchronized (this) {
      toAwait = thread;
    }
    if (io.faketcp.peer.internal.servers.ServerPool.terminated(toAwait, timeout)) {
      return true;
    }
    LOG.log(System.Logger.Level.WARNING, "a datagram server of the peer on {0} still runs {1} after it was interrupted",
        name, timeout);
    return false;
  }
}
