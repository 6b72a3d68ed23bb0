package io.faketcp.peer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An AF_PACKET socket that transmits raw bytes on one interface. On a tun device, "transmit" means
 * "queue for the fd's reader": the bytes reach the peer exactly as sent, with no kernel validation —
 * unlike a raw IP socket, whose packets the kernel completes and checks. For fuzzing the peer.
 */
final class PacketSocket implements AutoCloseable {
  static {
    Native.register(PacketSocket.class, Platform.C_LIBRARY_NAME);
  }

  private static final int AF_PACKET = 17;
  private static final int SOCK_RAW = 3;

  private static native int socket(int domain, int type, int protocol) throws LastErrorException;

  private static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen)
      throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private final int fd = socket(AF_PACKET, SOCK_RAW, 0);
  private final Memory address = new Memory(20);
  private final Memory buffer = new Memory(65536);

  PacketSocket(String interfaceName) throws IOException {
    int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", interfaceName, "ifindex")).trim());
    address.clear();
    address.setShort(0, (short) AF_PACKET);
    address.setShort(2, (short) 0x0008); // htons(ETH_P_IP)
    address.setInt(4, ifindex);
  }

  /**
   * Transmits {@code packet} on the interface.
   *
   * @throws LastErrorException when the kernel refuses it (e.g. EMSGSIZE above the MTU)
   */
  void send(byte[] packet) {
    buffer.write(0, packet, 0, packet.length);
    sendto(fd, buffer, packet.length, 0, address, 20);
  }

  @Override
  public void close() {
    close(fd);
  }
}
