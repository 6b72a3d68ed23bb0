package io.faketcp.junit5.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.faketcp.tun.internal.Ifreq;
import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Waits until the kernel has removed an interface whose tun device was closed.
 *
 * <p>The kernel deletes a tun interface when the last reference to its open file goes, not when our fd
 * is closed: a child process forked by any thread of this JVM holds a copy of every fd until it execs
 * (close-on-exec), and a thread still inside a call on the fd holds it until the call returns. Then
 * {@code close()} returns and the interface stays until the other holder lets go. The interface is
 * identified by name and index: a new device may take the name meanwhile, never the index.
 */
final class InterfaceRemoval {
  /** {@code SIOCGIFINDEX}: the interface index of a name. */
  private static final long SIOCGIFINDEX = 0x8933;
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private InterfaceRemoval() {}

  /** The index of the interface {@code name} in this network namespace, or -1 when there is none. */
  static int index(String name) {
    int socket;
    try {
      socket = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
    } catch (LastErrorException e) {
      return -1;
    }
    try {
      Ifreq request = new Ifreq(name);
      LibC.ioctl(socket, new NativeLong(SIOCGIFINDEX), request);
      byte[] u = request.ifr_ifru; // int ifr_ifindex, native (little-endian on Linux x86/arm) order
      return ByteBuffer.wrap(u, 0, 4).order(ByteOrder.nativeOrder()).getInt();
    } catch (LastErrorException e) {
      return -1; // ENODEV: no such interface
    } finally {
      try {
        LibC.close(socket);
      } catch (LastErrorException ignored) {
        // the socket is gone either way
      }
    }
  }

  /**
   * Waits until no interface {@code name} with index {@code index} is left, at most {@code timeoutNanos}.
   *
   * @return how long it waited (0 when it was already gone), or -1 when it is still there
   */
  static long awaitGone(String name, int index, long timeoutNanos) {
    if (index < 0 || index(name) != index) {
      return 0;
    }
    long start = System.nanoTime();
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      long waited = System.nanoTime() - start;
      if (waited >= timeoutNanos) {
        return -1;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(pause, timeoutNanos - waited));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
      if (index(name) != index) {
        return Math.max(1, System.nanoTime() - start);
      }
    }
  }
}
