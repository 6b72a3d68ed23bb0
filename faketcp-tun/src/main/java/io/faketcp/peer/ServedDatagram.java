package io.faketcp.peer;

import io.faketcp.peer.internal.udp.DatagramHandler;
import io.faketcp.peer.internal.udp.ReceivedDatagram;
import java.net.InetSocketAddress;

/** A user's {@link DatagramServer} as the peer's datagram thread runs it: each datagram seen as a {@link DatagramServer.Datagram}. */
final class ServedDatagram implements DatagramServer.Datagram {
  private final ReceivedDatagram datagram;

  private ServedDatagram(ReceivedDatagram datagram) {
    this.datagram = datagram;
  }

  /** The handler that serves datagrams with {@code server}. */
  static DatagramHandler handler(DatagramServer server) {
    return new DatagramHandler() {
      @Override
      public void serve(ReceivedDatagram datagram) throws Exception {
        server.serve(new ServedDatagram(datagram));
      }

      @Override
      public String toString() {
        return server.toString();
      }
    };
  }

  @Override
  public InetSocketAddress source() {
    return datagram.source();
  }

  @Override
  public InetSocketAddress destination() {
    return datagram.destination();
  }

  @Override
  public byte[] payload() {
    return datagram.payload();
  }

  @Override
  public void reply(byte[] payload) {
    datagram.reply(payload);
  }

  @Override
  public String toString() {
    return datagram.toString();
  }
}
