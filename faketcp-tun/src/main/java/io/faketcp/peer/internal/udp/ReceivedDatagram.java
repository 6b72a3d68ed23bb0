package io.faketcp.peer.internal.udp;

import java.net.InetSocketAddress;

/**
 * Internal, not API: one datagram a fake host received, as a {@link DatagramHandler} gets it, and the
 * way to answer it. Usable from any thread.
 */
public interface ReceivedDatagram {
  /** The host's address and port: where the datagram came from, and where a reply goes. */
  InetSocketAddress source();

  /** The fake host's address and port: where the host sent it. */
  InetSocketAddress destination();

  /** The data (a copy). */
  byte[] payload();

  /**
   * Sends {@code data} from {@link #destination()} back to {@link #source()} through the peer's thread.
   *
   * @throws IllegalArgumentException if the datagram would not fit the device's MTU
   */
  void reply(byte[] data);
}
