package io.faketcp.peer.internal.timing;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.LibC;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * When the host sent each packet the peer reads, as the kernel stamped it, for a latency to count
 * from: the moment the host's stack handed the packet to the device, the moment a capture (tcpdump)
 * shows it on the wire. The peer reads a packet later than that, by the time its wake-up took
 * (on a virtual machine, an idle vCPU's 50-100 µs, which the thread's run delay does not count, see
 * {@link ArrivalClock}) or the time it was busy with other work; a latency counted from the read
 * came out that much longer than asked.
 *
 * <p>A packet socket on the device with a memory-mapped ring ({@code TPACKET_V2}) and a filter that
 * keeps only the host's packets ({@code PACKET_OUTGOING}, their first {@value #SNAP} bytes): the
 * kernel copies each into the ring with its time before the device queues it, so the ring holds
 * them in the order the peer reads them. Nobody waits on the socket and nothing is read from it:
 * for each packet it reads from the device the peer looks for its frame in the ring (the same bytes;
 * packets the device dropped are passed over) and takes its time ({@link #arrival}); frames are given
 * back to the kernel as they are passed. Open only while a latency is set (the kernel copies every
 * packet of the host's while it is); where the socket cannot be had (no {@code CAP_NET_RAW}, not
 * Linux), {@link #open} says so and the arrival clock's estimate stands. Peer thread only.
 *
 * <p>Not API: public for the peer's loop ({@code io.faketcp.peer.internal.loop}) only.
 */
public final class ArrivalStamps implements AutoCloseable {
  /** The bytes of each packet the ring keeps: enough to tell the host's packets apart (IP and TCP headers). */
  static final int SNAP = 48;

  private static final System.Logger LOG = System.getLogger(ArrivalStamps.class.getName());
  private static final int AF_PACKET = 17;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int ETH_P_ALL = 0x0003;
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_FILTER = 26;
  private static final int SOL_PACKET = 263;
  private static final int PACKET_RX_RING = 5;
  private static final int PACKET_VERSION = 10;
  private static final int TPACKET_V2 = 1;
  private static final int PACKET_OUTGOING = 4;
  private static final int PROT_READ_WRITE = 3;
  private static final int MAP_SHARED = 1;
  /** A frame: the {@code tpacket2_hdr}, the link address, the packet's first bytes. */
  private static final int FRAME = 128;
  private static final int BLOCK = 4096;
  private static final int BLOCKS = 32;
  private static final int FRAMES = BLOCK / FRAME * BLOCKS;
  /** Frames the search for a packet looks at, at most, past the oldest one kept. */
  private static final int LOOK_AHEAD = 32;
  private static final int TP_STATUS_USER = 1;
  private static final int TP_STATUS_KERNEL = 0;
  private static final VarHandle STATUS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private final int fd;
  private final long address;
  private final ByteBuffer ring;
  /** The oldest frame not yet given back. */
  private int head;
  /** Packets stamped and not, since the ring was opened (for tests and logs). */
  long stamped;
  long unstamped;

  private ArrivalStamps(int fd, long address) {
    this.fd = fd;
    this.address = address;
    this.ring = new Pointer(address).getByteBuffer(0, (long) BLOCK * BLOCKS).order(ByteOrder.nativeOrder());
  }

  /** A ring on {@code device}, or null (logged) where the kernel or the process's rights refuse one. */
  public static ArrivalStamps open(String device) {
    if (!Platform.isLinux() || !Platform.is64Bit()) {
      return null;
    }
    int fd = -1;
    long address = -1;
    try {
      int index = LibC.if_nametoindex(device);
      if (index == 0) {
        throw new IllegalStateException("no interface " + device);
      }
      fd = LibC.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: nothing arrives before bind
      Memory value = new Memory(16);
      value.setInt(0, TPACKET_V2);
      LibC.setsockopt(fd, SOL_PACKET, PACKET_VERSION, Pointer.nativeValue(value), 4);
      Memory filter = outgoingOnly();
      value.clear();
      value.setShort(0, (short) 4); // struct sock_fprog: the instructions' count, then a pointer to them
      value.setPointer(8, filter);
      LibC.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, Pointer.nativeValue(value), 16);
      value.setInt(0, BLOCK); // struct tpacket_req: block size, blocks, frame size, frames
      value.setInt(4, BLOCKS);
      value.setInt(8, FRAME);
      value.setInt(12, FRAMES);
      LibC.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, Pointer.nativeValue(value), 16);
      address = LibC.mmap(0, (long) BLOCK * BLOCKS, PROT_READ_WRITE, MAP_SHARED, fd, 0);
      if (address == -1) {
        throw new IllegalStateException("mmap of the ring failed");
      }
      Memory where = new Memory(20); // struct sockaddr_ll
      where.clear();
      where.setShort(0, (short) AF_PACKET);
      where.setShort(2, Short.reverseBytes((short) ETH_P_ALL)); // network order
      where.setInt(4, index);
      LibC.bind(fd, Pointer.nativeValue(where), 20);
      return new ArrivalStamps(fd, address);
    } catch (RuntimeException | LinkageError e) {
      if (address != -1) {
        LibC.munmap(address, (long) BLOCK * BLOCKS); // the mapping holds the socket open
      }
      if (fd >= 0) {
        LibC.close(fd);
      }
      LOG.log(System.Logger.Level.DEBUG, "latency counts from the peer's reads on {0}: no packet ring ({1})", device,
          e.toString());
      return null;
    }
  }

  /** A classic BPF program: the packet's type is PACKET_OUTGOING (the host sent it), keep SNAP bytes. */
  private static Memory outgoingOnly() {
    Memory program = new Memory(4 * 8); // struct sock_filter: code (16 bits), jt, jf (8 each), k (32)
    instruction(program, 0, 0x20, 0, 0, 0xfffff000 + 4); // ld [SKF_AD_OFF + SKF_AD_PKTTYPE]
    instruction(program, 1, 0x15, 0, 1, PACKET_OUTGOING); // jeq #PACKET_OUTGOING, next, else skip one
    instruction(program, 2, 0x06, 0, 0, SNAP); // ret #SNAP
    instruction(program, 3, 0x06, 0, 0, 0); // ret #0: not kept
    return program;
  }

  private static void instruction(Memory program, int i, int code, int jt, int jf, int k) {
    program.setShort(i * 8L, (short) code);
    program.setByte(i * 8L + 2, (byte) jt);
    program.setByte(i * 8L + 3, (byte) jf);
    program.setInt(i * 8L + 4, k);
  }

  /**
   * When the host sent the packet the peer just read ({@code packet[0, length)}), in {@link
   * System#nanoTime()}'s terms, or {@link ArrivalClock#NONE} when its frame is not in the ring (the ring
   * was full, or the packet is not the host's). Frames older than the packet's are given back.
   */
  public long arrival(ByteBuffer packet, int length) {
    int compare = Math.min(length, SNAP);
    for (int i = 0; i < LOOK_AHEAD; i++) {
      int frame = frame(head + i);
      if (((int) STATUS.getAcquire(ring, frame) & TP_STATUS_USER) == 0) {
        break; // no more frames filled
      }
      if (matches(frame, packet, compare)) {
        long realTime = (ring.getInt(frame + 16) & 0xffffffffL) * 1_000_000_000L + (ring.getInt(frame + 20) & 0xffffffffL);
        for (int k = 0; k <= i; k++) {
          release(head);
          head = (head + 1) % FRAMES;
        }
        stamped++;
        return toNanoTime(realTime);
      }
      if (i == LOOK_AHEAD - 1) {
        release(head); // a frame nothing matched for this long: the device dropped its packet
        head = (head + 1) % FRAMES;
      }
    }
    unstamped++;
    return ArrivalClock.NONE;
  }

  private boolean matches(int frame, ByteBuffer packet, int compare) {
    int snap = ring.getInt(frame + 8);
    int net = ring.getShort(frame + 14) & 0xffff;
    if (snap < compare || net + compare > FRAME) {
      return false;
    }
    for (int j = 0; j < compare; j++) {
      if (ring.get(frame + net + j) != packet.get(j)) {
        return false;
      }
    }
    return true;
  }

  private static int frame(int index) {
    return index % FRAMES * FRAME;
  }

  private void release(int index) {
    STATUS.setRelease(ring, frame(index), TP_STATUS_KERNEL);
  }

  /** The kernel stamps the ring in wall-clock time: {@code realTime} as nanoTime, by the clocks' offset now. */
  private static long toNanoTime(long realTime) {
    long before = System.nanoTime();
    Instant now = Instant.now();
    long after = System.nanoTime();
    long nowReal = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return realTime - nowReal + before + (after - before) / 2;
  }

  @Override
  public void close() {
    try {
      LibC.munmap(address, (long) BLOCK * BLOCKS);
    } finally {
      LibC.close(fd);
    }
  }
}
