package io.faketcp.peer.internal.faults;

import io.faketcp.peer.internal.ip.FamilyTranslator;

/**
 * Internal, not API. The {@link FaultEvents} of the builder's listener on a device with an IPv6 subnet:
 * told of IPv6 packets as IPv6, not in the IPv4 form the engine carries them in ({@link FamilyTranslator}).
 */
public final class Ipv6FaultEvents {
  private Ipv6FaultEvents() {
  }

  /**
   * {@code listener}, told of IPv6 packets as IPv6: the faults see them in the engine's IPv4 form,
   * translated back here into a buffer of the listener's own. {@code listener} itself without an
   * IPv6 subnet ({@code translator} null) or without a listener.
   */
  public static FaultEvents of(FaultEvents listener, FamilyTranslator translator) {
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
}
