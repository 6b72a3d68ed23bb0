package io.faketcp.peer;

import java.nio.ByteBuffer;

/**
 * Sees every packet the peer reads or writes, on the peer's thread (keep it quick). The buffer
 * holds one IPv4 packet in [position, limit) and is valid only during the call.
 *
 * <pre>{@code
 * FakePeer.builder(tun).listener((dir, packet) -> System.out.println(Tcpdump.format(packet)))
 * }</pre>
 */
@FunctionalInterface
public interface PacketListener {
  /** Called once per packet; must not keep or modify {@code packet}. */
  void packet(Direction direction, ByteBuffer packet);
}
