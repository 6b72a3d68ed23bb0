package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;

/**
 * Where the TCP layer writes its segments: the {@link Wire} (the tun device) in the peer, a list in
 * unit tests. Peer thread only.
 */
public interface Link {
  /** A reset builder for the next segment. */
  TcpSegment.Builder tcp();

  /** Sends the segment built with {@link #tcp()}. */
  void sendTcp();
}
