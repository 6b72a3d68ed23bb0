package io.faketcp.peer.internal.udp;

/**
 * Internal, not API: what serves the datagrams of a rule with a server, on the peer's datagram thread
 * ({@link DatagramPool}). The public package adapts a user's {@code DatagramServer} to it.
 */
@FunctionalInterface
public interface DatagramHandler {
  /**
   * Serves one datagram.
   *
   * @throws Exception recorded as the peer's failure
   */
  void serve(ReceivedDatagram datagram) throws Exception;
}
