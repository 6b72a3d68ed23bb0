package io.faketcp.peer.internal.loop;

import io.faketcp.tun.TunDevice;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, not API. The tasks other threads hand a peer's thread, and where the peer is in its life on that thread
 * ({@link #NEW}, {@link #BUSY}, {@link #WAITING}, {@link #ENDED}): the phase says whether handing over
 * a task must wake the thread, and whether the peer runs at all.
 */
public final class PeerTasks {
  /** Served, not yet run by the thread. */
  static final int NEW = 0;
  /** The thread is reading, answering or running tasks for this peer. */
  static final int BUSY = 1;
  /** The thread waits for packets with nothing of this peer's in hand: close() may take the peer off it. */
  static final int WAITING = 2;
  /** Done: stopped, failed, or taken off the thread; it never touches this peer again. */
  static final int ENDED = 3;

  private final TunDevice device;
  /** The thread this peer runs on. */
  private final PeerThread thread;
  private final PeerFailures failures;
  /**
   * Where this peer is in its life on {@link #thread}: {@link #NEW}, {@link #BUSY}, {@link #WAITING} or
   * {@link #ENDED}.
   */
  final AtomicInteger phase = new AtomicInteger(NEW);
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  public PeerTasks(TunDevice device, PeerThread thread, PeerFailures failures) {
    this.device = device;
    this.thread = thread;
    this.failures = failures;
  }

  /** Whether the peer's thread is running it. */
  public boolean isRunning() {
    return phase.get() != ENDED && thread.isAlive();
  }

  /** Whether this peer is done on its thread (closed, failed or never run): the thread will not touch it again. */
  public boolean ended() {
    return phase.get() == ENDED;
  }

  /** Whether no task is queued. */
  boolean isEmpty() {
    return tasks.isEmpty();
  }

  /**
   * Queues {@code task} for the peer thread from any thread; false if the peer is not running. The
   * device's wake-up (a system call here, and a poll and a read on the peer thread) only when the
   * thread waits: a busy one runs the task in its loop, and one about to wait sees it first (the
   * loop looks at the queue after saying it waits, this looks at the phase after queueing).
   */
  public boolean offer(Runnable task) {
    if (!isRunning()) {
      return false;
    }
    tasks.add(task);
    if (phase.get() != BUSY) {
      device.wakeup();
    }
    return true;
  }

  public void submit(Runnable task) {
    if (!isRunning()) {
      throw new IllegalStateException("the peer on " + device.name() + " is not running"
          + failures.failure().map(f -> ": it stopped with " + f).orElse(""));
    }
    tasks.add(task);
    device.wakeup();
  }

  /** Runs {@code task} on the peer's thread and waits for it; directly when the thread is not running. */
  public void onPeerThread(Runnable task) {
    if (thread.isCurrent() || !isRunning()) {
      task.run();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(() -> {
      try {
        task.run();
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (TimeoutException e) {
      if (isRunning()) {
        throw new IllegalStateException("the peer on " + device.name() + " did not take the new rules within 10 s", e);
      }
      task.run(); // it stopped meanwhile
    }
  }

  void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }
}
