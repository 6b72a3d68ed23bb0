package io.faketcp.peer.internal.loop;

import static io.faketcp.peer.internal.loop.PeerTasks.BUSY;
import static io.faketcp.peer.internal.loop.PeerTasks.WAITING;

import io.faketcp.peer.internal.connectmany.ConnectManyRuns;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.timing.ArrivalClock;
import io.faketcp.peer.internal.timing.ArrivalStamps;
import io.faketcp.peer.internal.timing.TimerSlice;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, not API. A peer's work on its thread: read a batch of packets and dispatch them, run the tasks other threads
 * queued, fire the timers, then wait on the device until the next timer is due, a packet arrives or a
 * task wakes it; until the peer is closed, fails, or is taken off the thread while it waited.
 */
public final class PeerLoop {
  private static final System.Logger LOG = System.getLogger(PeerThread.LOG_NAME);
  private static final int BATCH = 64;
  /** A timer due within this is waited for in short parks, not in poll's whole milliseconds. */
  private static final long FINE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /**
   * How long one such park lasts at most: packets arriving meanwhile wait no longer to be read (a
   * latency counts from the kernel's time of their sending anyway, {@link ArrivalStamps}). With the
   * thread's timer slack at 1 ns ({@link TimerSlice}) a park ends when asked, the last one when the
   * timer is due; each wake-up of a vCPU that halted costs, and 50 or 100 µs parks cost the peer
   * thread 10-25 % more CPU over a fresh JVM's 300 {@code latency=10ms} exchanges than 50 µs ones with
   * the default slack of 50 µs did; 200 µs ones no more.
   */
  private static final long FINE_WAIT_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final TunDevice device;
  /** The thread this peer runs on. */
  private final PeerThread thread;
  /** The peer's native buffers: the loop reads the device into {@code in}. */
  private final PeerBuffers buffers;
  private final FaultLayer faults;
  private final TcpDemux tcp;
  private final PacketDispatch dispatch;
  private final ConnectManyRuns runs;
  private final PeerTasks tasks;
  /** {@link PeerTasks#phase}: the loop moves it between BUSY and WAITING. */
  private final AtomicInteger phase;
  private final PeerFailures failures;
  /** The peer thread's scheduler slice, short while a timing fault is in force. Peer thread only. */
  private final TimerSlice slice = new TimerSlice();
  /** The kernel's times of the host's packets while a latency is set, else null. Peer thread only. */
  private ArrivalStamps stamps;
  /** Whether the kernel refused this peer a packet ring: it is not asked again. */
  private boolean noStamps;
  /** Callers of {@link #awaitQueueRead} waiting for the peer to read its device dry. */
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> readBarriers = new ConcurrentLinkedQueue<>();
  private volatile boolean stopping;

  public PeerLoop(TunDevice device, PeerThread thread, PeerBuffers buffers, FaultLayer faults, TcpDemux tcp,
      PacketDispatch dispatch, ConnectManyRuns runs, PeerTasks tasks, PeerFailures failures) {
    this.device = device;
    this.thread = thread;
    this.buffers = buffers;
    this.faults = faults;
    this.tcp = tcp;
    this.dispatch = dispatch;
    this.runs = runs;
    this.tasks = tasks;
    this.phase = tasks.phase;
    this.failures = failures;
  }

  /** The peer is closing: the loop ends at its next turn. */
  void stop() {
    stopping = true;
  }

  /** Whether {@link #stop()} was called. */
  boolean stopping() {
    return stopping;
  }

