package io.faketcp.samples;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's file descriptors: how many are open, and a way to lower the limit for a while. */
final class FileDescriptors {
  private static final int RLIMIT_NOFILE = 7; // Linux

  private FileDescriptors() {}

  /** Descriptors open now. */
  static long open() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  /** The soft limit ({@code ulimit -n}). */
  static long softLimit() {
    RLimit limit = new RLimit();
    check(LibC.INSTANCE.getrlimit(RLIMIT_NOFILE, limit), "getrlimit");
    return limit.rlim_cur;
  }

  /**
   * Lowers the soft limit to {@code soft} until closed. While lowered, nothing in this process may open
   * a file (not even to load a class from a directory): load what you need first.
   */
  static Lowered lowerSoftLimitTo(long soft) {
    RLimit limit = new RLimit();
    check(LibC.INSTANCE.getrlimit(RLIMIT_NOFILE, limit), "getrlimit");
    long before = limit.rlim_cur;
    limit.rlim_cur = soft;
    check(LibC.INSTANCE.setrlimit(RLIMIT_NOFILE, limit), "setrlimit");
    return new Lowered(before, limit.rlim_max);
  }

  private static void check(int result, String call) {
    if (result != 0) {
      throw new IllegalStateException(call + "(RLIMIT_NOFILE) failed: errno " + Native.getLastError());
    }
  }

  /** Restores the soft limit when closed. */
  static final class Lowered implements AutoCloseable {
    private final long soft;
    private final long hard;

    Lowered(long soft, long hard) {
      this.soft = soft;
      this.hard = hard;
    }

    @Override
    public void close() {
      RLimit limit = new RLimit();
      limit.rlim_cur = soft;
      limit.rlim_max = hard;
      check(LibC.INSTANCE.setrlimit(RLIMIT_NOFILE, limit), "setrlimit");
    }
  }

  /** {@code struct rlimit}. */
  @Structure.FieldOrder({"rlim_cur", "rlim_max"})
  public static final class RLimit extends Structure {
    public long rlim_cur;
    public long rlim_max;
  }

  /** The two calls of libc we need. */
  public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int getrlimit(int resource, RLimit limit);

    int setrlimit(int resource, RLimit limit);
  }
}
