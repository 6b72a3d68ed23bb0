package io.faketcp.peer;

import java.nio.ByteBuffer;

/**
 * Hears what each {@link Fault} did, on the peer's thread (keep it quick): a capture can then mark
 * the packets a fault dropped, delayed or forged.
 *
 * <pre>{@code
 * FakePeer.builder(tun).faultListener((action, fault, direction, packet, delayNanos) ->
 *     System.out.println(action + " by " + fault + ": " + Tcpdump.format(packet)));
 * }</pre>
 */
@FunctionalInterface
public interface FaultListener {
  /** What a fault did to a packet. */
  enum Action {
    /** The packet was lost: the fake host never saw it, or the host never got it. */
    DROPPED,
    /** The packet went on later by {@code delayNanos} (latency, bandwidth, reorder). */
    DELAYED,
    /** The packet was sent twice. */
    DUPLICATED,
    /** The fault made this packet up (an ICMP error, a RST) and sent it to the host. */
    FORGED
  }

  /**
   * Called once per action. {@code packet} holds the IPv4 or IPv6 packet concerned in [position, limit) and is
   * valid only during the call; {@code direction} says which way it was going; {@code delayNanos} is,
   * for {@link Action#DELAYED}, how much later than its arrival the packet leaves (a latency's
   * delay; a bandwidth fault's queue and transmission time), else 0.
   */
  void acted(Action action, Fault fault, Direction direction, ByteBuffer packet, long delayNanos);
}