  /** Waits until the loop has read the device dry once after this call ({@code FakePeer.awaitQueueRead}). */
  public boolean awaitQueueRead(java.time.Duration timeout) {
    if (thread.isCurrent() || !tasks.isRunning()) {
      return false;
    }
    CompletableFuture<Void> read = new CompletableFuture<>();
    readBarriers.add(read);
    device.wakeup();
    try {
      read.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /** Nobody waits for this peer any more: the callers of {@link #awaitQueueRead} still waiting are let go. */
  void cancelReadBarriers() {
    for (CompletableFuture<Void> b; (b = readBarriers.poll()) != null; ) {
      b.cancel(false);
    }
  }

  /** Opens the packet ring on the device ({@code on}), or closes it. */
  private void stamps(boolean on) {
    if (on) {
      stamps = ArrivalStamps.open(device.name());
      noStamps = stamps == null;
    } else if (stamps != null) {
      try {
        stamps.close();
      } finally {
        stamps = null;
      }
    }
  }

  /** The peer's work; true when close() took the peer off the thread while it waited. */
  boolean run() {
    ByteBuffer in = buffers.in;
    List<CompletableFuture<Void>> barriers = new ArrayList<>();
    try {
      while (!stopping && !thread.closing()) {
        for (CompletableFuture<Void> b; (b = readBarriers.poll()) != null; ) {
          barriers.add(b); // taken before the reads below: they see everything queued before the call
        }
        int handled = 0;
        ArrivalClock arrivals = faults.arrivals;
        faults.fromDevice = true;
        while (handled < BATCH) {
          int n = device.read(in);
          if (n == 0) {
            if (arrivals.enabled) {
              arrivals.empty(System.nanoTime());
            }
            break;
          }
          if (arrivals.enabled) {
            arrivals.packetRead();
            if (stamps != null) {
              arrivals.stamped(stamps.arrival(in, n));
            }
          }
          dispatch.handle(in, n);
          handled++;
        }
        tcp.flush();
        faults.fromDevice = false;
        tasks.runTasks();
        if (faults.latency != (stamps != null) && !noStamps) {
          stamps(faults.latency); // the rules just changed (a task), or the peer just started
        }
        tcp.flush();
        long now = System.nanoTime();
        tcp.readAll(handled < BATCH);
        if (tcp.readAll() && !barriers.isEmpty()) {
          barriers.forEach(b -> b.complete(null));
          barriers.clear();
        }
        tcp.fireTimers(now);
        faults.timersFired(); // after the ACKs of delayed packets went out
        long next = tcp.nextTimer();
        next = runs.fireTimers(now, next);
        if (handled == BATCH || stopping || !tasks.isEmpty()) {
          continue; // more to read, or tasks queued meanwhile (by the timers, a server's session)
        }
        slice.shortSlices(faults.arrivals.enabled); // does nothing unless that changed
        long wait = next == Long.MAX_VALUE ? -1 : Math.max(0, next - now);
        if (wait >= 0 && wait < FINE_WAIT_NANOS) {
          // poll counts whole milliseconds: the last one before a timer is waited in short parks, so
          // that delayed packets leave on time (latency, bandwidth) while new ones are read within them
          java.util.concurrent.locks.LockSupport.parkNanos(Math.min(wait, FINE_WAIT_SLICE_NANOS));
          if (faults.arrivals.enabled) {
            faults.arrivals.parked();
          }
          continue;
        }
        int timeout = wait < 0 ? -1
            : (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(wait - FINE_WAIT_NANOS)));
        phase.set(WAITING); // barriers is empty here: every read ran the queue dry
        if (!tasks.isEmpty()) { // offered before it saw WAITING: it did not wake the device
          if (!phase.compareAndSet(WAITING, BUSY)) {
            return true; // close() took this peer meanwhile
          }
          continue;
        }
        boolean timing = faults.arrivals.enabled;
        if (timing) {
          faults.arrivals.waiting();
        }
        boolean readable;
        try {
          readable = device.awaitReadable(timeout);
        } catch (RuntimeException | Error e) {
          if (!phase.compareAndSet(WAITING, BUSY)) {
            return true; // close() took this peer meanwhile: its end is not this peer's failure
          }
          throw e;
        }
        if (!phase.compareAndSet(WAITING, BUSY)) {
          return true; // close() took this peer: touch nothing of it
        }
        if (timing) {
          faults.arrivals.woke(readable, timeout < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeout),
              !tasks.isEmpty() || !readBarriers.isEmpty());
        }
      }
    } catch (TunException e) {
      if (!stopping && device.isOpen()) {
        failures.fail(e);
      } else if (!stopping) {
        LOG.log(System.Logger.Level.DEBUG, "peer on {0} stops: device closed", device.name());
      }
    } catch (Throwable t) {
      failures.fail(t);
    } finally {
      barriers.forEach(b -> b.cancel(false));
      slice.shortSlices(false); // the thread may serve another peer
      stamps(false);
    }
    return false;
  }
}
