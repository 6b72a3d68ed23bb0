package io.faketcp.peer.internal.loop;

import static io.faketcp.peer.internal.loop.PeerTasks.BUSY;
import static io.faketcp.peer.internal.loop.PeerTasks.ENDED;
import static io.faketcp.peer.internal.loop.PeerTasks.NEW;
import static io.faketcp.peer.internal.loop.PeerTasks.WAITING;

import io.faketcp.peer.internal.connectmany.ConnectManyRuns;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.servers.ServerPool;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.udp.DatagramPool;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, not API. A peer's life on its {@link PeerThread}: started there, run by its {@link PeerLoop}, and ended once,
 * by whichever thread gets there first. A peer closed while its thread waits for packets is taken off
 * the thread without waking it, and finished by {@link #close()}; otherwise the thread finishes it.
 * Finishing stops the servers, the relays and connect-many, lets every waiting caller go, and gives
 * the buffers back once nothing can touch them.
 */
public final class PeerLife {
  private static final System.Logger LOG = System.getLogger(PeerThread.LOG_NAME);

  private final TunDevice device;
  /** The thread this peer runs on: its own, or one a fixture keeps per device for peer after peer. */
  private final PeerThread thread;
  /** Whether {@link #thread} is this peer's own, ended by {@link #close()}. */
  private final boolean ownThread;
  private final PeerTasks tasks;
  /** {@link PeerTasks#phase}: where the peer is in its life on {@link #thread}. */
  private final AtomicInteger phase;
  private final PeerLoop loop;
  private final PeerFailures failures;
  private final ServerPool servers;
  private final DatagramPool datagrams;
  private final RelayGate relays;
  private final TcpDemux tcp;
  private final FaultLayer faults;
  private final ConnectManyRuns runs;
  /** Native buffers reused from an earlier peer; given back when this peer's thread ends. */
  private final PeerBuffers buffers;
  /**
   * Counted down when the peer is {@link PeerTasks#ENDED}: what a {@link #close()} that had to wake the thread
   * waits for.
   */
  private final CountDownLatch ended = new CountDownLatch(1);
  /** Set once {@link #close()} has seen the thread end: the buffers are given back, nothing is sent any more. */
  private volatile boolean closed;

  public PeerLife(TunDevice device, PeerThread thread, boolean ownThread, PeerTasks tasks, PeerLoop loop,
      PeerFailures failures, ServerPool servers, DatagramPool datagrams, RelayGate relays, TcpDemux tcp,
      FaultLayer faults, ConnectManyRuns runs, PeerBuffers buffers) {
    this.device = device;
    this.thread = thread;
    this.ownThread = ownThread;
    this.tasks = tasks;
    this.phase = tasks.phase;
    this.loop = loop;
    this.failures = failures;
    this.servers = servers;
    this.datagrams = datagrams;
    this.relays = relays;
    this.tcp = tcp;
    this.faults = faults;
    this.runs = runs;
    this.buffers = buffers;
  }

  /** Whether {@link #close()} has seen the thread end: the peer sends nothing any more. */
  public boolean closed() {
    return closed;
  }

  /** Has the thread run {@code peer}, this life's peer. */
  public void start(PeerThread.Peer peer) {
    thread.serve(peer);
  }

  /** Stops the peer and waits until its thread is done with it ({@code FakePeer.close()}). */
  public void close() {
    loop.stop();
    if (phase.compareAndSet(WAITING, ENDED) || phase.compareAndSet(NEW, ENDED)) {
      finish(); // the thread will not touch this peer again: it checks the phase when it wakes
      ended.countDown();
    } else if (phase.get() != ENDED) {
      if (device.isOpen()) {
        device.wakeup();
      }
      if (!thread.isCurrent()) {
        try {
          if (!ended.await(5, TimeUnit.SECONDS)) {
            LOG.log(System.Logger.Level.WARNING, "peer thread {0} did not stop the peer within 5 s", thread.name());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (ownThread) {
      thread.close();
    }
    servers.awaitStopped(java.time.Duration.ofSeconds(5));
    datagrams.awaitStopped(java.time.Duration.ofSeconds(5));
    synchronized (this) {
      if (!closed && phase.get() == ENDED && (!ownThread || !thread.isAlive())) {
        closed = true;
        buffers.release();
      }
    }
  }

  /** On the thread, when the device went away before this peer ran. */
  public void endWithoutRunning(Throwable cause) {
    if (phase.compareAndSet(NEW, ENDED)) {
      if (!loop.stopping() && device.isOpen()) {
        failures.fail(cause);
      }
      finish();
      ended.countDown();
    }
  }

  /**
   * On the thread: runs this peer until it is closed, fails, or is taken off the thread while the
   * thread waited ({@link #close()}); then the thread may serve the next peer.
   */
  public void runOnThisThread() {
    if (!phase.compareAndSet(NEW, BUSY)) {
      return; // closed before it ran; close() finished it
    }
    boolean takenOff = false;
    try {
      takenOff = loop.run();
    } finally {
      if (!takenOff) {
        finish();
        phase.set(ENDED);
        ended.countDown();
      }
    }
  }

  /** What stopping leaves to do, on whichever thread ends the peer: nobody waits for this peer any more. */
  private void finish() {
    loop.cancelReadBarriers();
    stopServers();
    faults.arrivals.close();
    runs.stop();
  }

  /** Resets the connections of servers still running and interrupts them; then runs what they queued. */
  private void stopServers() {
    try {
      relays.close();
      datagrams.stop();
      servers.stop();
      tasks.runTasks();
      tcp.flush();
    } catch (TunException e) {
      LOG.log(System.Logger.Level.DEBUG, "peer on {0}: device gone while resetting server connections", device.name());
    } catch (RuntimeException e) {
      failures.fail(e);
    }
  }
}
