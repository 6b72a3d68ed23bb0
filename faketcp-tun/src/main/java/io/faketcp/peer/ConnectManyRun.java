package io.faketcp.peer;

import io.faketcp.tun.Subnet;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connect-many run in progress, driven by the peer's thread: sends SYNs while fewer than
 * {@code inFlight} handshakes are pending, retransmits unanswered SYNs with exponential backoff,
 * and completes its future once every connection is established or failed.
 */
final class ConnectManyRun {
  static final int REFUSED = 1;
  static final int TIMED_OUT = 2;
  private static final int INITIAL_WINDOW = 64;
  private static final int MINIMUM_WINDOW = 8;

  final ConnectMany request;
  final CompletableFuture<ConnectManyResult> future = new CompletableFuture<>();
  private final TcpHost tcp;
  private final Sources sources;
  private final int hostAddress;
  private final int hostPort;
  /** Pending SYNs by retransmission count; each queue is in deadline order because its timeout is fixed. */
  private final ArrayDeque<Connection>[] timers;
  private final long[] timeoutNanos;
  private final List<Connection> connections = new ArrayList<>();
  private int started;
  private int inFlight;
  /**
   * How many handshakes may be in flight now: grows by one per window of established connections up to the
   * request's bound, halves (at most once per initial timeout) when a SYN goes unanswered. A server
   * whose accept queue is full drops SYNs; backing off keeps the retransmission stalls rare.
   */
  private int window;
  private int growth;
  private long lastBackoff;
  private int established;
  private int refused;
  private int timedOut;
  private long retransmissions;
  private long startNanos;
  private long endNanos;
  private long deadlineNanos;

  @SuppressWarnings({"unchecked", "rawtypes"}) // an array of generic queues
  ConnectManyRun(ConnectMany request, TcpHost tcp, Sources sources) {
    this.request = request;
    this.tcp = tcp;
    this.sources = sources;
    this.hostAddress = Subnet.toInt((Inet4Address) request.target().getAddress());
    this.hostPort = request.target().getPort();
    int levels = request.maxRetransmissions() + 1;
    this.window = Math.min(request.inFlight(), INITIAL_WINDOW);
    this.timers = new ArrayDeque[levels];
    this.timeoutNanos = new long[levels];
    long rto = request.initialRetransmissionTimeout().toNanos();
    for (int i = 0; i < levels; i++) {
      timers[i] = new ArrayDeque<>();
      timeoutNanos[i] = rto;
      rto = Math.min(rto * 2, Duration.ofSeconds(30).toNanos());
    }
  }

  void start(long now) {
    startNanos = now;
    deadlineNanos = now + request.timeout().toNanos();
    pump(now);
  }

  /** Sends new SYNs up to the in-flight bound. */
  void pump(long now) {
    while (inFlight < window && started < request.count()) {
      long source = sources.next(tcp, hostAddress, hostPort);
      Connection c = tcp.openClient(this, hostAddress, hostPort, (int) (source >>> 16), (int) source & 0xffff);
      started++;
      inFlight++;
      connections.add(c);
      c.deadline = now + timeoutNanos[0];
      timers[0].add(c);
      tcp.sendSyn(c);
    }
  }

  /** Retransmits or gives up on SYNs whose timeout passed; ends the run at its overall deadline. */
  void fireTimers(long now) {
    if (done()) {
      return;
    }
    if (now - deadlineNanos >= 0) {
      for (ArrayDeque<Connection> queue : timers) {
        for (Connection c : queue) {
          if (c.state == Connection.SYN_SENT) {
            failed(c, TIMED_OUT);
            tcp.close(c);
          }
        }
        queue.clear();
      }
      timedOut += request.count() - started;
      started = request.count();
      finish(now);
      return;
    }
    for (int level = timers.length - 1; level >= 0; level--) {
      ArrayDeque<Connection> queue = timers[level];
      while (!queue.isEmpty() && now - queue.peekFirst().deadline >= 0) {
        Connection c = queue.pollFirst();
        if (c.state != Connection.SYN_SENT) {
          continue;
        }
        if (level + 1 >= timers.length) {
          failed(c, TIMED_OUT);
          tcp.close(c);
          continue;
        }
        c.retransmissions++;
        retransmissions++;
        if (now - lastBackoff >= timeoutNanos[0]) {
          window = Math.max(MINIMUM_WINDOW, window / 2);
          lastBackoff = now;
        }
        c.deadline = now + timeoutNanos[level + 1];
        timers[level + 1].add(c);
        tcp.sendSyn(c);
      }
    }
  }

  /** The next time {@link #fireTimers} has work, as a nanoTime; Long.MAX_VALUE when none. */
  long nextDeadline() {
    if (done()) {
      return Long.MAX_VALUE;
    }
    long next = deadlineNanos;
    for (ArrayDeque<Connection> queue : timers) {
      Connection head = queue.peekFirst();
      while (head != null && head.state != Connection.SYN_SENT) {
        queue.pollFirst();
        head = queue.peekFirst();
      }
      if (head != null && head.deadline - next < 0) {
        next = head.deadline;
      }
    }
    return next;
  }

  void established(Connection c) {
    inFlight--;
    if (window < request.inFlight() && ++growth >= window) {
      window++;
      growth = 0;
    }
    established++;
    finishIfComplete();
  }

  void failed(Connection c, int reason) {
    inFlight--;
    if (reason == REFUSED) {
      refused++;
    } else {
      timedOut++;
    }
    finishIfComplete();
  }

  private void finishIfComplete() {
    if (established + refused + timedOut == request.count()) {
      finish(System.nanoTime());
    }
  }

  private void finish(long now) {
    if (endNanos == 0) {
      endNanos = now;
      future.complete(new ConnectManyResult(request, established, refused, timedOut, retransmissions,
          Duration.ofNanos(endNanos - startNanos)));
    }
  }

  boolean done() {
    return endNanos != 0;
  }

  /** Closes every connection of this run still open (FIN or RST). */
  void closeAll(boolean reset) {
    for (Connection c : connections) {
      if (c.state == Connection.SYN_SENT) {
        failed(c, TIMED_OUT);
      }
      tcp.closeClient(c, reset);
    }
    connections.clear();
  }

  /**
   * Source address and port allocation: ports 1024-65535 of {@code .2}, then of {@code .3}, and so
   * on, wrapping; tuples still in the connection table are skipped. The position is shared by every
   * peer in the JVM, so that the next test's peer does not start again at {@code .2:1024} while the
   * host still holds the previous test's connections from there in TIME_WAIT.
   */
  static final class Sources {
    private static final int FIRST_PORT = 1024;
    private static final int PORTS = 65536 - FIRST_PORT;
    private static final java.util.concurrent.atomic.AtomicLong POSITION = new java.util.concurrent.atomic.AtomicLong();
    private final Subnet subnet;

    Sources(Subnet subnet) {
      this.subnet = subnet;
    }

    /** The next free source as (address << 16 | port). */
    long next(TcpHost tcp, int hostAddress, int hostPort) {
      long capacity = (long) (subnet.usableAddresses() - 1) * PORTS;
      for (long tried = 0; tried < capacity; tried++) {
        long index = Math.floorMod(POSITION.getAndIncrement(), capacity);
        int address = subnet.networkInt() + 2 + (int) (index / PORTS);
        int port = FIRST_PORT + (int) (index % PORTS);
        if (!tcp.inUse(hostAddress, hostPort, address, port)) {
          return (long) address << 16 | port;
        }
      }
      throw new IllegalStateException("connect-many: every source address and port of " + subnet
          + " already has a connection to this server");
    }
  }
}
