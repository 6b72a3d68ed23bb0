package io.faketcp.peer.internal.servers;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The threads that run one peer's servers (users' {@code Server}s), and the sessions being served.
 *
 * <p>One thread per connection, from a cached pool of daemon threads: a server may block in its
 * streams for as long as it likes, so a fixed pool would let a few stuck servers starve the rest;
 * a cached pool reuses the threads of short connections. Threads are named after the connection
 * they serve. The pool is made at the first server connection, so a peer without servers starts
 * no thread for them.
 *
 * <p>{@link #stop()} (on the peer thread, as it exits) resets every connection whose server is still
 * running and interrupts the threads; {@link #awaitStopped(Duration)} waits for them to end.
 */
public final class ServerPool {
  private static final System.Logger LOG = System.getLogger(ServerPool.class.getName());

  private final String name;
  private final Predicate<Runnable> peerThread;
  private final Consumer<Throwable> recorder;
  private final Set<ServerSession> serving = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadNumber = new AtomicInteger();
  private ExecutorService threads;
  private boolean stopped;
  /** The address of a fake host or the host as the endpoint holds it (32 bits). */
  private volatile IntFunction<InetAddress> addresses =
      io.faketcp.packet.Ipv4Packet::toInet4Address;

  /**
   * @param name names the threads ({@code faketcp-server-<name>-<n>} while idle)
   * @param peerThread queues a task for the peer thread and wakes it; false if the peer is not running
   * @param recorder records a server's failure as the peer's; called on the peer thread while it runs
   */
  public ServerPool(String name, Predicate<Runnable> peerThread, Consumer<Throwable> recorder) {
    this.name = name;
    this.peerThread = peerThread;
    this.recorder = recorder;
  }

  /**
   * How the sessions turn the endpoint's 32-bit addresses into addresses: IPv4 by default; a
   * dual-stack peer maps the ids of its IPv6 hosts.
   */
  public void addresses(IntFunction<InetAddress> addresses) {
    this.addresses = addresses;
  }

  /** The address the endpoint's 32-bit {@code address} stands for. */
  InetAddress address(int address) {
    return addresses.apply(address);
  }

  /** A new session served by {@code handler}; its thread starts when the endpoint opens it. */
  public ServerSession session(Handler handler) {
    return new ServerSession(handler, this);
  }

  /** Starts serving {@code session} on a pool thread; false once the pool is stopped. */
  synchronized boolean start(ServerSession session) {
    if (stopped) {
      return false;
    }
    if (threads == null) {
      threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
        Thread thread = new Thread(task, "faketcp-server-" + name + "-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
    }
    serving.add(session);
    try {
      threads.execute(session::serve);
      return true;
    } catch (RejectedExecutionException e) {
      serving.remove(session);
      return false;
    }
  }

  /** Queues {@code task} for the peer thread; false if the peer is not running. */
  boolean toPeer(Runnable task) {
    return peerThread.test(task);
  }

  /**
   * A server threw: its failure becomes the peer's, then {@code reset} runs, both on the peer thread
   * while it runs. Once the peer stopped (its connections are reset already) the failure is recorded
   * on the calling thread.
   */
  void failed(Throwable failure, Runnable reset) {
    synchronized (this) {
      if (!stopped && toPeer(() -> {
        recorder.accept(failure);
        reset.run();
      })) {
        return;
      }
    }
    recorder.accept(failure);
  }

  /** The server of {@code session} returned or threw; its thread goes back to the pool. */
  void finished(ServerSession session) {
    serving.remove(session);
  }

  /** Sessions whose server is running. */
  public List<ServerSession> serving() {
    return new ArrayList<>(serving);
  }

  /**
   * Takes every connection from its running server (RST to the host) and interrupts the threads.
   * Peer thread, as it exits; afterwards failures are recorded on the failing thread. Idempotent.
   */
  public void stop() {
    ExecutorService toStop;
    synchronized (this) {
      stopped = true;
      toStop = threads;
    }
    try {
      for (ServerSession session : serving()) {
        try {
          session.abort("the fake peer stopped");
        } catch (RuntimeException e) {
          // The RST could not be written (the device is gone): the host's connection dies with it.
          LOG.log(System.Logger.Level.DEBUG, "no RST for {0}: {1}", session, e);
        }
      }
    } finally {
      if (toStop != null) {
        toStop.shutdownNow();
      }
    }
  }

  /** Waits up to {@code timeout} for every server thread to end; false (and a warning) if some did not. */
  public boolean awaitStopped(Duration timeout) {
    ExecutorService toAwait;
    synchronized (this) {
      toAwait = threads;
    }
    if (terminated(toAwait, timeout)) {
      return true;
    }
    LOG.log(System.Logger.Level.WARNING, "servers still running {0} after the peer on {1} stopped and interrupted them: {2}",
        timeout, name, serving());
    return false;
  }

  /** Whether {@code threads} (none: null) ended within {@code timeout}; false when interrupted. */
  public static boolean terminated(ExecutorService threads, Duration timeout) {
    if (threads == null) {
      return true;
    }
    try {
      return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
