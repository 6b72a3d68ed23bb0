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
 * missing or refused (older kernels ignore it), nothing changes. Peer thread only.
 *
 * <p>Not API: public for the peer's loop ({@code io.faketcp.peer}) only.
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
  private static final long SYS_SCHED_SETATTR;
  private static final long SYS_SCHED_GETATTR;

  static {
    // the system call numbers differ by architecture; elsewhere the slice is left alone
    boolean linux = Platform.isLinux();
    if (linux && Platform.isIntel() && Platform.is64Bit()) {
      SYS_SCHED_SETATTR = 314;
      SYS_SCHED_GETATTR = 315;
    } else if (linux && Platform.isARM() && Platform.is64Bit()) {
      SYS_SCHED_SETATTR = 274;
      SYS_SCHED_GETATTR = 275;
    } else {
      SYS_SCHED_SETATTR = -1;
      SYS_SCHED_GETATTR = -1;
    }
  }

  private boolean unavailable = SYS_SCHED_SETATTR < 0;
  private Memory attr;
  private boolean asked;

  /** Asks for short slices ({@code on}) or the default ones again; a repeated request does nothing. */
  public void shortSlices(boolean on) {
    if (on == asked || unavailable) {
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
