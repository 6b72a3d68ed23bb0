package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;

/**
 * Where the TCP layer writes its segments: the peer's wire (the tun device), a list in
 * unit tests. Peer thread only.
 */
public interface Link {
  /** A reset builder for the next segment. */
  TcpSegment.Builder tcp();

  /** Sends the segment built with {@link #tcp()}. */
  void sendTcp();

  /**
   * Sends the segment built with {@link #tcp()}, whose payload's bytes sum to {@code payloadSum}
   * (folded, RFC 1071), so that its checksum needs only the header summed; -1: not known.
   */
  default void sendTcp(int payloadSum) {
    sendTcp();
  }

  /**
   * {@link #sendTcp(int)} of a segment whose builder's payload is {@code payload} (set with
   * {@link TcpSegment.Builder#payload(java.nio.ByteBuffer)}, position and limit unchanged since): a
   * link may write those bytes from where they are instead of copying them behind the headers.
   */
  default void sendTcp(java.nio.ByteBuffer payload, int payloadSum) {
    sendTcp(payloadSum);
  }
}
