package io.faketcp.peer;

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
 * When the host's packets reached the device, as near as the peer can tell, for the faults that
 * keep time (latency, bandwidth): the peer reads a packet some time after the kernel queued it — it
 * was handling others, or asleep, or woken and waiting for a core — and a link's clock runs from the
 * packet's arrival, not from the peer's read.
 *
 * <ul>
 *   <li>{@link #queuedSince()}: the packets now read reached the device no earlier than this: when the
 *       peer last found it empty, or when a wait ended (the link may count from here: bandwidth);
 *   <li>{@link #arrivedBy()}: the packet just read had arrived by this (a delay may count from here
 *       and never be shorter than asked: latency): when the wait it ended really ended (below), else
 *       when the peer read it. Not later: what the peer does with it before a fake host answers (a
 *       fresh JVM's code not yet compiled, a batch handled before the answers go out) is no part of
 *       a latency.
 * </ul>
 *
 * <p>A wait ends some time after its cause: the thread is made runnable, then waits for a core.
 * Linux counts that wait per thread ({@code /proc/thread-self/schedstat}, "run_delay"), so the
 * moment the wait really ended is known — the moment the packet that ended it arrived, if a packet
 * did — provided the thread slept once in poll and was not preempted meanwhile (its context
 * switches, {@code getrusage}): a preemption's wait would count too. Otherwise, or where either is
 * missing, the wait ends when the thread runs again, as before. Peer thread only; used while a
 * timing fault is in force ({@link #enabled}).
 */
final class ArrivalClock {
  /** No better bound than the current time. */
  static final long NONE = Long.MIN_VALUE;

  private static final System.Logger LOG = System.getLogger(ArrivalClock.class.getName());

  /** Whether a timing fault is in force: the clock is kept (and the run delay read) only then ({@link #enable}). */
  boolean enabled;

  /** For the packets of the current read: see {@link #queuedSince()} and {@link #arrivedBy()}. */
  private long queuedSince;
  private long arrivedBy = NONE;
  /** The same for the next packet read after an empty read or a wait. */
  private long nextQueuedSince;
  private long nextArrivedBy = NONE;
  /** Packets read since the last empty read or wait. */
  private int read;

  private FileChannel schedstat;
  private boolean unavailable;
  private final ByteBuffer text = ByteBuffer.allocateDirect(128);
  private long waitStart;
  private long runDelayBefore;
  /** The thread's voluntary and involuntary context switches (getrusage), or null where not available. */
  private final ContextSwitches switches = ContextSwitches.create();
  private long voluntaryBefore;
  private long involuntaryBefore;

  /** Keeps the clock from now on, or stops keeping it. */
  void enable(boolean on) {
    if (on && !enabled) {
      empty(System.nanoTime()); // nothing earlier is known
    }
    enabled = on;
  }

  /** The device was found empty at {@code now}: whatever comes next arrived after it. */
  void empty(long now) {
    nextQueuedSince = now;
    nextArrivedBy = NONE;
    read = 0;
  }

  /** The thread is about to wait in poll. */
  void waiting() {
    waitStart = System.nanoTime();
    runDelayBefore = switches == null ? -1 : runDelay();
    if (runDelayBefore >= 0 && switches.read()) {
      voluntaryBefore = switches.voluntary();
      involuntaryBefore = switches.involuntary();
    } else {
      runDelayBefore = -1;
    }
  }

  /**
   * The wait in poll ended: {@code readable} whether the device had a packet, {@code timeoutNanos}
   * how long the wait could have lasted (-1: no limit), {@code otherCause} whether something else
   * (a task, a barrier) may have ended it.
   */
  void woke(boolean readable, long timeoutNanos, boolean otherCause) {
    long now = System.nanoTime();
    long delay = runDelayBefore < 0 ? -1 : runDelay();
    // The run delay says when the wait ended only if the thread slept once in poll and was never
    // preempted: then all of it is the wait for a core after the wake-up. Else only "now" is sure.
    boolean sleptOnce = delay >= 0 && switches.read() && switches.voluntary() - voluntaryBefore == 1
        && switches.involuntary() - involuntaryBefore == 0;
    long runnable = sleptOnce ? Math.max(waitStart, Math.min(now, now - (delay - runDelayBefore))) : now;
    nextQueuedSince = runnable; // nothing was there when the wait began; whatever ended it came first
    // the first packet ended the wait if the wait ended before poll's timeout could end it: it was there by then
    boolean byPacket = readable && !otherCause && (timeoutNanos < 0 || runnable - waitStart < timeoutNanos);
    nextArrivedBy = byPacket && runnable != now ? runnable : NONE;
    read = 0;
  }

  /** A short park ended: what is read now arrived after the device was last found empty, by now. */
  void parked() {
    nextArrivedBy = NONE;
    read = 0;
  }

  /** One more packet read from the device, just now. */
  void packetRead() {
    if (read++ == 0) {
      queuedSince = nextQueuedSince;
      arrivedBy = nextArrivedBy;
    } else {
      arrivedBy = NONE; // it may have come after the first, while that was handled
    }
    if (arrivedBy == NONE) {
      arrivedBy = System.nanoTime(); // it was read: it had arrived
    }
  }

  /** The packets read since the last empty read or wait reached the device no earlier than this (nanoTime). */
  long queuedSince() {
    return queuedSince;
  }

  /** The packet last read had reached it by this (nanoTime), or {@link #NONE} before any was read. */
  long arrivedBy() {
    return arrivedBy;
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

  /** The calling thread's context switches, from {@code getrusage(RUSAGE_THREAD)}. */
  private static final class ContextSwitches {
    private static final int RUSAGE_THREAD = 1;
    /** {@code struct rusage} on 64-bit Linux: two timevals, then 14 longs; nvcsw and nivcsw are the last two. */
    private static final int SIZE = 144;
    private static final int NVCSW = 128;
    private static final int NIVCSW = 136;

    private final Memory usage = new Memory(SIZE);
    private final long address = Pointer.nativeValue(usage);

    private ContextSwitches() {}

    /** An instance, or null where the call is not there (not 64-bit Linux). */
    static ContextSwitches create() {
      if (!Platform.isLinux() || !Platform.is64Bit()) {
        return null;
      }
      return new ContextSwitches();
    }

    /** Reads the counts; false when the call failed. */
    boolean read() {
      return LibC.getrusage(RUSAGE_THREAD, address) == 0;
    }

    long voluntary() {
      return usage.getLong(NVCSW);
    }

    long involuntary() {
      return usage.getLong(NIVCSW);
    }
  }

  /** The calling thread's time spent runnable but not running (ns), -1 when unknown. */
  private long runDelay() {
    if (unavailable) {
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
      unavailable = true; // no schedstat (CONFIG_SCHED_INFO off, /proc not mounted): waits end when the thread runs
      LOG.log(System.Logger.Level.DEBUG, "no run delay from /proc/thread-self/schedstat: {0}", e.toString());
      close();
      return -1;
    }
  }
}
