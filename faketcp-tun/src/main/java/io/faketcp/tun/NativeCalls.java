package io.faketcp.tun;

import com.sun.jna.Native;
import io.faketcp.tun.internal.IfTun;
import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The per-packet system calls ({@code read}, {@code write}, {@code poll}) with the errno of the last
 * failed call, for one thread at a time. Two implementations, chosen once per JVM:
 *
 * <ul>
 *   <li>{@code ffm}: Foreign Function and Memory downcall handles (JDK 22 and later), reached
 *       reflectively so that the jar stays {@code --release 17}; {@code read} and {@code write} are
 *       critical downcalls (no thread-state transition), errno is captured by the linker;
 *   <li>{@code jna}: JNA direct mapping (JDK 17 to 21, or when FFM is unavailable).
 * </ul>
 *
 * <p>{@code -Dfaketcp.nativeCalls=jna|ffm} forces one (a forced {@code ffm} that cannot load fails).
 * Each instance keeps its own errno (FFM captures it into memory the instance owns), so one instance
 * must not be shared between threads.
 */
abstract class NativeCalls {
  private static final System.Logger LOG = System.getLogger(NativeCalls.class.getName());
  private static final String PROPERTY = "faketcp.nativeCalls";

  /** {@code ffm} or {@code jna}. */
  static String implementation() {
    return Choice.FFM ? "ffm" : "jna";
  }

  /** A new instance of the implementation chosen for this JVM, for the calling thread's use. */
  static NativeCalls create() {
    return Choice.FFM ? new ForeignCalls() : new JnaCalls();
  }

  /** A JNA instance, whatever the JVM. */
  static NativeCalls jna() {
    return new JnaCalls();
  }

