package io.faketcp.peer;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.PacketViews;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.PeerThreadAccess;
import io.faketcp.peer.internal.connectmany.ClientPool;
import io.faketcp.peer.internal.connectmany.ConnectManyRun;
import io.faketcp.peer.internal.servers.ServerPool;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Plays every other address of a {@link TunDevice}'s subnet: one daemon thread reads the device
 * and answers ICMP echo requests, TCP and UDP according to {@link Rules}, keeping a connection table so
 * that replies are correct TCP (random ISNs, real sequence and acknowledgment numbers).
 *
 * <pre>{@code
 * try (TunDevice tun = TunDevice.builder().open();
 *      FakePeer peer = FakePeer.builder(tun).mode(Mode.ECHO).start()) {
 *   try (Socket s = new Socket("192.168.0.7", 7)) { ... } // an echo server at every address
 * }
 * }</pre>
 *
 * <p>The peer never dies of a bad packet: malformed input is counted and logged at DEBUG with the
 * reason and a hex dump. If its thread stops for any other reason (the device was deleted, a bug),
 * the cause is kept as {@link #failure()} and passed to the failure handler; an exception from a
 * {@link Responder} is recorded the same way, and the peer goes on.
 *
 * <p>{@link #close()} stops the thread; the device stays open (close it after the peer).
 */
public final class FakePeer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(FakePeer.class.getName());
  private static final int BATCH = 64;
  /** A timer due within this is waited for in short parks, not in poll's whole milliseconds. */
  private static final long FINE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** How long one such park lasts at most: packets arriving meanwhile wait no longer to be read. */
  private static final long FINE_WAIT_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  /** How often {@link #awaitHeldPackets} looks again. */
  private static final long HELD_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
  /** The system property giving the seed of random faults when the builder gives none ({@link Builder#seed}). */
  public static final String SEED_PROPERTY = "faketcp.seed";

  private final TunDevice device;
  private final Subnet subnet;
  private final Counters counters = new Counters();
  /** The peer thread's scheduler slice, short while a timing fault is in force. Peer thread only. */
  private final TimerSlice slice = new TimerSlice();
  private final Wire wire;
  /** Carries the IPv6 subnet through the IPv4 engine; null without one. */
  private final FamilyTranslator translator;
  /** Native buffers reused from an earlier peer; given back when this peer's thread ends. */
  private final PeerBuffers buffers;
  private final FaultLayer faults;
  /** The seed of random faults when the rules give none: the builder's, else -Dfaketcp.seed, else chosen at random. */
  private final long defaultSeed;
  private final TcpDemux tcp;
  /** The fake hosts as the rules in force say. */
  private final RulesHosts hosts;
  private final UdpDemux udp;
  private final DatagramPool datagrams;
  private final Responder responder;
  private final PacketListener listener;
  private final Consumer<Throwable> failureHandler;
  /** The peer thread's packet views, re-pointed at each packet: parsing allocates nothing. */
  private final PacketViews views = new PacketViews();
  /** The host's fragmented datagrams, put together before TCP and ICMP see them. */
  private final FragmentReassembly fragments = new FragmentReassembly(System::nanoTime);
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Callers of {@link #awaitQueueRead} waiting for the peer to read its device dry. */
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> readBarriers = new ConcurrentLinkedQueue<>();
  private final List<ConnectManyRun> runs = new ArrayList<>();
  private final List<ConnectManyRun> finishedRuns = new ArrayList<>();
  private final ConnectManyRun.Sources sources;
  private final ConnectManyRun.Sources sources6;
  private final ClientPool clients = new ClientPool();
  private final ServerPool servers;
  private final RelayGate relays;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  /** The thread this peer runs on: its own, or one a fixture keeps per device for peer after peer. */
  private final PeerThread thread;
  /** Whether {@link #thread} is this peer's own, ended by {@link #close()}. */
  private final boolean ownThread;
  /** Where this peer is in its life on {@link #thread}: {@link #NEW}, {@link #BUSY}, {@link #WAITING} or {@link #ENDED}. */
  private final AtomicInteger phase = new AtomicInteger(NEW);
  /** Served, not yet run by the thread. */
  private static final int NEW = 0;
  /** The thread is reading, answering or running tasks for this peer. */
  private static final int BUSY = 1;
  /** The thread waits for packets with nothing of this peer's in hand: close() may take the peer off it. */
  private static final int WAITING = 2;
  /** Done: stopped, failed, or taken off the thread; it never touches this peer again. */
  private static final int ENDED = 3;
  /** Counted down when the peer is {@link #ENDED}: what a {@link #close()} that had to wake the thread waits for. */
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile boolean stopping;
  /** The peers on the other queues of a multi-queue device ({@link Builder#queueOf}); null when alone. */
  private volatile QueueGroup queues;
  /** How many queues' peers did not know the connection of the packet being handled; peer thread only. */
  private int missedBy;
  /** The device completes checksums ({@link TunDevice#checksumOffload()}). */
  private final boolean checksumOffload;
  /** The packet being dispatched came straight from the device with its TCP checksum pending; peer thread only. */
  private boolean checksumPending;
  /** Set once {@link #close()} has seen the thread end: the buffers are given back, nothing is sent any more. */
  private volatile boolean closed;

  static {
    PeerThreadAccess.install(new PeerThreadAccess<TunDevice, Builder>() {
      @Override
      public AutoCloseable keep(TunDevice device) {
        return new PeerThread(device);
      }

      @Override
      public Builder onThread(Builder builder, AutoCloseable thread) {
        if (!(thread instanceof PeerThread) || ((PeerThread) thread).device() != builder.device) {
          throw new IllegalArgumentException(thread + " is not a peer thread of " + builder.device.name());
        }
        builder.thread = (PeerThread) thread;
        return builder;
      }
    });
  }

  private FakePeer(Builder b) {
    this.device = b.device;
    this.checksumOffload = b.device.checksumOffload();
    this.subnet = b.device.subnet();
    this.listener = b.listener;
    this.responder = b.responder;
    this.failureHandler = b.failureHandler;
    Long property = Long.getLong(SEED_PROPERTY);
    this.defaultSeed = b.seed != null ? b.seed
        : property != null ? property : new java.util.SplittableRandom().nextLong();
    this.translator = b.device.subnet6().map(FamilyTranslator::new).orElse(null);
    this.faults = new FaultLayer(counters, ipv6Packets(b.faultListener), defaultSeed);
    this.buffers = PeerBuffers.take();
    this.wire = new Wire(device, counters, listener, faults, buffers, translator);
    this.servers = new ServerPool(device.name(), this::offer, this::record);
    servers.addresses(this::inet);
    this.hosts = new RulesHosts(b.rules, servers);
    this.tcp = new TcpDemux(wire, counters, device.mtu(), hosts, System::nanoTime);
    tcp.faults(faults);
    faults.attach(wire, this::deliver, tcp.timers());
    faults.install(b.rules, defaultSeed);
    this.sources = new ConnectManyRun.Sources(subnet);
    // IPv6 sources: the prefix's ::2 to ::fe, as many fake hosts as an IPv4 /24 has
    this.sources6 = new ConnectManyRun.Sources(translator == null ? 0 : translator.idAt(2), 253,
        device.subnet6().map(Subnet::toString).orElse("no IPv6 subnet"));
    this.relays = new RelayGate(tcp, wire, hosts, syn -> offer(() -> dispatch(ByteBuffer.wrap(syn), false)));
    hosts.relays(relays);
    tcp.otherQueues(this::handOver);
    this.datagrams = new DatagramPool(device.name(), this::offer, wire::send, this::record);
    this.udp = new UdpDemux(wire, subnet, hosts::rules, datagrams, device.mtu(), this::inet);
    this.ownThread = b.thread == null;
    this.thread = ownThread ? new PeerThread(device) : b.thread;
  }

  /** A builder for a peer on {@code device}; by default every host ACCEPTs. */
  public static Builder builder(TunDevice device) {
    if (device == null) {
      throw new IllegalArgumentException("device is null");
    }
    return new Builder(device);
  }

  /** The device this peer answers on. */
  public TunDevice device() {
    return device;
  }

  /**
   * Every host now behaves as {@code mode} (rules are dropped; faults given with
   * {@link Rules#withFault} stay). In force when this returns.
   */
  public void mode(Mode mode) {
    rules(hosts.rules().withOnly(mode));
  }

  /** Replaces the rules, with their faults. In force when this returns; thread-safe. */
  public void rules(Rules rules) {
    if (rules == null) {
      throw new IllegalArgumentException("rules is null");
    }
    if (closed) { // a closed peer sends nothing more (its device may be serving another peer by now)
      hosts.rules(rules);
      faults.install(rules, defaultSeed);
      return;
    }
    onPeerThread(() -> {
      hosts.rules(rules);
      faults.install(rules, defaultSeed);
      tcp.faultsChanged();
      tcp.flush();
    });
  }

  /**
   * Adds {@code fault} to the rules in force, for the packets and connections from now on.
   *
   * <pre>{@code
   * peer.fault(Fault.parse("loss=10%"));   // mid-conversation
   * peer.clearFaults();
   * }</pre>
   */
  public void fault(Fault fault) {
    rules(hosts.rules().withFault(fault));
  }

  /** Removes every fault (rules' and others); packets a fault already delayed still arrive. */
  public void clearFaults() {
    rules(hosts.rules().withoutFaults());
  }

  /**
   * The seed of the random faults: the network's ({@link Builder#seed}), else {@code -Dfaketcp.seed},
   * else a random one; a {@code seed=N} spec in the rules ({@link Rules#seed()}) wins over all three.
   */
  public long seed() {
    return faults.seed();
  }

  /**
   * How many times each fault put in force so far has acted (dropped, delayed, forged...), in order,
   * keyed by the fault as it is in force: a {@link Rule}'s faults with the rule's {@link Scope}.
   */
  public java.util.Map<Fault, Long> faultActions() {
    return faults.actions();
  }

  /** The rules in force. */
  public Rules rules() {
    return hosts.rules();
  }

  /** The counters so far; safe from any thread. */
  public PeerCounters counters() {
    return snapshot(counters);
  }

  /** The counters' values now, as the public record. */
  static PeerCounters snapshot(Counters c) {
    return new PeerCounters(c.get(Counters.PACKETS_IN), c.get(Counters.PACKETS_OUT), c.get(Counters.BYTES_IN),
        c.get(Counters.BYTES_OUT), c.get(Counters.BAD), c.get(Counters.IGNORED), c.get(Counters.ECHO_REPLIES),
        c.get(Counters.RESETS_SENT), c.get(Counters.CONNECTIONS_OPENED), c.get(Counters.SYN_RECEIVED),
        c.get(Counters.SYN_SENT), c.get(Counters.ESTABLISHED), c.get(Counters.CLOSING), c.get(Counters.FAILURES),
        c.get(Counters.WRITE_ERRORS), c.get(Counters.RETRANSMISSIONS), c.get(Counters.ABORTED),
        c.get(Counters.FAULT_ACTIONS), c.get(Counters.FAULT_DROPS));
  }

  /** The first failure of the peer's thread or of a responder, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Whether the peer's thread is running it. */
  public boolean isRunning() {
    return phase.get() != ENDED && thread.isAlive();
  }

  /** Whether this peer is done on its thread (closed, failed or never run): the thread will not touch it again. */
  boolean ended() {
    return phase.get() == ENDED;
  }

  /**
   * Starts a connect-many run; the future completes once every connection is established or failed.
   *
   * @throws IllegalArgumentException if the target is not the host's address on this device
   */
  public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
    java.net.InetAddress target = request.target().getAddress();
    ConnectManyRun run;
    if (target instanceof java.net.Inet6Address) {
      if (translator == null || !target.equals(translator.address(translator.hostId()))) {
        throw new IllegalArgumentException("connect-many target " + target.getHostAddress() + " is not the host's"
            + " IPv6 address on " + device.name() + ": " + (translator == null ? "the device has no IPv6 subnet"
            : "use " + translator.address(translator.hostId()).getHostAddress() + " (a server listening on it or"
            + " on ::)"));
      }
      run = new ConnectManyRun(request.plan(), tcp, sources6, clients, translator.hostId());
    } else {
      if (!(target instanceof Inet4Address) || Subnet.toInt((Inet4Address) target) != subnet.hostAddressInt()
          || !device.hasIpv4()) {
        throw new IllegalArgumentException("connect-many target " + target.getHostAddress()
            + " is not the host's address on " + device.name() + ": use " + subnet.hostAddress().getHostAddress()
            + " (a server listening on it or on 0.0.0.0)");
      }
      run = new ConnectManyRun(request.plan(), tcp, sources, clients);
    }
    CompletableFuture<ConnectManyResult> result = run.future.thenApply(o -> new ConnectManyResult(request,
        o.established, o.refused, o.timedOut, o.synRetransmissions, o.elapsed));
    submit(() -> {
      runs.add(run);
      run.start(System.nanoTime());
    });
    return result;
  }

  /**
   * Runs connect-many and waits for its result (at most the request's timeout plus a margin).
   *
   * @throws IllegalStateException if the peer stopped before the run ended
   */
  public ConnectManyResult connectMany(ConnectMany request) {
    CompletableFuture<ConnectManyResult> future = connectManyAsync(request);
    try {
      return future.get(request.timeout().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + request, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(request + " did not finish: " + failure().map(Throwable::toString)
          .orElse(e.toString()), e);
    }
  }

  /**
   * Closes every connection opened by connect-many: with FIN (an orderly close the server sees as
   * end of stream) or RST (the server sees "connection reset"). Waits until the segments are sent.
   */
  public void closeClientConnections(boolean reset) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(() -> {
      for (ConnectManyRun run : runs) {
        run.closeAll(reset);
      }
      for (ConnectManyRun run : finishedRuns) {
        run.closeAll(reset);
      }
      finishedRuns.clear();
      done.complete(null);
    });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("closing client connections failed: " + failure().map(Throwable::toString)
          .orElse(e.toString()), e);
    }
  }

  /** Runs {@code task} on the peer's thread and waits for it; directly when the thread is not running. */
  private void onPeerThread(Runnable task) {
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

  /**
   * Waits until the peer has read every packet the host had queued on the device when this was called
   * (what a view of the traffic through the peer's own eyes needs before it is complete: the host's
   * last ACK of a handshake may still be queued when {@code connect} returns), at most {@code timeout}.
   *
   * @return false if the peer is not running or the time ran out
   */
  public boolean awaitQueueRead(java.time.Duration timeout) {
    if (thread.isCurrent() || !isRunning()) {
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

  /**
   * How many packets the faults hold back right now: delayed by {@code latency}, {@code latency-in} or
   * {@code bandwidth}, or held by {@code reorder}, in either direction. Each will still reach the host
   * or a fake host, even after its connection has closed. Any thread.
   */
  public int heldPackets() {
    return (int) counters.get(Counters.HELD);
  }

  /**
   * Waits until no packet is held back by a fault ({@link #heldPackets()}), at most until the last
   * packet held when this is called is due, plus {@code grace} for the peer's thread to send it.
   * Returns at once when none is held: free without faults.
   *
   * <pre>{@code
   * peer.awaitHeldPackets(Duration.ofMillis(100)); // a fake host's FIN delayed by latency=20ms is out
   * }</pre>
   *
   * @return true when no packet is held any more
   */
  public boolean awaitHeldPackets(java.time.Duration grace) {
    if (heldPackets() == 0) {
      return true;
    }
    long deadline = faults.heldUntil() + grace.toNanos();
    while (heldPackets() > 0) {
      if (System.nanoTime() - deadline >= 0 || !isRunning()) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(HELD_POLL_NANOS);
    }
    return true;
  }

  /** The threads serving {@link Server} connections. */
  ServerPool servers() {
    return servers;
  }

  /**
   * Queues {@code task} for the peer thread from any thread; false if the peer is not running. The
   * device's wake-up (a system call here, and a poll and a read on the peer thread) only when the
   * thread waits: a busy one runs the task in its loop, and one about to wait sees it first (the
   * loop looks at the queue after saying it waits, this looks at the phase after queueing).
   */
  private boolean offer(Runnable task) {
    if (!isRunning()) {
      return false;
    }
    tasks.add(task);
    if (phase.get() != BUSY) {
      device.wakeup();
    }
    return true;
  }

  private void submit(Runnable task) {
    if (!isRunning()) {
      throw new IllegalStateException("the peer on " + device.name() + " is not running"
          + failure().map(f -> ": it stopped with " + f).orElse(""));
    }
    tasks.add(task);
    device.wakeup();
  }

  /**
   * Stops the peer and waits until its thread is done with it (up to 5 seconds); its own thread ends
   * too. The device is left open. Idempotent.
   *
   * <p>A peer whose thread waits for packets, with nothing of the peer's in hand, is taken off it at
   * once, without waking it: the rest of its stopping (servers, connect-many runs, waiting callers) is
   * done here. Otherwise the thread is woken and finishes the peer itself.
   */
  @Override
  public void close() {
    stopping = true;
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

  private FakePeer startThread() {
    thread.serve(this);
    return this;
  }

  /** On the thread, when the device went away before this peer ran. */
  void endWithoutRunning(Throwable cause) {
    if (phase.compareAndSet(NEW, ENDED)) {
      if (!stopping && device.isOpen()) {
        fail(cause);
      }
      finish();
      ended.countDown();
    }
  }

  /**
   * On the thread: runs this peer until it is closed, fails, or is taken off the thread while the
   * thread waited ({@link #close()}); then the thread may serve the next peer.
   */
  void runOnThisThread() {
    if (!phase.compareAndSet(NEW, BUSY)) {
      return; // closed before it ran; close() finished it
    }
    boolean takenOff = false;
    try {
      takenOff = loop();
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
    for (CompletableFuture<Void> b; (b = readBarriers.poll()) != null; ) {
      b.cancel(false);
    }
    stopServers();
    faults.arrivals.close();
    for (ConnectManyRun run : runs) {
      run.future.completeExceptionally(failure().orElse(new IllegalStateException("the peer stopped")));
    }
  }

  /** The peer's work; true when close() took the peer off the thread while it waited. */
  private boolean loop() {
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
          }
          handle(in, n);
          handled++;
        }
        tcp.flush();
        faults.fromDevice = false;
        runTasks();
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
        for (int i = 0; i < runs.size(); i++) {
          ConnectManyRun run = runs.get(i);
          run.fireTimers(now);
          run.pump(now);
          if (run.done()) {
            runs.remove(i--);
            finishedRuns.add(run);
          } else {
            next = Math.min(next, run.nextDeadline());
          }
        }
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
        fail(e);
      } else if (!stopping) {
        LOG.log(System.Logger.Level.DEBUG, "peer on {0} stops: device closed", device.name());
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      barriers.forEach(b -> b.cancel(false));
      slice.shortSlices(false); // the thread may serve another peer
    }
    return false;
  }

  /** Resets the connections of servers still running and interrupts them; then runs what they queued. */
  private void stopServers() {
    try {
      relays.close();
      datagrams.stop();
      servers.stop();
      runTasks();
      tcp.flush();
    } catch (TunException e) {
      LOG.log(System.Logger.Level.DEBUG, "peer on {0}: device gone while resetting server connections", device.name());
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private void fail(Throwable t) {
    record(t);
    LOG.log(System.Logger.Level.ERROR, "peer on " + device.name() + " stopped: " + t, t);
  }

  private void record(Throwable t) {
    counters.increment(Counters.FAILURES);
    if (!failure.compareAndSet(null, t)) {
      failure.get().addSuppressed(t);
    }
    if (failureHandler != null) {
      failureHandler.accept(t);
    }
  }

  private void handle(ByteBuffer in, int length) {
    counters.increment(Counters.PACKETS_IN);
    counters.add(Counters.BYTES_IN, length);
    boolean pending = checksumOffload && device.checksumPending()
        && PendingChecksums.leavePending(in, length,
            listener != null || responder != null || faults.active || queues != null);
    if (listener != null) {
      listener.packet(Direction.TO_PEER, in.duplicate());
    }
    if ((in.get(0) & 0xf0) != 0x40) {
      int at = translator != null && (in.get(0) & 0xf0) == 0x60 ? translator.toIpv4(in, length) : -1;
      if (at < 0) {
        counters.increment(Counters.IGNORED); // not for a fake host, or not IP at all
        return;
      }
      in.position(at); // the IPv6 packet, now IPv4 with the hosts' ids, ends where it ended
    }
    checksumPending = pending; // no try/finally: a failure here ends the peer
    dispatch(in, true);
    checksumPending = false;
  }

  /** A packet of the host's that a fault delayed: handled now, past the faults. */
  private void deliver(ByteBuffer packet) {
    dispatch(packet, false);
  }

  /** A segment of no connection known here: handed to the next queue's peer, if one is left to ask. */
  private boolean handOver(TcpSegment segment) {
    QueueGroup group = queues;
    Ipv4Packet ip = segment.ip();
    return group != null && group.handOver(this, ip.buffer(), ip.offset(), ip.totalLength(), missedBy + 1);
  }

  /**
   * A packet read on another queue of the device by a peer ({@code missedBy} peers, in fact) that did
   * not know its connection: handled on this peer's thread as if read here, past the faults.
   */
  boolean handedOver(byte[] packet, int missedBy) {
    return offer(() -> {
      this.missedBy = missedBy;
      try {
        dispatch(ByteBuffer.wrap(packet), false);
      } finally {
        this.missedBy = 0;
      }
    });
  }

  /** The group of the device's queues, with this peer first when it is new. */
  private synchronized QueueGroup queueGroup() {
    if (queues == null) {
      QueueGroup group = new QueueGroup();
      group.join(this);
      queues = group;
    }
    return queues;
  }

  private void dispatch(ByteBuffer in, boolean throughFaults) {
    Ipv4Packet ip;
    try {
      // A responder gets a view of its own, which it may keep as long as it keeps the bytes valid.
      ip = responder == null ? views.ipv4(in) : Ipv4Packet.wrap(in);
      int destination = ip.destinationInt();
      // an IPv6 id (240.0.0.0/4) comes only from the translation: the kernel routes no such IPv4 address here
      if (FamilyTranslator.isIpv6(destination) ? translator == null
          : !subnet.contains(destination) || destination == subnet.hostAddressInt() || !device.hasIpv4()) {
        counters.increment(Counters.IGNORED);
        return;
      }
      if (throughFaults && faults.active && faults.incoming(ip)) {
        return;
      }
      if (ip.isFragment()) {
        reassemble(ip); // each fragment met the faults on its own, as on a wire
        return;
      }
      if (responder != null && respond(ip)) {
        return;
      }
      switch (ip.protocol()) {
        case IpProtocol.TCP:
          TcpSegment segment = checksumPending ? views.tcpWithChecksumPending(ip) : views.tcp(ip);
          if (!relays.hold(segment)) {
            tcp.handle(segment, !checksumPending);
          }
          break;
        case IpProtocol.ICMP:
          icmp(ip);
          break;
        case IpProtocol.UDP:
          if (!udp.handle(views.udp(ip))) {
            counters.increment(Counters.IGNORED);
          }
          break;
        default:
          counters.increment(Counters.IGNORED);
      }
    } catch (MalformedPacketException e) {
      counters.increment(Counters.BAD);
      if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
        LOG.log(System.Logger.Level.DEBUG, "bad packet on {0} ({1}): {2}", device.name(), e.reason(),
            Tcpdump.hexDump(in, 128));
      }
    }
  }

  /** A fragment: held; the datagram it completes is handled whole; a bad one is counted and dropped. */
  private void reassemble(Ipv4Packet fragment) {
    ByteBuffer datagram = fragments.add(fragment);
    if (datagram != null) {
      if (translator != null) {
        FamilyTranslator.completeIcmp(datagram);
      }
      dispatch(datagram, false);
    } else if (fragments.outcome() == FragmentReassembly.Outcome.DISCARDED) {
      counters.increment(Counters.BAD);
      LOG.log(System.Logger.Level.DEBUG, "fragment dropped on {0} with its datagram: {1}", device.name(), fragment);
    }
  }

  private boolean respond(Ipv4Packet ip) {
    try {
      return responder.respond(ip, wire);
    } catch (TunException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      record(e);
      LOG.log(System.Logger.Level.WARNING, "responder failed on " + ip + ": " + e, e);
      return true;
    }
  }

  private void icmp(Ipv4Packet ip) throws MalformedPacketException {
    IcmpMessage message = views.icmp(ip);
    if (!message.isEchoRequest()) {
      counters.increment(Counters.IGNORED);
      return;
    }
    int length = IcmpMessage.writeEchoReply(ip, wire.buffer(), 0);
    counters.increment(Counters.ECHO_REPLIES);
    wire.send(length);
  }

  /**
   * {@code listener}, told of IPv6 packets as IPv6: the faults see them in the engine's IPv4 form,
   * translated back here into a buffer of the listener's own.
   */
  private FaultListener ipv6Packets(FaultListener listener) {
    if (listener == null || translator == null) {
      return listener;
    }
    FamilyTranslator back = new FamilyTranslator(translator.prefix());
    return (action, fault, direction, packet, delayNanos) -> {
      int at = packet.position();
      int length = packet.remaining();
      if (length >= 20 && (packet.get(at) & 0xf0) == 0x40 && (FamilyTranslator.isIpv6(packet.getInt(at + 16))
          || FamilyTranslator.isIpv6(packet.getInt(at + 12)))) {
        int n = back.toIpv6(packet.slice(at, length), length);
        if (n > 0) {
          listener.acted(action, fault, direction, back.buffer().duplicate().position(0).limit(n), delayNanos);
          return;
        }
      }
      listener.acted(action, fault, direction, packet, delayNanos);
    };
  }

  /** The address of a fake host or the host as the engine holds it: IPv4, or an IPv6 id's address. */
  private java.net.InetAddress inet(int address) {
    return translator != null && FamilyTranslator.isIpv6(address) ? translator.address(address)
        : Ipv4Packet.toInet4Address(address);
  }

  @Override
  public String toString() {
    return "FakePeer on " + device + " (" + hosts.rules() + ")";
  }

  /** Configures and {@linkplain #start() starts} a {@link FakePeer}. */
  public static final class Builder {
    private final TunDevice device;
    private Rules rules = Rules.of(Mode.ACCEPT);
    private Responder responder;
    private PacketListener listener;
    private FaultListener faultListener;
    private Consumer<Throwable> failureHandler;
    private Long seed;
    private PeerThread thread;
    private FakePeer firstQueue;

    private Builder(TunDevice device) {
      this.device = device;
    }

    /** Every host behaves as {@code mode}; replaces any rules. */
    public Builder mode(Mode mode) {
      this.rules = Rules.of(mode);
      return this;
    }

    /** Adds a rule after those already given; the default stays. */
    public Builder rule(Rule rule) {
      this.rules = rules.with(rule);
      return this;
    }

    /** Replaces rules and default. */
    public Builder rules(Rules rules) {
      if (rules == null) {
        throw new IllegalArgumentException("rules is null");
      }
      this.rules = rules;
      return this;
    }

    /**
     * Adds a fault for every fake host (or those of its {@code @ADDRESSES:PORTS}); see {@link Fault}.
     *
     * <pre>{@code
     * FakePeer.builder(tun).mode(Mode.ECHO).fault(Fault.latency(Duration.ofMillis(50))).start();
     * }</pre>
     */
    public Builder fault(Fault fault) {
      this.rules = rules.withFault(fault);
      return this;
    }

    /**
     * The seed of every random fault: the same seed drops the same packets for the same traffic.
     * Without it {@code -Dfaketcp.seed}, else a random one; {@link FakePeer#seed()} tells which.
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Hears what each fault does, on the peer's thread. */
    public Builder faultListener(FaultListener listener) {
      this.faultListener = listener;
      return this;
    }

    /** Consulted for every packet before the mode. */
    public Builder responder(Responder responder) {
      this.responder = responder;
      return this;
    }

    /** Sees every packet read and written, on the peer's thread. */
    public Builder listener(PacketListener listener) {
      this.listener = listener;
      return this;
    }

    /** Called on the peer's thread with each failure (the peer stopping, a responder throwing). */
    public Builder onFailure(Consumer<Throwable> handler) {
      this.failureHandler = handler;
      return this;
    }

    /**
     * This peer answers on another queue of {@code first}'s multi-queue device ({@link TunDevice#addQueue}),
     * one thread per queue. The kernel keeps most flows on one queue, but not all: a segment read on
     * one queue for a connection another queue's peer holds (the host's SYN+ACK to connect-many, a
     * flow the kernel moved after 3 s of silence) is handed to that peer instead of being answered
     * with RST.
     *
     * <pre>{@code
     * FakePeer first = FakePeer.builder(tun).mode(Mode.ECHO).start();
     * FakePeer second = FakePeer.builder(tun.addQueue()).mode(Mode.ECHO).queueOf(first).start();
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code first} is null or answers on another interface
     */
    public Builder queueOf(FakePeer first) {
      if (first == null) {
        throw new IllegalArgumentException("queueOf(first): first is null");
      }
      if (first.device == device || !first.device.name().equals(device.name())) {
        throw new IllegalArgumentException("queueOf(first): the peer on " + device + " is not on another queue of "
            + first.device + ": open one with first.device().addQueue()");
      }
      this.firstQueue = first;
      return this;
    }

    /** Starts the peer's thread; it is answering when this returns. */
    public FakePeer start() {
      if (!device.isOpen()) {
        throw new IllegalStateException("device " + device.name() + " is closed");
      }
      FakePeer peer = new FakePeer(this);
      if (firstQueue != null) {
        QueueGroup group = firstQueue.queueGroup();
        group.join(peer);
        peer.queues = group;
      }
      return peer.startThread();
    }
  }

}
