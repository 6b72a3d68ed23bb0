package io.faketcp.peer.internal.faults;

import io.faketcp.peer.internal.PacketOut;
import java.nio.ByteBuffer;

/**
 * Internal, not API: the peer's wire as the faults use it: {@link #send(int)} goes through them, the
 * writes go past them (packets the faults delayed, held back or doubled). Peer thread only.
 */
public interface FaultWire extends PacketOut {
  /** Writes {@code packet} (a whole IPv4 packet) now, past the faults. */
  void write(byte[] packet);

  /** Writes {@code packet[0, length)} now, past the faults. */
  void write(byte[] packet, int length);

  /** Writes {@code b[0, length)} now, past the faults. */
  void write(ByteBuffer b, int length);
}
