package io.faketcp.peer.internal.timing;

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
 * Linux counts that wait per thread ({@link ThreadCounters#runDelay}), so the moment the wait really
 * ended is known — the moment the packet that ended it arrived, if a packet did — provided the thread
 * slept once, in poll, and was not preempted meanwhile (its context switches): a preemption's wait
 * would count too. Otherwise, or where either is missing, the wait ends when the thread runs again.
 * The counters are read before the wait in the order that keeps every switch's wait on one side:
 * the switches first, then the run delay (a switch before the first read ran its wait before the
 * second), then the clock, which bounds the estimate from below (a sleep before it — a safepoint on
 * the way back from a read — may be the one sleep counted, when a packet that came meanwhile lets
 * poll return at once; the packet was there by this reading). Peer thread only; used while a timing
 * fault is in force ({@link #enabled}).
 *
 * <p>Not API: public for the fault layer and the peer's loop ({@code io.faketcp.peer}) only.
 */
public final class ArrivalClock {
  /** No better bound than the current time. */
  public static final long NONE = Long.MIN_VALUE;

  /** Whether a timing fault is in force: the clock is kept (and the run delay read) only then ({@link #enable}). */
  public boolean enabled;

  /** For the packets of the current read: see {@link #queuedSince()} and {@link #arrivedBy()}. */
  private long queuedSince;
  private long arrivedBy = NONE;
  /** The same for the next packet read after an empty read or a wait. */
  private long nextQueuedSince;
  private long nextArrivedBy = NONE;
  /** Packets read since the last empty read or wait. */
  private int read;

  private final ThreadCounters thread;
  /** The last reading before the wait: nothing the thread did before it can end the wait. */
  private long waitStart;
  private long runDelayBefore;
  private long voluntaryBefore;
  private long involuntaryBefore;

  /** A clock of the calling thread's counters. */
  public ArrivalClock() {
    this(new ThreadCounters());
  }

  /** A clock of {@code thread}'s counters. */
  ArrivalClock(ThreadCounters thread) {
    this.thread = thread;
  }

  /** Keeps the clock from now on, or stops keeping it. */
  public void enable(boolean on) {
    if (on && !enabled) {
      empty(thread.nanoTime()); // nothing earlier is known
    }
    enabled = on;
  }

  /** The device was found empty at {@code now}: whatever comes next arrived after it. */
  public void empty(long now) {
    nextQueuedSince = now;
    nextArrivedBy = NONE;
    read = 0;
  }

  /** The thread is about to wait in poll: call it right before. */
  public void waiting() {
    // the switches first, then the run delay: a switch after the first read counts in the deltas,
    // and the wait of one before it ended before the second read (the thread was running), so that
    // no wait counts in the run delay's delta without its switch in theirs
    runDelayBefore = -1;
    if (thread.readSwitches()) {
      voluntaryBefore = thread.voluntary();
      involuntaryBefore = thread.involuntary();
      runDelayBefore = thread.runDelay();
    }
    waitStart = thread.nanoTime(); // last: whatever held the thread before the wait ended before this
  }

  /**
   * The wait in poll ended: {@code readable} whether the device had a packet, {@code timeoutNanos}
   * how long the wait could have lasted (-1: no limit), {@code otherCause} whether something else
   * (a task, a barrier) may have ended it.
   */
  public void woke(boolean readable, long timeoutNanos, boolean otherCause) {
    long now = thread.nanoTime();
    long delay = runDelayBefore < 0 ? -1 : thread.runDelay();
    // The run delay says when the wait ended only if the thread slept once and was never preempted:
    // then all of it is the wait for a core after the wake-up. Else only "now" is sure. (The run delay
    // before the switches: a switch after the clock counts in both, or in theirs only.)
    boolean sleptOnce = delay >= 0 && thread.readSwitches() && thread.voluntary() - voluntaryBefore == 1
        && thread.involuntary() - involuntaryBefore == 0;
    long runnable = sleptOnce ? Math.max(waitStart, Math.min(now, now - (delay - runDelayBefore))) : now;
    nextQueuedSince = runnable; // nothing was there when the wait began; whatever ended it came first
    // the first packet ended the wait if the wait ended before poll's timeout could end it: it was there by then
    boolean byPacket = readable && !otherCause && (timeoutNanos < 0 || runnable - waitStart < timeoutNanos);
    nextArrivedBy = byPacket && runnable != now ? runnable : NONE;
    read = 0;
  }

  /** A short park ended: what is read now arrived after the device was last found empty, by now. */
  public void parked() {
    nextArrivedBy = NONE;
    read = 0;
  }

  /** One more packet read from the device, just now. */
  public void packetRead() {
    if (read++ == 0) {
      queuedSince = nextQueuedSince;
      arrivedBy = nextArrivedBy;
    } else {
      arrivedBy = NONE; // it may have come after the first, while that was handled
    }
    if (arrivedBy == NONE) {
      arrivedBy = thread.nanoTime(); // it was read: it had arrived
    }
  }

  /**
   * The packet just read was sent by the host at {@code sent} (nanoTime, {@link ArrivalStamps}), or
   * {@link #NONE} when that is not known: the kernel's time, where known, replaces the estimate.
   */
  public void stamped(long sent) {
    if (sent != NONE) {
      arrivedBy = sent;
    }
  }

  /** The packets read since the last empty read or wait reached the device no earlier than this (nanoTime). */
  public long queuedSince() {
    return queuedSince;
  }

  /** The packet last read had reached it by this (nanoTime), or {@link #NONE} before any was read. */
  public long arrivedBy() {
    return arrivedBy;
  }

  /** Lets go of what the counters hold open. */
  public void close() {
    thread.close();
  }
}
