package io.faketcp.peer;

import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.tcp.FaultPolicy;
import io.faketcp.peer.internal.tcp.FaultSource;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults the TCP hosts apply per connection ({@code reset-after}, {@code stall-after},
 * {@code blackhole-after}, {@code slow-close}, and the window a slow {@code bandwidth} link allows):
 * a {@link FaultPolicy} for each new connection they concern, and the count and report of what they
 * did. Set by {@link FaultLayer#install}; peer thread only.
 */
final class ConnectionFaults implements FaultSource {
  /** A full segment on a 1500-byte link: what a connection over a slow link keeps in flight (see {@link #forConnection}). */
  private static final int SLOW_LINK_SEGMENT = 1460;

  private final Counters counters;
  private final FaultListener listener;
  /** How often each fault acted: {@link FaultLayer}'s, shared. */
  private final Map<Fault, AtomicLong> actions;
  private Fault[] connection = new Fault[0];
  /** Bandwidth faults whose queue holds less than a window: connections keep within it (see {@link #forConnection}). */
  private Fault.Bandwidth[] slowLinks = new Fault.Bandwidth[0];

  ConnectionFaults(Counters counters, FaultListener listener, Map<Fault, AtomicLong> actions) {
    this.counters = counters;
    this.listener = listener;
    this.actions = actions;
  }

  /** The faults now in force: {@code connection} the connection-level ones, {@code slowLinks} the slow links. */
  void set(Fault[] connection, Fault.Bandwidth[] slowLinks) {
    this.connection = connection;
    this.slowLinks = slowLinks;
  }

  /** Whether {@code f} acts on connections rather than on packets. */
  static boolean isConnectionFault(Fault f) {
    return f instanceof Fault.ResetAfter || f instanceof Fault.StallAfter || f instanceof Fault.BlackholeAfter
        || f instanceof Fault.SlowClose;
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
}
