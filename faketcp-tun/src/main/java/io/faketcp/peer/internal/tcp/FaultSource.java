package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * Where the endpoints get their connection faults and report what those did: the peer's fault
 * layer. A fault is an opaque object here (the layer's own, handed back in the reports). Peer
 * thread only.
 */
public interface FaultSource {
  /**
   * The connection faults in force now for a connection to fake host {@code fakeAddress} on
   * {@code fakePort}, as a fresh policy; null when none applies (the usual case, checked per new
   * connection, never per packet).
   */
  FaultPolicy forConnection(int fakeAddress, int fakePort);

  /** {@code fault} acted on a connection (reset, stall, silence, a FIN held back). */
  void acted(Object fault);

  /** {@code fault} forged the RST at {@code packet[0, length)}: reported before it is sent. */
  void forged(Object fault, ByteBuffer packet, int length);

  /** {@code fault} dropped the host's packet at {@code packet[offset, offset + length)} (a silent connection). */
  void dropped(Object fault, ByteBuffer packet, int offset, int length);
}
