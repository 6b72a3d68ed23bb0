package io.faketcp.peer.internal.timing;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What Linux counts for the calling thread, for {@link ArrivalClock}: the monotonic clock, the time
 * the thread spent runnable but not running ({@code /proc/thread-self/schedstat}, "run_delay") and its
 * voluntary and involuntary context switches ({@code getrusage(RUSAGE_THREAD)}). Where either is
 * missing, it says so ({@code -1}, {@code false}). Peer thread only.
 */
class ThreadCounters {
  private static final System.Logger LOG = System.getLogger(ThreadCounters.class.getName());
  private static final int RUSAGE_THREAD = 1;
  /** {@code struct rusage} on 64-bit Linux: two timevals, then 14 longs; nvcsw and nivcsw are the last two. */
  private static final int RUSAGE_SIZE = 144;
  private static final int NVCSW = 128;
  private static final int NIVCSW = 136;

  private FileChannel schedstat;
  private boolean noRunDelay;
  private final ByteBuffer text = ByteBuffer.allocateDirect(128);
  /** The {@code struct rusage} read last, or null where the call is not there (not 64-bit Linux). */
  private final Memory usage = Platform.isLinux() && Platform.is64Bit() ? new Memory(RUSAGE_SIZE) : null;

  /** {@link System#nanoTime()}. */
  long nanoTime() {
    return System.nanoTime();
  }

  /** Reads the thread's context switches ({@link #voluntary}, {@link #involuntary}); false when unknown. */
  boolean readSwitches() {
    return usage != null && LibC.getrusage(RUSAGE_THREAD, Pointer.nativeValue(usage)) == 0;
  }

  /** The voluntary context switches as {@link #readSwitches} read them. */
  long voluntary() {
    return usage.getLong(NVCSW);
  }

  /** The involuntary context switches (preemptions) as {@link #readSwitches} read them. */
  long involuntary() {
    return usage.getLong(NIVCSW);
  }

  /** The thread's time spent runnable but not running (ns), -1 when unknown. */
  long runDelay() {
    if (noRunDelay) {
      return -1;
    }
    try {
      if (schedstat == null) {
        schedstat = FileChannel.open(Path.of("/proc/thread-self/schedstat"), StandardOpenOption.READ);
      }
      text.clear();
      int n = schedstat.read(text, 0);
      // "<time on cpu> <run delay> <timeslices>\n", decimal ns
      int i = 0;
      while (i < n && text.get(i) != ' ') {
        i++;
      }
      long value = 0;
      int digits = 0;
      for (i++; i < n && text.get(i) >= '0' && text.get(i) <= '9'; i++, digits++) {
        value = value * 10 + text.get(i) - '0';
      }
      if (digits == 0) {
        throw new IOException("unexpected contents");
      }
      return value;
    } catch (IOException | RuntimeException e) {
      noRunDelay = true; // no schedstat (CONFIG_SCHED_INFO off, /proc not mounted): waits end when the thread runs
      LOG.log(System.Logger.Level.DEBUG, "no run delay from /proc/thread-self/schedstat: {0}", e.toString());
      close();
      return -1;
    }
  }

  /** Closes the file, if open. */
  void close() {
    if (schedstat != null) {
      try {
        schedstat.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing schedstat: {0}", e.toString());
      }
      schedstat = null;
    }
  }
}
