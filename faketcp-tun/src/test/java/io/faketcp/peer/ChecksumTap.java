package io.faketcp.peer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the IPv4 and TCP checksums of every TCP packet the peer writes to one tun interface, as the
 * kernel received them: an AF_PACKET socket bound to the interface, read by a thread of its own
 * (packets the host sends are skipped). Where the device marks the peer's checksums as its own
 * ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}), the kernel does not check them; this does.
 */
final class ChecksumTap implements AutoCloseable {
  static {
    Native.register(ChecksumTap.class, Platform.C_LIBRARY_NAME);
  }

  private static final int AF_PACKET = 17;
  private static final int SOCK_DGRAM = 2;
  private static final short ETH_P_ALL_NETWORK_ORDER = 0x0300; // htons(ETH_P_ALL)
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SOL_PACKET = 263;
  private static final int PACKET_STATISTICS = 6;
  private static final int PACKET_OUTGOING = 4;
  private static final int EAGAIN = 11;

  private static native int socket(int domain, int type, int protocol) throws LastErrorException;

  private static native int bind(int fd, Pointer address, int length) throws LastErrorException;

  private static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

  private static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length) throws LastErrorException;

  private static native long recvfrom(int fd, Pointer buffer, long length, int flags, Pointer from, Pointer fromLength)
      throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private final int fd = socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL_NETWORK_ORDER);
  private final Thread reader;
  private volatile boolean stopping;
  private final List<String> bad = new ArrayList<>(); // guarded by this
  private long segments; // guarded by this
  private long payloadBytes; // guarded by this

  /** Opens the tap on {@code interfaceName} (a kernel buffer of 64 MiB) and starts reading. */
  ChecksumTap(String interfaceName) throws IOException {
    int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", interfaceName, "ifindex")).trim());
    Memory value = new Memory(16);
    value.setInt(0, 64 << 20);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, value, 4);
    value.setLong(0, 0); // a 100 ms receive timeout: the reader sees close() soon
    value.setLong(8, 100_000);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, value, 16);
    Memory address = new Memory(20);
    address.clear();
    address.setShort(0, (short) AF_PACKET);
    address.setShort(2, ETH_P_ALL_NETWORK_ORDER);
    address.setInt(4, ifindex);
    bind(fd, address, 20);
    reader = new Thread(this::read, "checksum-tap");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    Memory buffer = new Memory(65536);
    Memory from = new Memory(20);
    Memory fromLength = new Memory(4);
    while (true) {
      fromLength.setInt(0, 20);
      long n;
      try {
        n = recvfrom(fd, buffer, buffer.size(), 0, from, fromLength);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == EAGAIN) {
          if (stopping) {
            return; // nothing queued any more
          }
          continue;
        }
        synchronized (this) {
          bad.add("recvfrom failed: errno " + e.getErrorCode());
        }
        return;
      }
      if ((from.getByte(10) & 0xff) != PACKET_OUTGOING) {
        check(ByteBuffer.wrap(buffer.getByteArray(0, (int) n)));
      }
    }
  }

  /** One packet from the peer: an IPv4 TCP packet's checksums, counted. */
  private synchronized void check(ByteBuffer p) {
    if (p.limit() < 20 || (p.get(0) & 0xf0) != 0x40 || (p.get(9) & 0xff) != IpProtocol.TCP) {
      return;
    }
    int header = (p.get(0) & 0x0f) * 4;
    int total = p.getShort(2) & 0xffff;
    if (total > p.limit() || total < header + 20) {
      bad.add("a TCP packet of " + p.limit() + " bytes says it has " + total);
      return;
    }
    segments++;
    int tcpHeader = (p.get(header + 12) >> 4 & 0x0f) * 4;
    payloadBytes += total - header - tcpHeader;
    int ip = Checksum.compute(p, 0, header);
    int tcp = Checksum.tcpUdp(p, 0, IpProtocol.TCP, header, total - header);
    if (ip != 0 || tcp != 0) {
      bad.add(String.format("seq %d, %d bytes: IP header sums to %04x, TCP to %04x (0 when right)",
          p.getInt(header + 4) & 0xffffffffL, total, ip, tcp));
    }
  }

  /** The peer's TCP packets whose checksums were wrong (and any read failure), described. */
  synchronized List<String> bad() {
    return List.copyOf(bad);
  }

  synchronized long segments() {
    return segments;
  }

  /** The TCP payload bytes of the packets checked. */
  synchronized long payloadBytes() {
    return payloadBytes;
  }

  /** Packets the kernel dropped for the tap (its buffer full): their checksums went unchecked. */
  long drops() {
    Memory stats = new Memory(8);
    Memory length = new Memory(4);
    length.setInt(0, 8);
    getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, length);
    return stats.getInt(4) & 0xffffffffL;
  }

  /**
   * Stops reading once the socket's queue is empty (the kernel queues a packet for the tap before it
   * hands it to TCP), and closes the socket.
   */
  @Override
  public void close() throws InterruptedException {
    if (stopping) {
      return;
    }
    stopping = true;
    reader.join(10_000);
    close(fd);
  }
}
