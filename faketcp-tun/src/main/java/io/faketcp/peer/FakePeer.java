package io.faketcp.peer;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.PeerThreadAccess;
import io.faketcp.peer.internal.connectmany.ConnectManyRuns;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.faults.HeldPackets;
import io.faketcp.peer.internal.faults.Ipv6FaultEvents;
import io.faketcp.peer.internal.ip.FamilyTranslator;
import io.faketcp.peer.internal.loop.PacketDispatch;
import io.faketcp.peer.internal.loop.PacketTap;
import io.faketcp.peer.internal.loop.PeerBuffers;
import io.faketcp.peer.internal.loop.PeerFailures;
import io.faketcp.peer.internal.loop.PeerLife;
import io.faketcp.peer.internal.loop.PeerLoop;
import io.faketcp.peer.internal.loop.PeerTasks;
import io.faketcp.peer.internal.loop.PeerThread;
import io.faketcp.peer.internal.loop.Wire;
import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.servers.ServerPool;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.udp.DatagramPool;
import io.faketcp.peer.internal.udp.UdpDemux;
import io.faketcp.tun.TunDevice;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
  /** The system property giving the seed of random faults when the builder gives none ({@link Builder#seed}). */
  public static final String SEED_PROPERTY = "faketcp.seed";

  private final TunDevice device;
  private final Counters counters = new Counters();
  /** Carries the IPv6 subnet through the IPv4 engine; null without one. */
  private final FamilyTranslator translator;
  private final FaultLayer faults;
  /** The seed of random faults when the rules give none: the builder's, else -Dfaketcp.seed, else chosen at random. */
  private final long defaultSeed;
  private final TcpDemux tcp;
  /** The fake hosts as the rules in force say. */
  private final RulesHosts hosts;
  private final PeerFailures failures;
  /** What other threads hand the peer's thread, and the peer's phase on it. */
  private final PeerTasks tasks;
  /** The connect-many runs, driven by the loop. */
  private final ConnectManyRuns runs;
  private final ServerPool servers;
  /** What the peer thread does with each packet it reads. */
  private final PacketDispatch dispatch;
  /** The peer thread's work: read, dispatch, run tasks, fire timers, wait. */
  private final PeerLoop loop;
  /** Starting, closing and finishing the peer on its thread. */
  private final PeerLife life;
  /** The packets the faults hold back. */
  private final HeldPackets held;

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
    this.failures = new PeerFailures(counters, device.name(), b.failureHandler);
    boolean ownThread = b.thread == null;
    // the thread this peer runs on: its own, or one a fixture keeps per device for peer after peer
    PeerThread thread = ownThread ? new PeerThread(device) : b.thread;
    this.tasks = new PeerTasks(device, thread, failures);
    Long property = Long.getLong(SEED_PROPERTY);
    this.defaultSeed = b.seed != null ? b.seed
        : property != null ? property : new java.util.SplittableRandom().nextLong();
    this.translator = b.device.subnet6().map(FamilyTranslator::new).orElse(null);
    this.faults = new FaultLayer(counters, Ipv6FaultEvents.of(EngineFaults.events(b.faultListener), translator),
        defaultSeed);
    // native buffers reused from an earlier peer; given back when this peer's thread ends
    PeerBuffers buffers = PeerBuffers.take();
    PacketTap listener = tap(b.listener);
    Wire wire = new Wire(device, counters, listener, faults, buffers, translator);
    this.servers = new ServerPool(device.name(), tasks::offer, failures::record);
    servers.addresses(this::inet);
    this.hosts = new RulesHosts(b.rules, servers);
    this.tcp = new TcpDemux(wire, counters, device.mtu(), hosts, System::nanoTime);
    tcp.faults(faults.connections());
    this.runs = new ConnectManyRuns(device, translator, tcp, tasks::submit, failures::failure);
    RelayGate relays = new RelayGate(tcp, wire, hosts, this::redeliver);
    hosts.relays(relays);
    DatagramPool datagrams = new DatagramPool(device.name(), tasks::offer, wire::send, failures::record);
    UdpDemux udp = new UdpDemux(wire, device.subnet(), hosts, datagrams, device.mtu(), this::inet);
    Responder.Sink sink = wire::send;
    Responder responder = b.responder;
    this.dispatch = new PacketDispatch(device, counters, wire, translator, faults, listener,
        responder == null ? null : packet -> responder.respond(packet, sink), relays,
        tcp, udp, tasks, failures);
    faults.attach(wire, dispatch::deliver, tcp.timers());
    EngineFaults.install(faults, b.rules, defaultSeed);
    tcp.otherQueues(dispatch::handOver);
    this.loop = new PeerLoop(device, thread, buffers, faults, tcp, dispatch, runs, tasks, failures);
    this.life = new PeerLife(device, thread, ownThread, tasks, loop, failures, servers, datagrams, relays, tcp, faults,
        runs, buffers);
    this.held = new HeldPackets(counters, faults, tasks::isRunning);
  }

  /** A SYN a relay held while its upstream connected: handled again, past the faults, on the peer thread. */
  private boolean redeliver(byte[] syn) {
    return tasks.offer(() -> dispatch.deliver(ByteBuffer.wrap(syn)));
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
    if (life.closed()) { // a closed peer sends nothing more (its device may be serving another peer by now)
      hosts.rules(rules);
      EngineFaults.install(faults, rules, defaultSeed);
      return;
    }
    FaultLayer.warmUpFor(EngineFaults.of(rules)); // here rather than on the peer thread, which has traffic to serve
    tasks.onPeerThread(() -> {
      hosts.rules(rules);
      EngineFaults.install(faults, rules, defaultSeed);
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
    return EngineFaults.actions(faults);
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
    return failures.failure();
  }

  /** Whether the peer's thread is running it. */
  public boolean isRunning() {
    return tasks.isRunning();
  }

  /** This peer as its thread runs it: kept private, so that the API shows none of it. */
  private final class OnThread implements PeerThread.Peer {
    /** Whether this peer is done on its thread (closed, failed or never run): the thread will not touch it again. */
    @Override
    public boolean ended() {
      return tasks.ended();
    }

    /** On the thread: runs this peer until it ends or is taken off the thread ({@link PeerLife#runOnThisThread}). */
    @Override
    public void runOnThisThread() {
      life.runOnThisThread();
    }

    /** On the thread, when the device went away before this peer ran. */
    @Override
    public void endWithoutRunning(Throwable cause) {
      life.endWithoutRunning(cause);
    }

    @Override
    public String toString() {
      return FakePeer.this.toString();
    }
  }

  /** What a user's listener sees, as the loop shows it; null for null. */
  private static PacketTap tap(PacketListener listener) {
    if (listener == null) {
      return null;
    }
    return new PacketTap() {
      @Override
      public void toPeer(ByteBuffer packet) {
        listener.packet(Direction.TO_PEER, packet);
      }

      @Override
      public void fromPeer(ByteBuffer packet) {
        listener.packet(Direction.FROM_PEER, packet);
      }
    };
  }

  /**
   * Starts a connect-many run; the future completes once every connection is established or failed.
   *
   * @throws IllegalArgumentException if the target is not the host's address on this device
   */
  public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
    return runs.start(request.plan()).thenApply(outcome -> new ConnectManyResult(request, outcome));
  }

  /**
   * Runs connect-many and waits for its result (at most the request's timeout plus a margin).
   *
   * @throws IllegalStateException if the peer stopped before the run ended
   */
  public ConnectManyResult connectMany(ConnectMany request) {
    return new ConnectManyResult(request, runs.run(request.plan(), request));
  }

  /**
   * Closes every connection opened by connect-many: with FIN (an orderly close the server sees as
   * end of stream) or RST (the server sees "connection reset"). Waits until the segments are sent.
   */
  public void closeClientConnections(boolean reset) {
    runs.closeAll(reset);
  }

  /**
   * Waits until the peer has read every packet the host had queued on the device when this was called
   * (what a view of the traffic through the peer's own eyes needs before it is complete: the host's
   * last ACK of a handshake may still be queued when {@code connect} returns), at most {@code timeout}.
   *
   * @return false if the peer is not running or the time ran out
   */
  public boolean awaitQueueRead(java.time.Duration timeout) {
    return loop.awaitQueueRead(timeout);
  }

  /**
   * How many packets the faults hold back right now: delayed by {@code latency}, {@code latency-in} or
   * {@code bandwidth}, or held by {@code reorder}, in either direction. Each will still reach the host
   * or a fake host, even after its connection has closed. Any thread.
   */
  public int heldPackets() {
    return held.count();
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
    return held.await(grace);
  }


  /** The threads serving {@link Server} connections. */
  ServerPool servers() {
    return servers;
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
    life.close();
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
        peer.dispatch.joinQueues(firstQueue.dispatch);
      }
      peer.life.start(peer.new OnThread());
      return peer;
    }
  }

}
