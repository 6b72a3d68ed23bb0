package io.faketcp.peer.internal.faults;

import java.nio.ByteBuffer;

/**
 * Internal, not API: hears what each fault did, on the peer's thread. The public package adapts a
 * user's {@code FaultListener} to it; {@code fault} is the public fault that acted, as its
 * {@link FaultEffect#fault()} holds it.
 */
@FunctionalInterface
public interface FaultEvents {
  /**
   * Called once per action: {@code packet} holds the packet concerned in [position, limit), valid only
   * during the call; {@code delayNanos} is, for {@link Action#DELAYED}, how much later than its arrival
   * the packet leaves, else 0.
   */
  void acted(Action action, Object fault, Direction direction, ByteBuffer packet, long delayNanos);

  /** What a fault did to a packet. */
  enum Action {
    /** Lost: the fake host never saw it, or the host never got it. */
    DROPPED,
    /** Went on later. */
    DELAYED,
    /** Sent twice. */
    DUPLICATED,
    /** Made up by the fault (an ICMP error, a RST) and sent to the host. */
    FORGED
  }

  /** Which way the packet was going. */
  enum Direction {
    /** From the host to a fake host. */
    TO_PEER,
    /** From a fake host to the host. */
    FROM_PEER
  }
}
