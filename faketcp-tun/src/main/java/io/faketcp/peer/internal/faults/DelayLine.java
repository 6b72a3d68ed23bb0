package io.faketcp.peer.internal.faults;

import io.faketcp.packet.IpProtocol;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Where the fault layer's delayed packets wait and when they leave: a latency's or a bandwidth
 * link's schedule ({@link #delay}), the packets held in the peer's {@link Timers} as entries of
 * their own, reused, until due ({@link #later}), and a late link's catch-up ({@link #timersFired}).
 * Peer thread only, except {@link #heldUntil()}.
 */
final class DelayLine {
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
  /** What {@link #delay} returns for a packet a full link queue loses. */
  static final long DROP = Long.MIN_VALUE;
  /** A delayed packet's room (a larger packet gets an entry of its own size). */
  private static final int DELAYED_CAPACITY = 2048;
  /** Delayed-packet entries kept for reuse, at most. */
  private static final int SPARE_DELAYED = 4096;

  private final Counters counters;
  private FaultWire wire;
  private Consumer<ByteBuffer> deliver;
  private Timers timers;
  /**
   * The bandwidth fault that last delayed the packet being handled, and when it (and any fault after
   * it) meant the packet to leave, before {@link #delay} moved a time already past to the next
   * timers; null when no link delayed it. Set by {@link #delay}, taken by {@link #later}.
   */
  private ActiveFault scheduledLink;
  private long scheduled;
  /** The connection of the packet being handled ({@link #packet}). */
  private long flow;
  /** Links that let packets out in the timers now firing: {@link #timersFired} settles their lateness. */
  private boolean linksLeft;
  /** Entries of delayed packets that have left, for {@link #later} to reuse. */
  private final ArrayDeque<Delayed> spareDelayed = new ArrayDeque<>();
  /** When the last packet held back so far is due (nanoTime): the bound of {@link HeldPackets#await}. */
  private volatile long heldUntil = Long.MIN_VALUE / 2;

  DelayLine(Counters counters) {
    this.counters = counters;
  }

  /** Where outgoing packets are written and delayed incoming ones handed back to the peer. */
  void attach(FaultWire wire, Consumer<ByteBuffer> deliver, Timers timers) {
    this.wire = wire;
    this.deliver = deliver;
    this.timers = timers;
  }

  /** A packet of connection {@code flow} meets the faults: no link has delayed it yet. */
  void packet(long flow) {
    this.flow = flow;
    scheduledLink = null;
  }

  /** Runs {@code task} on the peer's thread at {@code due} (nanoTime) or soon after. */
  void schedule(long due, Runnable task) {
    timers.arm(new Task(task), due);
  }

  /**
   * Writes (outgoing) or hands to the fake hosts (incoming) a copy of {@code source[offset, offset +
   * length)} at {@code due}, in an entry kept for reuse once it has left: a latency or a bandwidth
   * fault then costs no allocation per packet.
   */
  void later(long due, ByteBuffer source, int offset, int length, boolean outgoing) {
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
  void held(long due) {
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
  void timersFired(ActiveFault[] in, ActiveFault[] out) {
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
  long delay(ActiveFault e, long now, long due, long queuedSince, long arrivedBy, int length) {
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
  static int carried(ByteBuffer b, int offset, int length) {
    int header = (b.get(offset) & 0x0f) * 4;
    if ((b.get(offset + 9) & 0xff) != IpProtocol.TCP || length < header + 20) {
      return length;
    }
    return Math.max(0, length - header - ((b.get(offset + header + 12) >> 4) & 0x0f) * 4);
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
