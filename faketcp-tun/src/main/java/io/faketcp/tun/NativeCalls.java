package io.faketcp.tun;

import com.sun.jna.Native;
import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;

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
    int poll(long fds, long nfds, int timeoutMillis) {
      return LibC.poll(fds, nfds, timeoutMillis);
    }

    @Override
    int errno() {
      return Native.getLastError();
    }
  }
}
