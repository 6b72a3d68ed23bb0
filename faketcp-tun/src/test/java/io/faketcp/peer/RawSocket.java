package io.faketcp.peer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * A raw IPv4 socket (IPPROTO_RAW: we write whole IP headers) for tests that hand crafted packets
 * to the kernel, which routes them into the tun device and so to the peer.
 */
final class RawSocket implements AutoCloseable {
  static {
    Native.register(RawSocket.class, Platform.C_LIBRARY_NAME);
  }

  private static native int socket(int domain, int type, int protocol) throws LastErrorException;

  private static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen)
      throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private final int fd = socket(2, 3, 255);

  /** Sends one complete IPv4 packet; the kernel routes it by its destination. */
  void send(byte[] packet) {
    Memory buf = new Memory(packet.length);
    buf.write(0, packet, 0, packet.length);
    Memory addr = new Memory(16);
    addr.clear();
    addr.setShort(0, (short) 2);
    addr.write(4, packet, 16, 4);
    sendto(fd, buf, packet.length, 0, addr, 16);
  }

  @Override
  public void close() {
    close(fd);
  }
}
