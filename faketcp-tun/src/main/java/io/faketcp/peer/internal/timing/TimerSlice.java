package io.faketcp.peer.internal.timing;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.LibC;

/**
 * Asks Linux to run the calling thread in short slices while a timing fault is in force: the peer
 * thread sleeps until a delayed packet is due, and on a busy machine the core it wakes on is often
 * taken by a thread (a JIT compiler, a build) that the scheduler lets finish its slice first, a
 * millisecond or more. Since Linux 6.12 a thread may ask for a shorter slice of its own
 * ({@code sched_setattr}, {@code sched_runtime} of a normal thread): it is then let in first when it
 * wakes, and runs no longer than that slice before others get their turn, so it takes no more of the
 * machine than before. Unprivileged; the nice value and policy stay as they are. Where the call is
 * missing or refused (older kernels ignore it), nothing changes.
 *
 * <p>And for as long, the thread's timer slack is 1 ns ({@code prctl(PR_SET_TIMERSLACK)}): Linux lets a
 * normal thread's timed waits (the parks of the peer loop's last millisecond before a timer, poll's
 * timeout) end up to 50 µs after they are due, to bunch wake-ups together, so that a delayed packet
 * left 70 µs after its time at the median (100 at p90) on a 2-core virtual machine; with 1 ns, 20-30
 * µs (25-50 at p90; load 7-10), the wake-up's own cost. The peer loop parks 200 µs at a time so that
 * it wakes up no more often than before ({@code PeerLoop}). Peer thread only.
 *
 * <p>Not API: public for the peer's loop ({@code io.faketcp.peer.internal.loop}) only.
 */
public final class TimerSlice {
  /** The slice asked for: the smallest Linux allows. */
  static final long SLICE_NANOS = 100_000;

  private static final System.Logger LOG = System.getLogger(TimerSlice.class.getName());
  /** {@code struct sched_attr} of the first version: size, policy, flags, nice, priority, runtime, deadline, period. */
  private static final int ATTR_SIZE = 48;
  private static final int RUNTIME_OFFSET = 24;
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_BATCH = 3;
  private static final int PR_SET_TIMERSLACK = 29;
  /** The timer slack asked for: the least there is (0 would mean the thread's default). */
  static final long SLACK_NANOS = 1;
  private static final long SYS_SCHED_SETATTR;
  private static final long SYS_SCHED_GETATTR;
  private static final long SYS_PRCTL;

  static {
    // the system call numbers differ by architecture; elsewhere the slice is left alone
    boolean linux = Platform.isLinux();
    if (linux && Platform.isIntel() && Platform.is64Bit()) {
      SYS_SCHED_SETATTR = 314;
      SYS_SCHED_GETATTR = 315;
      SYS_PRCTL = 157;
    } else if (linux && Platform.isARM() && Platform.is64Bit()) {
      SYS_SCHED_SETATTR = 274;
      SYS_SCHED_GETATTR = 275;
      SYS_PRCTL = 167;
    } else {
      SYS_SCHED_SETATTR = -1;
      SYS_SCHED_GETATTR = -1;
      SYS_PRCTL = -1;
    }
  }

  private boolean unavailable = SYS_SCHED_SETATTR < 0;
  private Memory attr;
  private boolean asked;

  /** Asks for short slices and no timer slack ({@code on}) or the defaults again; a repeated request does nothing. */
  public void shortSlices(boolean on) {
    if (on == asked) {
      return;
    }
    if (SYS_PRCTL >= 0 && LibC.syscall(SYS_PRCTL, PR_SET_TIMERSLACK, on ? SLACK_NANOS : 0, 0L, 0L) != 0) {
      LOG.log(System.Logger.Level.DEBUG, "peer thread keeps its timer slack: prctl failed");
    }
    if (unavailable) {
      asked = on;
      return;
    }
    try {
      if (attr == null) {
        attr = new Memory(ATTR_SIZE);
      }
      attr.clear();
      long address = Pointer.nativeValue(attr);
      if (LibC.syscall(SYS_SCHED_GETATTR, 0L, address, ATTR_SIZE, 0L) != 0) {
        throw new IllegalStateException("sched_getattr failed");
      }
      int policy = attr.getInt(4);
      if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
        unavailable = true; // a real-time thread already runs first
        return;
      }
      attr.setInt(0, ATTR_SIZE);
      attr.setLong(8, 0); // no flags: nothing else changes
      attr.setLong(RUNTIME_OFFSET, on ? SLICE_NANOS : 0); // 0: the default slice
      if (LibC.syscall(SYS_SCHED_SETATTR, 0L, address, 0L, 0L) != 0) {
        throw new IllegalStateException("sched_setattr failed");
      }
      asked = on;
    } catch (RuntimeException | LinkageError e) {
      unavailable = true;
      LOG.log(System.Logger.Level.DEBUG, "peer thread keeps the default scheduler slice: {0}", e.toString());
    }
  }
}
