package io.faketcp.peer.internal.faults;

import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.faults.FaultEvents.Action;
import io.faketcp.peer.internal.faults.FaultEvents.Direction;
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
  private final FaultEvents listener;
  /** How often each fault acted: {@link FaultLayer}'s, shared. */
  private final Map<Object, AtomicLong> actions;
  private FaultEffect[] connection = new FaultEffect[0];
  /** Bandwidth faults whose queue holds less than a window: connections keep within it (see {@link #forConnection}). */
  private FaultEffect[] slowLinks = new FaultEffect[0];

  ConnectionFaults(Counters counters, FaultEvents listener, Map<Object, AtomicLong> actions) {
    this.counters = counters;
    this.listener = listener;
    this.actions = actions;
  }

  /** The faults now in force: {@code connection} the connection-level ones, {@code slowLinks} the slow links. */
  void set(FaultEffect[] connection, FaultEffect[] slowLinks) {
    this.connection = connection;
    this.slowLinks = slowLinks;
  }

  /** The connection-level faults for a new connection to fake host {@code address} on {@code port}, null when none applies. */
  @Override
  public FaultPolicy forConnection(int address, int port) {
    FaultPolicy policy = null;
    for (FaultEffect f : slowLinks) {
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
      policy.slowLink(f.in() ? SLOW_LINK_SEGMENT : Integer.MAX_VALUE,
          f.out() ? 2 * SLOW_LINK_SEGMENT : Integer.MAX_VALUE);
    }
    for (FaultEffect f : connection) {
      if (!f.scope().matches(address, port)) {
        continue;
      }
      if (policy == null) {
        policy = new FaultPolicy(this);
      }
      if (f.kind() == FaultEffect.Kind.RESET_AFTER) {
        policy.reset(f.fault(), f.amount(), f.nanos());
      } else if (f.kind() == FaultEffect.Kind.STALL_AFTER) {
        policy.stall(f.fault(), f.amount(), f.nanos());
      } else if (f.kind() == FaultEffect.Kind.BLACKHOLE_AFTER) {
        policy.blackhole(f.fault(), f.amount(), f.nanos());
      } else {
        policy.slowClose(f.fault(), f.nanos());
      }
    }
    return policy;
  }

  @Override
  public void acted(Object fault) {
    count(fault);
  }

  @Override
  public void forged(Object fault, ByteBuffer packet, int length) {
    count(fault);
    tell(Action.FORGED, fault, Direction.FROM_PEER, packet, 0, length);
  }

  @Override
  public void dropped(Object fault, ByteBuffer packet, int offset, int length) {
    count(fault);
    tell(Action.DROPPED, fault, Direction.TO_PEER, packet, offset, length);
  }

  /** Counts an action of a connection-level fault. */
  private void count(Object fault) {
    AtomicLong n = actions.get(fault);
    if (n != null) {
      n.lazySet(n.get() + 1);
    }
    counters.increment(Counters.FAULT_ACTIONS);
  }

  /** Tells the listener about the packet at {@code packet[offset, offset + length)} a connection fault acted on. */
  private void tell(Action action, Object fault, Direction direction, ByteBuffer packet, int offset,
      int length) {
    if (listener != null) {
      listener.acted(action, fault, direction, packet.duplicate().position(offset).limit(offset + length), 0);
    }
  }
}
