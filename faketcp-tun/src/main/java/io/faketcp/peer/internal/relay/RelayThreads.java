package io.faketcp.peer.internal.relay;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The daemon threads of every relay: upstream connects, and the service-to-host direction of each
 * relayed connection (the host-to-service direction runs on the connection's server thread). A
 * cached pool: each task blocks in a socket as long as its connection lives.
 */
final class RelayThreads {
  private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), task -> {
        Thread thread = new Thread(task, "faketcp-relay");
        thread.setDaemon(true);
        return thread;
      });

  private RelayThreads() {}

  /** Runs {@code task} on a pool thread named {@code name} meanwhile. */
  static void run(String name, Runnable task) {
    THREADS.execute(() -> {
      Thread thread = Thread.currentThread();
      String idle = thread.getName();
      thread.setName(name);
      try {
        task.run();
      } finally {
        thread.setName(idle);
      }
    });
  }
}
