package io.faketcp.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer's connections by 4-tuple. Used by the peer's thread only. Lookups reuse one probe key,
 * so the packet path allocates nothing here.
 */
final class ConnectionTable {
  private final Map<Key, Connection> connections = new HashMap<>();
  private final Key probe = new Key();

  Connection get(int hostAddress, int hostPort, int peerAddress, int peerPort) {
    probe.set(hostAddress, hostPort, peerAddress, peerPort);
    return connections.get(probe);
  }

  void put(Connection c) {
    Key key = new Key();
    key.set(c.hostAddress, c.hostPort, c.peerAddress, c.peerPort);
    connections.put(key, c);
  }

  void remove(Connection c) {
    probe.set(c.hostAddress, c.hostPort, c.peerAddress, c.peerPort);
    connections.remove(probe);
  }

  int size() {
    return connections.size();
  }

  List<Connection> all() {
    return new ArrayList<>(connections.values());
  }

  static String format(int address, int port) {
    return io.faketcp.packet.Ipv4Packet.toDottedQuad(address) + "." + port;
  }

  private static final class Key {
    int hostAddress;
    int peerAddress;
    int ports;

    void set(int hostAddress, int hostPort, int peerAddress, int peerPort) {
      this.hostAddress = hostAddress;
      this.peerAddress = peerAddress;
      this.ports = hostPort << 16 | peerPort;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return k.peerAddress == peerAddress && k.ports == ports && k.hostAddress == hostAddress;
    }

    @Override
    public int hashCode() {
      int h = peerAddress * 0x9E3779B1 + ports;
      h = h * 0x85EBCA6B + hostAddress;
      return h ^ (h >>> 16);
    }
  }
}
