package io.faketcp.peer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * A raw IPv4 or IPv6 socket (IPPROTO_RAW: we write whole IP headers) for tests that hand crafted
 * packets to the kernel, which routes them into the tun device and so to the peer.
 */
final class RawSocket implements AutoCloseable {
  static {
    Native.register(RawSocket.class, Platform.C_LIBRARY_NAME);
  }

  private static native int socket(int domain, int type, int protocol) throws LastErrorException;

  private static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen)
      throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private final boolean six;
  private final int fd;

  RawSocket() {
    this(false);
  }

  /** An AF_INET6 socket when {@code six}. */
  RawSocket(boolean six) {
    this.six = six;
    this.fd = socket(six ? 10 : 2, 3, 255);
  }

  /** Sends one complete IP packet of the socket's family; the kernel routes it by its destination. */
  void send(byte[] packet) {
    Memory buf = new Memory(packet.length);
    buf.write(0, packet, 0, packet.length);
    Memory addr = new Memory(six ? 28 : 16);
    addr.clear();
    if (six) {
      addr.setShort(0, (short) 10); // sockaddr_in6: family, port 0, flow info 0, address, scope 0
      addr.write(8, packet, 24, 16);
    } else {
      addr.setShort(0, (short) 2);
      addr.write(4, packet, 16, 4);
    }
    sendto(fd, buf, packet.length, 0, addr, six ? 28 : 16);
  }

  @Override
  public void close() {
    close(fd);
  }
}
