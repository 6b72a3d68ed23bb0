package io.faketcp.peer.internal;

import java.nio.ByteBuffer;

/**
 * Internal, not API: where the engine's rooms other than TCP (the relay's ICMP answers, UDP's) write
 * their packets: the peer's wire, which sends them through the faults. Build an IPv4 packet at index 0
 * of {@link #buffer()}, then {@link #send(int)} it. Peer thread only.
 */
public interface PacketOut {
  /** The output buffer; build a packet at index 0, then {@link #send(int)} it. */
  ByteBuffer buffer();

  /** Sends the packet in {@code buffer()[0, length)}. */
  void send(int length);
}
