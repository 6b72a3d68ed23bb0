package io.faketcp.tun;

import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link TunDevice} reader's wait: {@code poll(2)} on the device's fd together with an eventfd that
 * {@link #wake} writes, so that another thread (closing the device, or just waking the reader) ends
 * the wait at once. The pollfd array and the eventfd's values live in native buffers made once. One
 * waiting thread at a time.
 */
final class DevicePoll {
  /** {@link #await}: a packet can be read. */
  static final int READABLE = 1;
  /** {@link #await}: {@link #wake} was called (the eventfd is drained). */
  static final int WOKEN = 2;
  /** {@link #await}: poll reported an error on the device's fd (the interface is gone). */
  static final int FAILED = 4;

  private static final int POLLFD_SIZE = 8;
  private static final int REVENTS = 6;

  private final int wakeFd;
  private final ByteBuffer pollFds = directBuffer(2 * POLLFD_SIZE);
  private final long pollFdsAddress = TunDevice.address(pollFds);
  private final ByteBuffer wakeValue = directBuffer(8).putLong(0, 1L);
  private final long wakeValueAddress = TunDevice.address(wakeValue);
  private final ByteBuffer drain = directBuffer(8);
  private final long drainAddress = TunDevice.address(drain);

  DevicePoll(int fd, int wakeFd) {
    this.wakeFd = wakeFd;
    pollFds.putInt(0, fd);
    pollFds.putShort(4, LibC.POLLIN);
    pollFds.putInt(POLLFD_SIZE, wakeFd);
    pollFds.putShort(POLLFD_SIZE + 4, LibC.POLLIN);
  }

  /**
   * Waits up to {@code timeoutMillis} (0: not at all, -1: forever): {@link #READABLE}, {@link #WOKEN} and
   * {@link #FAILED} as they hold (0 on a timeout, or when a signal interrupted the wait), or the negative
   * errno when poll failed.
   */
  int await(int timeoutMillis, NativeCalls calls) {
    pollFds.putShort(REVENTS, (short) 0);
    pollFds.putShort(POLLFD_SIZE + REVENTS, (short) 0);
    int n = calls.poll(pollFdsAddress, 2, timeoutMillis);
    if (n < 0) {
      int errno = calls.errno();
      return errno == LibC.EINTR ? 0 : -errno;
    }
    if (n == 0) {
      return 0;
    }
    int result = 0;
    if (pollFds.getShort(POLLFD_SIZE + REVENTS) != 0) {
      calls.read(wakeFd, drainAddress, 8);
      result |= WOKEN;
    }
    short events = pollFds.getShort(REVENTS);
    if ((events & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0) {
      result |= FAILED;
    }
    if ((events & LibC.POLLIN) != 0) {
      result |= READABLE;
    }
    return result;
  }

  /** Ends a wait in progress, or the next one, at once. Any thread may call it. */
  void wake(NativeCalls calls) {
    calls.write(wakeFd, wakeValueAddress, 8);
  }

  /** Closes the eventfd. */
  void close() {
    DeviceSetup.closeQuietly(wakeFd);
  }

  private static ByteBuffer directBuffer(int size) {
    return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
  }
}
