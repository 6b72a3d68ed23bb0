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

  /**
   * Whether the device completes the checksums of the segments written to it (checksum offload) and
   * no listener is to see whole packets: then a payload's sum is used only while a fault is in force,
   * and {@link #sendTcp(java.nio.ByteBuffer, int)} sums the payload itself when it needs it.
   */
  default boolean completesChecksums() {
    return false;
  }
}
