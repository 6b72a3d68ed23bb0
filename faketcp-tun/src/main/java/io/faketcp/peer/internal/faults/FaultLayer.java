package io.faketcp.peer.internal.faults;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import io.faketcp.peer.internal.faults.FaultEvents.Action;
import io.faketcp.peer.internal.faults.FaultEvents.Direction;
import io.faketcp.peer.internal.ip.FamilyTranslator;
import io.faketcp.peer.internal.tcp.FaultSource;
import io.faketcp.peer.internal.timing.ArrivalClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Internal, not API. The layer between the wire and the TCP hosts where packet-level faults act: on the host's
 * packets before the fake hosts see them (loss, drop-first/nth, mtu, unreachable, latency-in,
 * bandwidth-in) and on the fake hosts' packets before they reach the device (loss, duplicate,
 * reorder, bandwidth, latency). Packets it delays wait in its {@link DelayLine}; the faults that act
 * per connection are its {@link ConnectionFaults}, which the TCP hosts consult.
 *
 * <p>Cost when no fault is set: the peer tests {@link #active} (a plain field of a final reference)
 * once per packet in each direction, and nothing else runs. Peer thread only, except
 * {@link #seed()}, {@link #actions()} and {@link #heldUntil()}.
 */
public final class FaultLayer {
  /**
   * A packet a reorder fault holds back goes right after the next one, or after this long if no
   * other comes. Only the next one overtakes it: a host drops a segment whose ACK is older than a
   * window, so holding it longer on a fast path would turn reordering into loss.
   */
  static final long REORDER_DELAY_NANOS = 10_000_000L;
  /** With a latency, a held-back packet leaves this much after its turn: a few later ones overtake it. */
  static final long REORDER_BEHIND_DELAYED_NANOS = 1_000_000L;
  /** The largest window without window scaling. */
  private static final long MAX_WINDOW = 65535;

  /** Whether any packet-level fault is set: the one test on the packet path. */
  public boolean active;
  /**
   * When the host's packets reached the device ({@link ArrivalClock}): a latency counts from their
   * arrival and a link is busy from then, not from when the peer got to them. Kept while a timing
   * fault is in force.
   */
  public final ArrivalClock arrivals = new ArrivalClock();
  /** Whether a latency is in force: the peer then takes the host's packets' times from the kernel ({@link io.faketcp.peer.internal.timing.ArrivalStamps}). */
  public boolean latency;
  /** Whether the peer is handling what it read from the device (and what that made the fake hosts send). */
  public boolean fromDevice;

  private final Counters counters;
  private final FaultEvents listener;
  private final DelayLine line;
  private final ConnectionFaults connections;
  private final IcmpMessage.Builder icmp = IcmpMessage.builder();
  private final byte[] quoted = new byte[28];
  /** The packet a reorder fault holds back, or null. */
  private byte[] held;
  private FaultWire wire;
  private ActiveFault[] in = new ActiveFault[0];
  private ActiveFault[] out = new ActiveFault[0];
  /** Keyed by the public fault ({@link FaultEffect#fault()}). */
  private final Map<Object, AtomicLong> actions = new LinkedHashMap<>();
  private volatile long seed;

  /** @param listener hears what the faults did; null: no one */
  public FaultLayer(Counters counters, FaultEvents listener, long seed) {
    this.counters = counters;
    this.listener = listener;
    this.seed = seed;
    this.line = new DelayLine(counters);
    this.connections = new ConnectionFaults(counters, listener, actions);
  }

  /** Where outgoing packets are written and delayed incoming ones handed back to the peer. */
  public void attach(FaultWire wire, Consumer<ByteBuffer> deliver, Timers timers) {
    this.wire = wire;
    line.attach(wire, deliver, timers);
  }

  /** The faults that act per connection, for the TCP hosts. */
  public FaultSource connections() {
    return connections;
  }

  /** The seed of the random faults now in force. */
  public long seed() {
    return seed;
  }

  /** How often each fault in force (or once in force) has acted, in order, by its public fault. Any thread. */
  public Map<Object, Long> actions() {
    Map<Object, Long> copy = new LinkedHashMap<>();
    synchronized (actions) {
      actions.forEach((f, n) -> copy.put(f, n.get()));
    }
    return copy;
  }

  /**
   * Puts {@code faults} in force, with {@code seed}: each random one gets its own generator split, in
   * order, from one {@link SplittableRandom} of the seed, so that the same seed and the same
   * traffic give the same choices.
   */
  public void install(List<FaultEffect> faults, long seed) {
    this.seed = seed;
    SplittableRandom root = new SplittableRandom(seed);
    List<ActiveFault> ins = new ArrayList<>();
    List<ActiveFault> outs = new ArrayList<>();
    List<FaultEffect> conns = new ArrayList<>();
    List<FaultEffect> slow = new ArrayList<>();
    for (FaultEffect f : faults) {
      synchronized (actions) {
        actions.putIfAbsent(f.fault(), new AtomicLong());
      }
      if (f.onConnections()) {
        conns.add(f);
        continue;
      }
      if (f.kind() == FaultEffect.Kind.ELSEWHERE) {
        continue; // the fake DNS server's business
      }
      if (f.kind() == FaultEffect.Kind.BANDWIDTH && linkBuffer(f) < MAX_WINDOW) {
        slow.add(f);
      }
      ActiveFault e = new ActiveFault(f, root.split(), actions.get(f.fault()));
      if (f.in()) {
        ins.add(e);
      }
      if (f.out()) {
        outs.add(f.in() ? new ActiveFault(f, root.split(), e.actions) : e);
      }
    }
    in = ins.toArray(new ActiveFault[0]);
    out = outs.toArray(new ActiveFault[0]);
    connections.set(conns.toArray(new FaultEffect[0]), slow.toArray(new FaultEffect[0]));
    active = in.length > 0 || out.length > 0;
    boolean timing = false;
    boolean delays = false;
    for (ActiveFault e : ins) {
      timing |= e.kind == ActiveFault.LATENCY || e.kind == ActiveFault.BANDWIDTH;
      delays |= e.kind == ActiveFault.LATENCY;
    }
    for (ActiveFault e : outs) {
      timing |= e.kind == ActiveFault.LATENCY || e.kind == ActiveFault.BANDWIDTH;
      delays |= e.kind == ActiveFault.LATENCY;
    }
    arrivals.enable(timing);
    latency = delays;
    if (timing) {
      PathWarmUp.once(); // before the first packet the fault delays (done already when warmUpFor saw it)
    }
  }

  /**
   * Warms up the path a timing fault of {@code faults} would take, once per JVM ({@link PathWarmUp}),
   * on the calling thread: for faults about to be handed to a running peer's thread, so that the
   * warm-up does not hold that thread up.
   */
  public static void warmUpFor(List<FaultEffect> faults) {
    for (FaultEffect f : faults) {
      if (f.kind() == FaultEffect.Kind.LATENCY || f.kind() == FaultEffect.Kind.BANDWIDTH) {
        PathWarmUp.once();
        return;
      }
    }
  }

  /** What a bandwidth fault's queue holds: {@link DelayLine#BACKLOG_NANOS} of its rate, in bytes. */
  private static long linkBuffer(FaultEffect f) {
    return f.amount() * (DelayLine.BACKLOG_NANOS / 1_000_000_000L);
  }

  /**
   * The peer fired its due timers and sent what they made the fake hosts send: see
   * {@link DelayLine#timersFired}. Peer thread.
   */
  public void timersFired() {
    line.timersFired(in, out);
  }

  /** When the last packet held back so far is due (nanoTime); any thread. */
  public long heldUntil() {
    return line.heldUntil();
  }

  // ---- the host's packets ----------------------------------------------------------------------

  /**
   * Applies the incoming faults to a packet from the host (a valid IPv4 packet to a fake host);
   * returns true when it was consumed (dropped, delayed or answered by a forged packet).
   */
  public boolean incoming(Ipv4Packet ip) {
    ByteBuffer b = ip.buffer();
    int address = ip.destinationInt();
    int protocol = ip.protocol();
    int transport = ip.payloadOffset();
    boolean ports = (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && ip.payloadLength() >= 4
        && ip.fragmentOffset() == 0; // a later fragment carries no ports
    int port = ports ? b.getShort(transport + 2) & 0xffff : -1;
    line.packet(flow(address, port, ports ? b.getShort(transport) & 0xffff : -1));
    long now = System.nanoTime();
    long due = now;
    long queuedSince = queuedSince(now);
    long arrivedBy = arrivedBy(now);
    long origin = now;
    Object delayedBy = null;
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
          long later = line.delay(e, now, due, queuedSince, arrivedBy, DelayLine.carried(b, ip.offset(), ip.totalLength()));
          if (later == DelayLine.DROP) {
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
      listener.acted(Action.DELAYED, delayedBy, Direction.TO_PEER, b.duplicate().position(ip.offset())
          .limit(ip.offset() + ip.totalLength()), due - origin);
    }
    line.later(due, b, ip.offset(), ip.totalLength(), false);
    return true;
  }

  /** A connection (or a UDP flow) between fake host {@code address} port {@code port} and the host's port {@code hostPort}, as one key. */
  private static long flow(int address, int port, int hostPort) {
    return (long) address << 32 | (port & 0xffffL) << 16 | hostPort & 0xffffL;
  }

  private boolean dropIn(ActiveFault e, Ipv4Packet ip) {
    acted(e, Action.DROPPED, Direction.TO_PEER, ip.buffer().duplicate().position(ip.offset())
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
    acted(e, Action.FORGED, Direction.FROM_PEER, wire.buffer().duplicate().position(0).limit(length), 0);
    wire.send(length);
  }

  // ---- the fake hosts' packets -----------------------------------------------------------------

  /**
   * Applies the outgoing faults to the packet in {@code b[0, length)}; returns true when this layer
   * took care of it (dropped, delayed, or written itself), false to write it now as usual.
   */
  public boolean outgoing(ByteBuffer b, int length) {
    int address = b.getInt(12);
    int protocol = b.get(9) & 0xff;
    int header = (b.get(0) & 0x0f) * 4;
    int port = (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && length >= header + 2
        ? b.getShort(header) & 0xffff : -1;
    line.packet(flow(address, port, port >= 0 && length >= header + 4 ? b.getShort(header + 2) & 0xffff : -1));
    long now = System.nanoTime();
    long due = now;
    long queuedSince = fromDevice ? queuedSince(now) : now;
    long arrivedBy = fromDevice ? arrivedBy(now) : now;
    long origin = now;
    boolean twice = false;
    boolean heldBack = false;
    Object delayedBy = null;
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
            acted(e, Action.DUPLICATED, Direction.FROM_PEER, b.duplicate().position(0).limit(length), 0);
          }
          break;
        case ActiveFault.REORDER:
          if (e.random.nextDouble() < e.probability) {
            heldBack = true;
            acted(e, Action.DELAYED, Direction.FROM_PEER, b.duplicate().position(0).limit(length),
                REORDER_DELAY_NANOS);
          }
          break;
        default:
          if (due == now) {
            origin = e.kind == ActiveFault.BANDWIDTH ? queuedSince : arrivedBy; // what the first delay counts from
          }
          long later = line.delay(e, now, due, queuedSince, arrivedBy, DelayLine.carried(b, 0, length));
          if (later == DelayLine.DROP) {
            return dropOut(e, b, length);
          }
          delayedBy = later != due ? e.fault : delayedBy;
          due = later;
      }
    }
    if (delayedBy != null && due - now > 0 && listener != null) {
      listener.acted(Action.DELAYED, delayedBy, Direction.FROM_PEER, b.duplicate().position(0)
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
      line.held(now + REORDER_DELAY_NANOS);
      if (previous != null) {
        try {
          wire.write(previous);
        } finally {
          counters.add(Counters.HELD, -1);
        }
      }
      line.schedule(now + REORDER_DELAY_NANOS, () -> release(copy));
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
    line.later(due, b, 0, length, true);
    if (twice) {
      line.later(due, b, 0, length, true);
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
    acted(e, Action.DROPPED, Direction.FROM_PEER, b.duplicate().position(0).limit(length), 0);
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

  private void acted(ActiveFault e, Action action, Direction direction, ByteBuffer packet, long delay) {
    e.actions.lazySet(e.actions.get() + 1);
    counters.increment(Counters.FAULT_ACTIONS);
    if (listener != null) {
      listener.acted(action, e.fault, direction, packet, delay);
    }
  }
}
