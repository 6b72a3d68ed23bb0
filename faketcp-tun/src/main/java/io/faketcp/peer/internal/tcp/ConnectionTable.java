package io.faketcp.peer.internal.tcp;

import java.util.ArrayList;
import java.util.List;

/**
 * The peer's connections by 4-tuple. Used by the peer's thread only.
 *
 * <p>An open-addressing table (linear probing, at most half full) of the connections themselves: the
 * 4-tuple is read from the {@link TcpEndpoint}, so entering one allocates nothing (no key object, no
 * map node; a {@code HashMap} cost 56 bytes per connection, a sixth of what a connect-many client
 * allocated), and neither does a lookup. Each slot's hash is kept beside it, so that a probe compares
 * hashes in one array and reads a connection only when its hash matches (a lookup that misses, as
 * connect-many's check of a new source port does, touches no connection). Removal shifts the entries
 * after the gap back (no tombstones), so a table that has seen millions of connections probes as fast
 * as a fresh one.
 */
public final class ConnectionTable {
  private static final int INITIAL_CAPACITY = 64;

  private TcpEndpoint[] slots = new TcpEndpoint[INITIAL_CAPACITY];
  /** The hash of the connection in the same slot. */
  private int[] hashes = new int[INITIAL_CAPACITY];
  private int mask = INITIAL_CAPACITY - 1;
  private int size;

  public TcpEndpoint get(int hostAddress, int hostPort, int fakeAddress, int fakePort) {
    int ports = hostPort << 16 | fakePort;
    int h = hash(hostAddress, ports, fakeAddress);
    for (int i = h & mask; ; i = (i + 1) & mask) {
      TcpEndpoint c = slots[i];
      if (c == null || hashes[i] == h && matches(c, hostAddress, ports, fakeAddress)) {
        return c;
      }
    }
  }

  /** Enters {@code c}, replacing any connection of the same 4-tuple. */
  public void put(TcpEndpoint c) {
    if (2 * (size + 1) > slots.length) {
      grow();
    }
    int ports = c.hostPort() << 16 | c.fakePort();
    int h = hash(c.hostAddress(), ports, c.fakeAddress());
    for (int i = h & mask; ; i = (i + 1) & mask) {
      TcpEndpoint old = slots[i];
      if (old == null) {
        slots[i] = c;
        hashes[i] = h;
        size++;
        return;
      }
      if (hashes[i] == h && matches(old, c.hostAddress(), ports, c.fakeAddress())) {
        slots[i] = c;
        return;
      }
    }
  }

  /** Removes the connection of {@code c}'s 4-tuple, if any. */
  public void remove(TcpEndpoint c) {
    int ports = c.hostPort() << 16 | c.fakePort();
    int h = hash(c.hostAddress(), ports, c.fakeAddress());
    int i = h & mask;
    while (true) {
      TcpEndpoint found = slots[i];
      if (found == null) {
        return;
      }
      if (hashes[i] == h && matches(found, c.hostAddress(), ports, c.fakeAddress())) {
        break;
      }
      i = (i + 1) & mask;
    }
    size--;
    // Backward shift: every entry after the gap that the gap separates from its home slot moves into it.
    int gap = i;
    for (int j = (gap + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        slots[gap] = slots[j];
        hashes[gap] = hashes[j];
        gap = j;
      }
    }
    slots[gap] = null;
  }

  public int size() {
    return size;
  }

  public List<TcpEndpoint> all() {
    List<TcpEndpoint> all = new ArrayList<>(size);
    for (TcpEndpoint c : slots) {
      if (c != null) {
        all.add(c);
      }
    }
    return all;
  }

  /** Slots in use and free (test access: the table stays at most half full). */
  public int capacity() {
    return slots.length;
  }

  static String format(int address, int port) {
    return io.faketcp.packet.Ipv4Packet.toDottedQuad(address) + "." + port;
  }

  private void grow() {
    TcpEndpoint[] old = slots;
    int[] oldHashes = hashes;
    slots = new TcpEndpoint[old.length * 2];
    hashes = new int[old.length * 2];
    mask = slots.length - 1;
    for (int k = 0; k < old.length; k++) {
      if (old[k] != null) {
        int i = oldHashes[k] & mask;
        while (slots[i] != null) {
          i = (i + 1) & mask;
        }
        slots[i] = old[k];
        hashes[i] = oldHashes[k];
      }
    }
  }

  private static boolean matches(TcpEndpoint c, int hostAddress, int ports, int fakeAddress) {
    return c.fakeAddress() == fakeAddress && (c.hostPort() << 16 | c.fakePort()) == ports && c.hostAddress() == hostAddress;
  }

  /** Mixes all of the tuple into the low bits: connect-many's tuples differ only in the fake port. */
  private static int hash(int hostAddress, int ports, int fakeAddress) {
    int h = fakeAddress * 0x9E3779B1 + ports;
    h = (h ^ (h >>> 15)) * 0x85EBCA6B + hostAddress;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }
}
