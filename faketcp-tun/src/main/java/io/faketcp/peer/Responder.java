package io.faketcp.peer;

import io.faketcp.packet.Ipv4Packet;
import java.nio.ByteBuffer;

/**
 * Custom handling for packets, consulted before the mode. Runs on the peer's thread; an
 * exception it throws is recorded as the peer's {@linkplain FakePeer#failure() failure} (the
 * packet is then counted as dropped) and the peer goes on.
 *
 * <pre>{@code
 * Responder silentSmtp = (packet, out) ->
 *     packet.protocol() == IpProtocol.TCP && TcpSegment.wrap(packet).destinationPort() == 25;
 * }</pre>
 */
@FunctionalInterface
public interface Responder {
  /**
   * Handles {@code packet} (a valid IPv4 packet addressed to the subnet).
   *
   * @param out sends packets into the host's kernel
   * @return true when handled (the mode is skipped), false to let the mode answer
   * @throws Exception recorded as the peer's failure
   */
  boolean respond(Ipv4Packet packet, Sink out) throws Exception;

  /** Where a {@link Responder} writes its replies. */
  interface Sink {
    /** Writes one IPv4 packet ([position, limit) of {@code packet}) to the host. */
    void send(ByteBuffer packet);

    /** Writes one IPv4 packet to the host. */
    default void send(byte[] packet) {
      send(ByteBuffer.wrap(packet));
    }
  }
}
