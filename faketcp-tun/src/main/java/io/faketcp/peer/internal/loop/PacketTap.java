package io.faketcp.peer.internal.loop;

import java.nio.ByteBuffer;

/**
 * Internal, not API: sees every packet that crosses the device, on the peer's thread; the public
 * package adapts a user's {@code PacketListener} to it. {@code packet} holds the IPv4 or IPv6 packet in
 * [position, limit) and is valid only during the call.
 */
public interface PacketTap {
  /** A packet the host sent to the subnet, as the peer read it. */
  void toPeer(ByteBuffer packet);

  /** A packet the peer wrote, as the host receives it. */
  void fromPeer(ByteBuffer packet);
}
