package io.faketcp.tun;

import io.faketcp.tun.internal.LibC;

/**
 * The packet system calls on one {@link TunDevice}'s fd: made again when a signal interrupts them,
 * behind the virtio_net_hdr on a device with checksum offload, and a failure as a {@link TunException}
 * that names the interface and, where it can, what happened to it. The caller passes the calling
 * thread's {@link NativeCalls}; whether it may call at all is {@link TunDevice}'s business.
 */
final class DeviceIo {
  private final int fd;
  private final String name;
  /** Packets come and go behind a virtio_net_hdr ({@link TunDevice.Builder#checksumOffload}). */
  private final boolean vnetHeader;

  DeviceIo(int fd, String name, boolean vnetHeader) {
    this.fd = fd;
    this.name = name;
    this.vnetHeader = vnetHeader;
  }

  int fd() {
    return fd;
  }

  /**
   * One read into {@code address} whose failure needs no reason: the packet's length, or -1 (FFM then
   * skips capturing errno, a call into the VM after each downcall).
   */
  long readWithoutErrno(long address, int capacity, NativeCalls calls) {
    return vnetHeader ? calls.readWithHeader(fd, address, capacity) : calls.readWithoutErrno(fd, address, capacity);
  }

  /** Reads one packet into {@code address}: its length, or -1 when none is waiting. */
  long read(long address, int capacity, NativeCalls calls) {
    while (true) {
      long n = vnetHeader ? calls.readWithHeader(fd, address, capacity) : calls.read(fd, address, capacity);
      if (n >= 0) {
        return n;
      }
      int errno = calls.errno();
      if (errno == LibC.EAGAIN) {
        return -1;
      }
      if (errno != LibC.EINTR) {
        throw error("read", errno);
      }
    }
  }

  /**
   * Writes one packet; with checksum offload, behind a header that leaves its checksum at
   * {@code checksumStart + checksumOffset} to the kernel when {@code checksumStart} is not negative.
   */
  void write(long address, int length, NativeCalls calls, int checksumStart, int checksumOffset) {
    while (true) {
      long n = vnetHeader ? calls.writeWithHeader(fd, address, length, checksumStart, checksumOffset)
          : calls.write(fd, address, length);
      if (n >= 0) {
        return;
      }
      int errno = calls.errno();
      if (errno != LibC.EINTR) {
        throw error("write", errno);
      }
    }
  }

  /** Writes one packet from its headers and its payload in one {@code writev} ({@link NativeCalls#writeGather}). */
  void writeGather(NativeCalls calls, long header, int headerLength, long payload, int payloadLength,
      int checksumStart, int checksumOffset) {
    while (true) {
      long n = calls.writeGather(fd, header, headerLength, payload, payloadLength, vnetHeader, checksumStart,
          checksumOffset);
      if (n >= 0) {
        return;
      }
      int errno = calls.errno();
      if (errno != LibC.EINTR) {
        throw error("write", errno);
      }
    }
  }

  /** A failed {@code call} on the fd as a {@link TunException}: the error text, and what it means here. */
  TunException error(String call, int errno) {
    String text = call + "(" + name + ") failed: " + LibC.strerror(errno);
    if (errno == LibC.EBADFD || errno == LibC.ENODEV) {
      text += " - the interface " + name + " was deleted from outside (e.g. by 'ip link del')";
    } else if (errno == LibC.EIO) {
      text += " - the interface " + name + " is down";
    } else if (errno == LibC.EINVAL && call.equals("write")) {
      text += " - the kernel refused the packet as malformed";
    }
    return new TunException(text, errno, null);
  }
}