  /** Whether this JVM can make FFM downcalls (JDK 22+ and the handles link). */
  static boolean foreignAvailable() {
    if (Runtime.version().feature() < 22) {
      return false;
    }
    try {
      ForeignCalls.Handles.check();
      return true;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  // The two buffers used last (a reader's input and output) and their addresses.
  private ByteBuffer buffer0;
  private long address0;
  private ByteBuffer buffer1;
  private long address1;

  /** The native address of a direct buffer, remembered for the two buffers used last. */
  final long address(ByteBuffer direct) {
    if (direct == buffer0) {
      return address0;
    }
    if (direct == buffer1) {
      return address1;
    }
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("tun I/O needs a direct ByteBuffer (ByteBuffer.allocateDirect), not a heap buffer");
    }
    buffer1 = buffer0;
    address1 = address0;
    buffer0 = direct;
    address0 = TunDevice.address(direct);
    return address0;
  }

  /** {@code read(fd, address, count)}: bytes read, or -1 with {@link #errno()} set. */
  abstract long read(int fd, long address, long count);

  /**
   * {@code read(fd, address, count)} where a failure needs no reason: bytes read, or -1 and
   * {@link #errno()} unchanged. FFM skips capturing errno (a call into the VM after each downcall).
   */
  abstract long readWithoutErrno(int fd, long address, long count);

  /** {@code write(fd, address, count)}: bytes written, or -1 with {@link #errno()} set. */
  abstract long write(int fd, long address, long count);

  /** {@code readv(fd, iov, iovcnt)}: bytes read, or -1 with {@link #errno()} set. */
  abstract long readv(int fd, long iov, int iovcnt);

  /** {@code writev(fd, iov, iovcnt)}: bytes written, or -1 with {@link #errno()} set. */
  abstract long writev(int fd, long iov, int iovcnt);

  // A device with checksum offload (IFF_VNET_HDR): each packet comes and goes behind a virtio_net_hdr,
  // read and written with readv and writev from two iovecs (16 bytes each: address, length), so that
  // the packet stays where it is. The scratch: [0, 32) the iovecs for reading (header, packet),
  // [32, 64) those for writing, [64, 74) the header read, [80, 90) the header written, [96, 144) the
  // iovecs of a gather write (the header written, the packet's headers, its payload).
  private static final int IOV_READ = 0;
  private static final int IOV_WRITE = 32;
  private static final int HEADER_IN = 64;
  private static final int HEADER_OUT = 80;
  private static final int IOV_GATHER = 96;
  private ByteBuffer vnet;
  private long vnetAddress;
  /** The header flags of the last packet {@link #readWithHeader} read. */
  private int flagsIn;

  /**
   * Reads one packet behind its virtio_net_hdr: the packet into {@code address} (at most
   * {@code capacity} bytes), the header kept for {@link #checksumPending()}; returns the packet's
   * length, or -1 with {@link #errno()} set.
   */
  final long readWithHeader(int fd, long address, long capacity) {
    ByteBuffer v = vnet();
    v.putLong(IOV_READ + 16, address).putLong(IOV_READ + 24, capacity);
    long n = readv(fd, vnetAddress + IOV_READ, 2);
    if (n < 0) {
      return n;
    }
    flagsIn = v.get(HEADER_IN) & 0xff;
    return n - IfTun.VNET_HDR_SIZE;
  }

  /** Whether the last packet {@link #readWithHeader} read has a checksum still to be completed. */
  final boolean checksumPending() {
    return (flagsIn & IfTun.VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
  }

  /**
   * Writes the packet at {@code address} behind a virtio_net_hdr: complete when
   * {@code checksumStart} is negative, else with its checksum at {@code checksumStart +
   * checksumOffset} to be completed by the kernel over {@code [checksumStart, length)} (the field
   * holding the pseudo-header's sum). Returns the packet's length, or -1 with {@link #errno()} set.
   */
  final long writeWithHeader(int fd, long address, long length, int checksumStart, int checksumOffset) {
    ByteBuffer v = vnet();
    v.putLong(IOV_WRITE + 16, address).putLong(IOV_WRITE + 24, length);
    headerOut(v, checksumStart, checksumOffset);
    long n = writev(fd, vnetAddress + IOV_WRITE, 2);
    return n < 0 ? n : n - IfTun.VNET_HDR_SIZE;
  }

  /**
   * Writes one packet from its headers at {@code header} and its payload at {@code payload} in one
   * {@code writev}; behind a virtio_net_hdr when {@code vnetHeader} (a device with checksum offload),
   * which leaves the checksum to the kernel as {@link #writeWithHeader} does. Returns the bytes of the
   * packet written, or -1 with {@link #errno()} set.
   */
  final long writeGather(int fd, long header, long headerLength, long payload, long payloadLength, boolean vnetHeader,
      int checksumStart, int checksumOffset) {
    ByteBuffer v = vnet();
    v.putLong(IOV_GATHER + 16, header).putLong(IOV_GATHER + 24, headerLength)
        .putLong(IOV_GATHER + 32, payload).putLong(IOV_GATHER + 40, payloadLength);
    if (!vnetHeader) {
      return writev(fd, vnetAddress + IOV_GATHER + 16, 2);
    }
    headerOut(v, checksumStart, checksumOffset);
    long n = writev(fd, vnetAddress + IOV_GATHER, 3);
    return n < 0 ? n : n - IfTun.VNET_HDR_SIZE;
  }

  /** The virtio_net_hdr written: complete, or the checksum at {@code checksumStart + checksumOffset} for the kernel. */
  private static void headerOut(ByteBuffer v, int checksumStart, int checksumOffset) {
    if (checksumStart < 0) {
      v.put(HEADER_OUT, (byte) 0).putShort(HEADER_OUT + 6, (short) 0).putShort(HEADER_OUT + 8, (short) 0);
    } else {
      v.put(HEADER_OUT, (byte) IfTun.VIRTIO_NET_HDR_F_NEEDS_CSUM).putShort(HEADER_OUT + 6, (short) checksumStart)
          .putShort(HEADER_OUT + 8, (short) checksumOffset);
    }
  }

  /** The scratch, made at first use, with the headers' iovecs in place (the rest of each header stays 0). */
  private ByteBuffer vnet() {
    if (vnet == null) {
      vnet = ByteBuffer.allocateDirect(144).order(ByteOrder.nativeOrder());
      vnetAddress = TunDevice.address(vnet);
      vnet.putLong(IOV_READ, vnetAddress + HEADER_IN).putLong(IOV_READ + 8, IfTun.VNET_HDR_SIZE);
      vnet.putLong(IOV_WRITE, vnetAddress + HEADER_OUT).putLong(IOV_WRITE + 8, IfTun.VNET_HDR_SIZE);
      vnet.putLong(IOV_GATHER, vnetAddress + HEADER_OUT).putLong(IOV_GATHER + 8, IfTun.VNET_HDR_SIZE);
    }
    return vnet;
  }

  /** {@code poll(fds, nfds, timeout)} (may block): ready descriptors, or -1 with {@link #errno()} set. */
  abstract int poll(long fds, long nfds, int timeoutMillis);

  /** The errno of this instance's last failed call. */
  abstract int errno();

  /** Chooses once, at first use. */
  private static final class Choice {
    static final boolean FFM = chooseForeign();

    private static boolean chooseForeign() {
      String wanted = System.getProperty(PROPERTY, "");
      if (wanted.equals("jna")) {
        return false;
      }
      if (!wanted.isEmpty() && !wanted.equals("ffm")) {
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted + " is not known: use jna or ffm");
      }
      if (Runtime.version().feature() < 22) {
        if (wanted.equals("ffm")) {
          throw new IllegalStateException("-D" + PROPERTY + "=ffm needs JDK 22 or later; this is "
              + Runtime.version() + ": use jna or drop the property");
        }
        return false;
      }
      try {
        ForeignCalls.Handles.check();
        return true;
      } catch (LinkageError | RuntimeException e) {
        Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
        if (wanted.equals("ffm")) {
          throw new IllegalStateException("-D" + PROPERTY + "=ffm: the FFM downcalls could not be made: " + cause, cause);
        }
        LOG.log(System.Logger.Level.DEBUG, "FFM downcalls unavailable, using JNA: {0}", cause.toString());
        return false;
      }
    }
  }

  /** JNA direct mapping; errno from JNA's per-thread copy. */
  private static final class JnaCalls extends NativeCalls {
    @Override
    long read(int fd, long address, long count) {
      return LibC.read(fd, address, count);
    }

    @Override
    long readWithoutErrno(int fd, long address, long count) {
      return LibC.read(fd, address, count);
    }

    @Override
    long write(int fd, long address, long count) {
      return LibC.write(fd, address, count);
    }

    @Override
    long readv(int fd, long iov, int iovcnt) {
      return LibC.readv(fd, iov, iovcnt);
    }

    @Override
    long writev(int fd, long iov, int iovcnt) {
      return LibC.writev(fd, iov, iovcnt);
    }

    @Override
    int poll(long fds, long nfds, int timeoutMillis) {
      return LibC.poll(fds, nfds, timeoutMillis);
    }

    @Override
    int errno() {
      return Native.getLastError();
    }
  }
}
