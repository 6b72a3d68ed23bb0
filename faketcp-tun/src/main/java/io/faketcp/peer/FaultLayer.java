package io.faketcp.peer;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import io.faketcp.peer.internal.tcp.FaultPolicy;
import io.faketcp.peer.internal.tcp.FaultSource;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The layer between the wire and the TCP hosts where packet-level {@link Fault}s act: on the host's
 * packets before the fake hosts see them (loss, drop-first/nth, mtu, unreachable, latency-in,
 * bandwidth-in) and on the fake hosts' packets before they reach the device (loss, duplicate,
 * reorder, bandwidth, latency). Packets it delays wait in the peer's {@link Timers}, as entries
 * of their own, due on the peer's thread: the peer waits in poll until the next one.
 *
 * <p>Cost when no fault is set: the peer tests {@link #active} (a plain field of a final reference)
 * once per packet in each direction, and nothing else runs. Peer thread only, except
 * {@link #seed()} and {@link #actions()}.
 */
final class FaultLayer implements FaultSource {
  /**
   * A packet a reorder fault holds back goes right after the next one, or after this long if no
   * other comes. Only the next one overtakes it: a host drops a segment whose ACK is older than a
   * window, so holding it longer on a fast path would turn reordering into loss.
   */
  static final long REORDER_DELAY_NANOS = 10_000_000L;
  /** With a latency, a held-back packet leaves this much after its turn: a few later ones overtake it. */
  static final long REORDER_BEHIND_DELAYED_NANOS = 1_000_000L;
  /** A bandwidth fault drops packets once this much transmission time is queued (a router's full buffer). */
  static final long BACKLOG_NANOS = 1_000_000_000L;
  /**
   * A link that let a packet out late (the peer was behind) takes that time back for a packet of the
   * same connection that finds it idle and reached the device at most this long after the peer was
   * done with the late one: the sender's answer to it, which came late for the peer's sake (see
   * {@link #delay}). Longer than a sender's own short pauses (an application refilling its socket),
   * much shorter than a test's pause between requests.
   */
  static final long CATCH_UP_NANOS = 10_000_000L;
  /** The largest window without window scaling. */
  private static final long MAX_WINDOW = 65535;
  /** A full segment on a 1500-byte link: what a connection over a slow link keeps in flight (see {@link #forConnection}). */
  private static final int SLOW_LINK_SEGMENT = 1460;

  private static final long DROP = Long.MIN_VALUE;
  /** A delayed packet's room (a larger packet gets an entry of its own size). */
  private static final int DELAYED_CAPACITY = 2048;
  /** Delayed-packet entries kept for reuse, at most. */
  private static final int SPARE_DELAYED = 4096;

  /** Whether any packet-level fault is set: the one test on the packet path. */
  boolean active;
  /**
   * When the host's packets reached the device ({@link ArrivalClock}): a latency counts from their
   * arrival and a link is busy from then, not from when the peer got to them. Kept while a timing
   * fault is in force.
   */
  final ArrivalClock arrivals = new ArrivalClock();
  /** Whether the peer is handling what it read from the device (and what that made the fake hosts send). */
  boolean fromDevice;

  private final Counters counters;
  private final FaultListener listener;
  private Timers timers;
  private final IcmpMessage.Builder icmp = IcmpMessage.builder();
  private final byte[] quoted = new byte[28];
  /** The packet a reorder fault holds back, or null. */
  private byte[] held;
  private Wire wire;
  private Consumer<ByteBuffer> deliver;
  private ActiveFault[] in = new ActiveFault[0];
  private ActiveFault[] out = new ActiveFault[0];
  private Fault[] connection = new Fault[0];
  /** Bandwidth faults whose queue holds less than a window: connections keep within it (see {@link #forConnection}). */
  private Fault.Bandwidth[] slowLinks = new Fault.Bandwidth[0];
  private final Map<Fault, AtomicLong> actions = new LinkedHashMap<>();
  /**
   * The bandwidth fault that last delayed the packet being handled, and when it (and any fault after
   * it) meant the packet to leave, before {@link #delay} moved a time already past to the next
   * timers; null when no link delayed it. Set by {@link #delay}, taken by {@link #later}.
   */
  private ActiveFault scheduledLink;
  private long scheduled;
  /** The connection of the packet being handled ({@link #flow(int, int, int)}). */
  private long flow;
  /** Links that let packets out in the timers now firing: {@link #timersFired} settles their lateness. */
  private boolean linksLeft;
  /** Entries of delayed packets that have left, for {@link #later} to reuse. Peer thread only. */
  private final ArrayDeque<Delayed> spareDelayed = new ArrayDeque<>();
  private volatile long seed;
  /** When the last packet held back so far is due (nanoTime): the bound of {@link FakePeer#awaitHeldPackets}. */
  private volatile long heldUntil = Long.MIN_VALUE / 2;

  FaultLayer(Counters counters, FaultListener listener, long seed) {
    this.counters = counters;
    this.listener = listener;
    this.seed = seed;
  }

  /** Where outgoing packets are written and delayed incoming ones handed back to the peer. */
  void attach(Wire wire, Consumer<ByteBuffer> deliver, Timers timers) {
    this.wire = wire;
    this.deliver = deliver;
    this.timers = timers;
  }

  /** The seed of the random faults now in force. */
  long seed() {
    return seed;
  }

  /** How often each fault in force (or once in force) has acted, in order. Any thread. */
  Map<Fault, Long> actions() {
    Map<Fault, Long> copy = new LinkedHashMap<>();
    synchronized (actions) {
      actions.forEach((f, n) -> copy.put(f, n.get()));
    }
    return copy;
  }

  /**
   * Puts the faults of {@code rules} in force: each random one gets its own generator split, in
   * order, from one {@link SplittableRandom} of the seed, so that the same seed and the same
   * traffic give the same choices.
   */
  void install(Rules rules, long fallbackSeed) {
    seed = rules.seed().orElse(fallbackSeed);
    SplittableRandom root = new SplittableRandom(seed);
    List<ActiveFault> ins = new ArrayList<>();
    List<ActiveFault> outs = new ArrayList<>();
    List<Fault> conns = new ArrayList<>();
    List<Fault.Bandwidth> slow = new ArrayList<>();
    for (Fault f : rules.faults()) {
      synchronized (actions) {
        actions.putIfAbsent(f, new AtomicLong());
      }
      if (f instanceof Fault.ResetAfter || f instanceof Fault.StallAfter || f instanceof Fault.BlackholeAfter
          || f instanceof Fault.SlowClose) {
        conns.add(f);
        continue;
      }
      if (f instanceof Fault.Dns || f instanceof Fault.DnsDelay) {
        continue; // the fake DNS server's business
      }
      if (f instanceof Fault.Bandwidth && linkBuffer((Fault.Bandwidth) f) < MAX_WINDOW) {
        slow.add((Fault.Bandwidth) f);
      }
      Fault.Flow flow = flow(f);
      ActiveFault e = new ActiveFault(f, root.split(), actions.get(f));
      if (flow.in()) {
        ins.add(e);
      }
      if (flow.out()) {
        outs.add(flow == Fault.Flow.BOTH ? new ActiveFault(f, root.split(), e.actions) : e);
      }
    }
    in = ins.toArray(new ActiveFault[0]);
    out = outs.toArray(new ActiveFault[0]);
    connection = conns.toArray(new Fault[0]);
    slowLinks = slow.toArray(new Fault.Bandwidth[0]);
    active = in.length > 0 || out.length > 0;
    boolean timing = false;
    for (ActiveFault e : ins) {
      timing |= e.kind == ActiveFault.LATENCY || e.kind == ActiveFault.BANDWIDTH;
    }
    for (ActiveFault e : outs) {
      timing |= e.kind == ActiveFault.LATENCY || e.kind == ActiveFault.BANDWIDTH;
    }
    arrivals.enable(timing);
  }

  /** Which packets a packet-level fault acts on. */
  private static Fault.Flow flow(Fault f) {
    if (f instanceof Fault.Latency) {
      return ((Fault.Latency) f).flow();
    }
    if (f instanceof Fault.Loss) {
      return ((Fault.Loss) f).flow();
    }
    if (f instanceof Fault.Bandwidth) {
      return ((Fault.Bandwidth) f).flow();
    }
    return f instanceof Fault.Duplicate || f instanceof Fault.Reorder ? Fault.Flow.OUT : Fault.Flow.IN;
  }

  /** What a bandwidth fault's queue holds: {@link #BACKLOG_NANOS} of its rate, in bytes. */
  private static long linkBuffer(Fault.Bandwidth f) {
    return f.bytesPerSecond() * (BACKLOG_NANOS / 1_000_000_000L);
  }

  /** The connection-level faults for a new connection to fake host {@code address} on {@code port}, null when none applies. */
  @Override
  public FaultPolicy forConnection(int address, int port) {
    FaultPolicy policy = null;
    for (Fault.Bandwidth f : slowLinks) {
      if (!f.scope().matches(address, port)) {
        continue;
      }
      if (policy == null) {
        policy = new FaultPolicy(this);
      }
      // A slow link queues less than a window, and a packet takes long on it: the connection keeps
      // what the link needs in flight and no more (the host one segment, our sender two), so that the
      // queue neither overflows nor delays a packet past the sender's timers (a loss, or a spurious
      // retransmission, costs the link its time), and the rate holds.
      policy.slowLink(f.flow().in() ? SLOW_LINK_SEGMENT : Integer.MAX_VALUE,
          f.flow().out() ? 2 * SLOW_LINK_SEGMENT : Integer.MAX_VALUE);
    }
    for (Fault f : connection) {
      if (!f.scope().matches(address, port)) {
        continue;
      }
      if (policy == null) {
        policy = new FaultPolicy(this);
      }
      if (f instanceof Fault.ResetAfter) {
        Fault.After after = ((Fault.ResetAfter) f).after();
        policy.reset(f, bytes(after), nanos(after));
      } else if (f instanceof Fault.StallAfter) {
        Fault.After after = ((Fault.StallAfter) f).after();
        policy.stall(f, bytes(after), nanos(after));
      } else if (f instanceof Fault.BlackholeAfter) {
        Fault.After after = ((Fault.BlackholeAfter) f).after();
        policy.blackhole(f, bytes(after), nanos(after));
      } else {
        policy.slowClose(f, ((Fault.SlowClose) f).delay().toNanos());
      }
    }
    return policy;
  }

  /** The byte count of {@code after}, -1 for a time. */
  private static long bytes(Fault.After after) {
    return after instanceof Fault.After.Bytes ? ((Fault.After.Bytes) after).count() : -1;
  }

  /** The time of {@code after} in nanoseconds, -1 for a byte count. */
  private static long nanos(Fault.After after) {
    return after instanceof Fault.After.Time ? ((Fault.After.Time) after).time().toNanos() : -1;
  }

  @Override
  public void acted(Object fault) {
    count((Fault) fault);
  }

  @Override
  public void forged(Object fault, ByteBuffer packet, int length) {
    count((Fault) fault);
    tell(FaultListener.Action.FORGED, (Fault) fault, Direction.FROM_PEER, packet, 0, length);
  }

  @Override
  public void dropped(Object fault, ByteBuffer packet, int offset, int length) {
    count((Fault) fault);
    tell(FaultListener.Action.DROPPED, (Fault) fault, Direction.TO_PEER, packet, offset, length);
  }

  /** Counts an action of a connection-level fault. */
  private void count(Fault fault) {
    AtomicLong n = actions.get(fault);
    if (n != null) {
      n.lazySet(n.get() + 1);
    }
    counters.increment(Counters.FAULT_ACTIONS);
  }

  /** Tells the listener about the packet at {@code packet[offset, offset + length)} a connection fault acted on. */
  private void tell(FaultListener.Action action, Fault fault, Direction direction, ByteBuffer packet, int offset,
      int length) {
    if (listener != null) {
      listener.acted(action, fault, direction, packet.duplicate().position(offset).limit(offset + length), 0);
    }
  }

  // ---- timers ----------------------------------------------------------------------------------

  /** Runs {@code task} on the peer's thread at {@code due} (nanoTime) or soon after. */
  private void schedule(long due, Runnable task) {
    timers.arm(new Task(task), due);
  }

  /**
   * Writes (outgoing) or hands to the fake hosts (incoming) a copy of {@code source[offset, offset +
   * length)} at {@code due}, in an entry kept for reuse once it has left: a latency or a bandwidth
   * fault then costs no allocation per packet.
   */
  private void later(long due, ByteBuffer source, int offset, int length, boolean outgoing) {
    held(due);
    Delayed d = spareDelayed.pollLast();
    if (d == null || d.packet.length < length) {
      d = new Delayed(Math.max(length, DELAYED_CAPACITY));
    }
    source.get(offset, d.packet, 0, length);
    d.length = length;
    d.outgoing = outgoing;
    d.link = scheduledLink;
    d.scheduled = scheduled;
    d.flow = flow;
    timers.arm(d, due);
  }

  /** One more packet held back until {@code due}; counted in {@link Counters#HELD} until it leaves. */
  private void held(long due) {
    if (due - heldUntil > 0) {
      heldUntil = due; // before the count: whoever sees the packet counted sees its due time
    }
    counters.increment(Counters.HELD);
  }

  /**
   * The peer fired its due timers and sent what they made the fake hosts send (the ACKs of delayed
   * packets of the host's): each link that let packets out meanwhile notes how late that took effect,
   * against when its last packet was meant to leave (see {@link #delay}). Peer thread.
   */
  void timersFired() {
    if (!linksLeft) {
      return;
    }
    linksLeft = false;
    long now = System.nanoTime();
    settle(in, now);
    settle(out, now);
  }

  private static void settle(ActiveFault[] faults, long now) {
    for (ActiveFault e : faults) {
      if (e.left) {
        e.left = false;
        e.lateness = Math.max(0, now - e.leftScheduled);
        e.leftAt = now;
        e.lateFlow = e.leftFlow;
      }
    }
  }

  /** When the last packet held back so far is due (nanoTime); any thread. */
  long heldUntil() {
    return heldUntil;
  }

  // ---- the host's packets ----------------------------------------------------------------------

  /**
   * Applies the incoming faults to a packet from the host (a valid IPv4 packet to a fake host);
   * returns true when it was consumed (dropped, delayed or answered by a forged packet).
   */
  boolean incoming(Ipv4Packet ip) {
    ByteBuffer b = ip.buffer();
    int address = ip.destinationInt();
    int protocol = ip.protocol();
    int transport = ip.payloadOffset();
    boolean ports = (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && ip.payloadLength() >= 4
        && ip.fragmentOffset() == 0; // a later fragment carries no ports
    int port = ports ? b.getShort(transport + 2) & 0xffff : -1;
    flow = flow(address, port, ports ? b.getShort(transport) & 0xffff : -1);
    long now = System.nanoTime();
    long due = now;
    long queuedSince = queuedSince(now);
    long arrivedBy = arrivedBy(now);
    long origin = now;
    Fault delayedBy = null;
    scheduledLink = null;
    for (ActiveFault e : in) {
      if (!e.scope.matches(address, port)) {
        continue;
      }
      switch (e.kind) {
        case ActiveFault.DROP_FIRST:
          if (e.count < e.amount) {
            e.count++;
            return dropIn(e, ip);
          }
          break;
        case ActiveFault.DROP_NTH:
          if (++e.count % e.amount == 0) {
            return dropIn(e, ip);
          }
          break;
        case ActiveFault.LOSS:
          if (e.random.nextDouble() < e.probability) {
            return dropIn(e, ip);
          }
          break;
        case ActiveFault.MTU:
          // an IPv6 packet (translated, with DF) is 20 bytes longer on the wire than its IPv4 form here
          int onWire = ip.totalLength() + (FamilyTranslator.isIpv6(ip.sourceInt()) ? 20 : 0);
          if (onWire > e.amount && ip.dontFragment()) {
            forge(e, ip, IcmpMessage.DEST_UNREACHABLE, 4, (int) e.amount);
            return true;
          }
          break;
        case ActiveFault.UNREACHABLE:
          if (protocol == IpProtocol.UDP || protocol == IpProtocol.TCP && ip.payloadLength() >= 14
              && (b.get(transport + 13) & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN) {
            forge(e, ip, IcmpMessage.DEST_UNREACHABLE, (int) e.amount, 0);
            return true;
          }
          break;
        default:
          if (due == now) {
            origin = e.kind == ActiveFault.BANDWIDTH ? queuedSince : arrivedBy; // what the first delay counts from
          }
          long later = delay(e, now, due, queuedSince, arrivedBy, carried(b, ip.offset(), ip.totalLength()));
          if (later == DROP) {
            return dropIn(e, ip);
          }
          delayedBy = later != due ? e.fault : delayedBy;
          due = later;
      }
    }
    if (due - now <= 0) {
      return false;
    }
    if (listener != null) {
      listener.acted(FaultListener.Action.DELAYED, delayedBy, Direction.TO_PEER, b.duplicate().position(ip.offset())
          .limit(ip.offset() + ip.totalLength()), due - origin);
    }
    later(due, b, ip.offset(), ip.totalLength(), false);
    return true;
  }

  /** A connection (or a UDP flow) between fake host {@code address} port {@code port} and the host's port {@code hostPort}, as one key. */
  private static long flow(int address, int port, int hostPort) {
    return (long) address << 32 | (port & 0xffffL) << 16 | hostPort & 0xffffL;
  }

  private boolean dropIn(ActiveFault e, Ipv4Packet ip) {
    acted(e, FaultListener.Action.DROPPED, Direction.TO_PEER, ip.buffer().duplicate().position(ip.offset())
        .limit(ip.offset() + ip.totalLength()), 0);
    counters.increment(Counters.FAULT_DROPS);
    return true;
  }

  /** An ICMP error about {@code ip} from its destination: the original header and 8 bytes quoted. */
  private void forge(ActiveFault e, Ipv4Packet ip, int type, int code, int nextHopMtu) {
    int quote = Math.min(ip.headerLength() + 8, ip.totalLength());
    byte[] q = quote == quoted.length ? quoted : new byte[quote];
    ip.buffer().get(ip.offset(), q, 0, quote);
    int length = icmp.reset().source(ip.destinationInt()).destination(ip.sourceInt()).type(type).code(code)
        .identifier(0).sequenceNumber(nextHopMtu).payload(q).writeTo(wire.buffer(), 0);
    acted(e, FaultListener.Action.FORGED, Direction.FROM_PEER, wire.buffer().duplicate().position(0).limit(length), 0);
    wire.send(length);
  }

  // ---- the fake hosts' packets -----------------------------------------------------------------

  /**
   * Applies the outgoing faults to the packet in {@code b[0, length)}; returns true when this layer
   * took care of it (dropped, delayed, or written itself), false to write it now as usual.
   */
  boolean outgoing(ByteBuffer b, int length) {
    int address = b.getInt(12);
    int protocol = b.get(9) & 0xff;
    int header = (b.get(0) & 0x0f) * 4;
    int port = (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && length >= header + 2
        ? b.getShort(header) & 0xffff : -1;
    flow = flow(address, port, port >= 0 && length >= header + 4 ? b.getShort(header + 2) & 0xffff : -1);
    long now = System.nanoTime();
    long due = now;
    long queuedSince = fromDevice ? queuedSince(now) : now;
    long arrivedBy = fromDevice ? arrivedBy(now) : now;
    long origin = now;
    boolean twice = false;
    boolean heldBack = false;
    Fault delayedBy = null;
    scheduledLink = null;
    for (ActiveFault e : out) {
      if (!e.scope.matches(address, port)) {
        continue;
      }
      switch (e.kind) {
        case ActiveFault.LOSS:
          if (e.random.nextDouble() < e.probability) {
            return dropOut(e, b, length);
          }
          break;
        case ActiveFault.DUPLICATE:
          if (e.random.nextDouble() < e.probability) {
            twice = true;
            acted(e, FaultListener.Action.DUPLICATED, Direction.FROM_PEER, b.duplicate().position(0).limit(length), 0);
          }
          break;
        case ActiveFault.REORDER:
          if (e.random.nextDouble() < e.probability) {
            heldBack = true;
            acted(e, FaultListener.Action.DELAYED, Direction.FROM_PEER, b.duplicate().position(0).limit(length),
                REORDER_DELAY_NANOS);
          }
          break;
        default:
          if (due == now) {
            origin = e.kind == ActiveFault.BANDWIDTH ? queuedSince : arrivedBy; // what the first delay counts from
          }
          long later = delay(e, now, due, queuedSince, arrivedBy, carried(b, 0, length));
          if (later == DROP) {
            return dropOut(e, b, length);
          }
          delayedBy = later != due ? e.fault : delayedBy;
          due = later;
      }
    }
    if (delayedBy != null && due - now > 0 && listener != null) {
      listener.acted(FaultListener.Action.DELAYED, delayedBy, Direction.FROM_PEER, b.duplicate().position(0)
          .limit(length), due - origin); // from the packet's arrival: what the faults added
    }
    if (heldBack && twice) {
      heldBack = false; // sent twice now rather than held: a held copy would carry a stale ACK
    }
    if (heldBack && due - now <= 0) {
      byte[] previous = held;
      byte[] copy = new byte[length];
      b.get(0, copy);
      held = copy;
      held(now + REORDER_DELAY_NANOS);
      if (previous != null) {
        try {
          wire.write(previous);
        } finally {
          counters.add(Counters.HELD, -1);
        }
      }
      schedule(now + REORDER_DELAY_NANOS, () -> release(copy));
      return true;
    }
    if (heldBack) {
      due += REORDER_BEHIND_DELAYED_NANOS; // delayed anyway: the next ones overtake this one
    }
    if (due - now <= 0) {
      if (!twice && held == null) {
        return false;
      }
      wire.write(b, length);
      if (twice) {
        wire.write(b, length);
      }
      release(held);
      return true;
    }
    later(due, b, 0, length, true);
    if (twice) {
      later(due, b, 0, length, true);
    }
    return true;
  }

  /** Sends the held-back packet {@code packet} if it is still held. */
  private void release(byte[] packet) {
    if (packet != null && held == packet) {
      held = null;
      try {
        wire.write(packet);
      } finally {
        counters.add(Counters.HELD, -1);
      }
    }
  }

  private boolean dropOut(ActiveFault e, ByteBuffer b, int length) {
    acted(e, FaultListener.Action.DROPPED, Direction.FROM_PEER, b.duplicate().position(0).limit(length), 0);
    counters.increment(Counters.FAULT_DROPS);
    return true;
  }

  /**
   * When the packet being handled (or the one that made a fake host send this one) reached the
   * device, at the earliest (nanoTime, at most {@code now}): a link counts from then.
   */
  private long queuedSince(long now) {
    return arrivals.enabled ? Math.min(now, arrivals.queuedSince()) : now;
  }

  /** When it had reached the device for sure (nanoTime, at most {@code now}): a latency counts from then. */
  private long arrivedBy(long now) {
    long by = arrivals.enabled ? arrivals.arrivedBy() : ArrivalClock.NONE;
    return by == ArrivalClock.NONE ? now : Math.min(now, by);
  }

  /**
   * Latency and bandwidth: when the packet leaves, given that the faults before delayed it until
   * {@code due}; {@link #DROP} when a bandwidth fault's queue is full (the packet is lost). The first
   * fault to delay a packet counts from its arrival: a link from {@code queuedSince} (the link was
   * busy, or could have been, while the packet waited for the peer to read it), a latency from
   * {@code arrivedBy} (never less than asked). A link whose last packet took effect late, for the
   * peer's sake, counts the sender's prompt answer as if it had come that much earlier
   * ({@link #CATCH_UP_NANOS}, {@link #timersFired}): it catches up to its schedule, and still carries
   * each packet after the one before.
   */
  private long delay(ActiveFault e, long now, long due, long queuedSince, long arrivedBy, int length) {
    long result;
    if (e.kind == ActiveFault.BANDWIDTH) {
      long from = due == now ? queuedSince : due;
      if (from - e.last > 0 && e.lateness > 0 && flow == e.lateFlow && from - e.leftAt <= CATCH_UP_NANOS) {
        // The link stood idle after letting a packet out late: the sender answered promptly once the
        // peer was done with that packet (for a host's segment: acknowledged it), and the answer found
        // the link idle only because the peer was behind. The link takes the peer's lateness back
        // (never starting before it was free): it keeps to its schedule as if the packet had left and
        // been answered on time, the sender's own delay kept. A sender idle longer than CATCH_UP_NANOS
        // gets no such credit, nor does another connection (a new transfer). The packets that answered
        // (they share an arrival bound) all count as if they came that much earlier.
        from = Math.max(e.last, from - e.lateness);
      }
      long start = Math.max(from, e.last);
      if (start - now > BACKLOG_NANOS) {
        return DROP;
      }
      result = start + length * 1_000_000_000L / e.amount;
      e.last = result;
      scheduled = result;
      // only a packet that took the link's time makes it late: a SYN answered late (a fresh JVM's
      // first connection) must not move the data after it to before the client could send it
      scheduledLink = length > 0 ? e : null;
    } else { // LATENCY
      long jitter = e.jitterNanos == 0 ? 0 : (long) ((e.random.nextDouble() * 2 - 1) * e.jitterNanos);
      result = Math.max((due == now ? arrivedBy : due) + e.nanos + jitter, e.last); // jitter never reorders
      e.last = result;
      scheduled = result;
    }
    if (result - now < 0) {
      // counted from the packet's arrival, its time has passed: it leaves with the next timers, not at
      // once, so that it cannot overtake packets this fault still holds (due earlier, not yet sent)
      result = now + 1;
    }
    if (result - due > 0) {
      e.actions.lazySet(e.actions.get() + 1);
      counters.increment(Counters.FAULT_ACTIONS);
    }
    return result;
  }

  /**
   * What a bandwidth fault charges for the packet at {@code b[offset, offset + length)}: a TCP
   * segment's data (so that a transfer takes its size over the rate, as the README promises, whatever
   * the segment size), any other packet whole.
   */
  private static int carried(ByteBuffer b, int offset, int length) {
    int header = (b.get(offset) & 0x0f) * 4;
    if ((b.get(offset + 9) & 0xff) != IpProtocol.TCP || length < header + 20) {
      return length;
    }
    return Math.max(0, length - header - ((b.get(offset + header + 12) >> 4) & 0x0f) * 4);
  }

  private void acted(ActiveFault e, FaultListener.Action action, Direction direction, ByteBuffer packet, long delay) {
    e.actions.lazySet(e.actions.get() + 1);
    counters.increment(Counters.FAULT_ACTIONS);
    if (listener != null) {
      listener.acted(action, e.fault, direction, packet, delay);
    }
  }

  /**
   * One fault in force in one direction, with its own random generator and state, and its values
   * taken out of the record once, for the packet path.
   */
  private static final class ActiveFault {
    static final int LATENCY = 0;
    static final int LOSS = 1;
    static final int DUPLICATE = 2;
    static final int REORDER = 3;
    static final int BANDWIDTH = 4;
    static final int UNREACHABLE = 5;
    static final int MTU = 6;
    static final int DROP_FIRST = 7;
    static final int DROP_NTH = 8;

    final Fault fault;
    final Scope scope;
    final int kind;
    /** Loss, duplicate, reorder: 0 to 1. */
    final double probability;
    /** Bandwidth: bytes per second; mtu; drop-first, drop-nth: packets; unreachable: the ICMP code. */
    final long amount;
    /** Latency. */
    final long nanos;
    final long jitterNanos;
    final SplittableRandom random;
    final AtomicLong actions;
    /** drop-first, drop-nth: packets seen. */
    long count;
    /** Latency: when the last packet leaves; bandwidth: when the link is free again (nanoTime). */
    long last = Long.MIN_VALUE / 2;
    /**
     * Bandwidth: how late the link's last packet took effect (ns, 0 when on time: left, and for a
     * host's packet was answered), and when (nanoTime); see {@link #timersFired}.
     */
    long lateness;
    long leftAt;
    /** The connection of the link's last packet that took effect ({@link #lateness}). */
    long lateFlow;
    /** Bandwidth: packets left in the timers now firing, the last of them meant to leave at {@link #leftScheduled}, of {@link #leftFlow}. */
    boolean left;
    long leftScheduled;
    long leftFlow;

    ActiveFault(Fault fault, SplittableRandom random, AtomicLong actions) {
      this.fault = fault;
      this.scope = fault.scope();
      this.random = random;
      this.actions = actions;
      int k = LATENCY;
      double p = 0;
      long a = 0;
      long n = 0;
      long j = 0;
      if (fault instanceof Fault.Latency) {
        n = ((Fault.Latency) fault).delay().toNanos();
        j = ((Fault.Latency) fault).jitter().toNanos();
      } else if (fault instanceof Fault.Loss) {
        k = LOSS;
        p = ((Fault.Loss) fault).percent() / 100;
      } else if (fault instanceof Fault.Duplicate) {
        k = DUPLICATE;
        p = ((Fault.Duplicate) fault).percent() / 100;
      } else if (fault instanceof Fault.Reorder) {
        k = REORDER;
        p = ((Fault.Reorder) fault).percent() / 100;
      } else if (fault instanceof Fault.Bandwidth) {
        k = BANDWIDTH;
        a = ((Fault.Bandwidth) fault).bytesPerSecond();
      } else if (fault instanceof Fault.Unreachable) {
        k = UNREACHABLE;
        a = ((Fault.Unreachable) fault).code().icmp;
      } else if (fault instanceof Fault.Mtu) {
        k = MTU;
        a = ((Fault.Mtu) fault).mtu();
      } else if (fault instanceof Fault.DropFirst) {
        k = DROP_FIRST;
        a = ((Fault.DropFirst) fault).packets();
      } else if (fault instanceof Fault.DropNth) {
        k = DROP_NTH;
        a = ((Fault.DropNth) fault).n();
      } else {
        throw new IllegalArgumentException("fault '" + fault + "' does not act on packets");
      }
      this.kind = k;
      this.probability = p;
      this.amount = a;
      this.nanos = n;
      this.jitterNanos = j;
    }
  }

  /** A task run on the peer's thread at its time: an entry in the peer's {@link Timers}. */
  private static final class Task extends Timers.Entry {
    private final Runnable task;

    Task(Runnable task) {
      this.task = task;
    }

    @Override
    protected void timerExpired(long now) {
      task.run();
    }
  }

  /** A delayed packet (to the host or to the fake hosts): an entry in the peer's {@link Timers}, reused. */
  private final class Delayed extends Timers.Entry {
    final byte[] packet;
    /** Over {@link #packet}, handed to the fake hosts (valid during the call). */
    private final ByteBuffer view;
    int length;
    boolean outgoing;
    /** The link that delayed the packet, or null, when the packet was meant to leave (nanoTime), and its connection. */
    ActiveFault link;
    long scheduled;
    long flow;

    Delayed(int capacity) {
      this.packet = new byte[capacity];
      this.view = ByteBuffer.wrap(packet);
    }

    @Override
    protected void timerExpired(long now) {
      if (link != null) {
        if (!link.left || scheduled - link.leftScheduled >= 0) { // the one meant to leave last
          link.leftScheduled = scheduled;
          link.leftFlow = flow;
        }
        link.left = true;
        linksLeft = true;
      }
      try {
        if (outgoing) {
          wire.write(packet, length);
        } else {
          deliver.accept(view.clear().limit(length));
        }
      } finally {
        counters.add(Counters.HELD, -1); // after: whoever sees none held sees the packet gone
        if (spareDelayed.size() < SPARE_DELAYED) {
          spareDelayed.addLast(this); // its packet is out, or handled: the entry serves another
        }
      }
    }
  }
}
