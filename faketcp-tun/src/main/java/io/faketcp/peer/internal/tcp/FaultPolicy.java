package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;

import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import java.nio.ByteBuffer;

/**
 * The connection faults of one connection (each an opaque object of the fault layer's, handed back
 * when it acts) and what they decide: reset, stall or blackhole after a byte count or a time, slow
 * close. The endpoint consults it at a few hooks only: bytes delivered ({@link #room},
 * {@link #afterBytes}), its advertised window ({@link #window}), its FINs, and the policy's own
 * deadlines, which sit in the peer's {@link Timers} as one entry. A connection without faults has
 * none of this. Peer thread only.
 *
 * <p>What the wire shows: {@code reset-after=N} takes exactly N bytes (from the segment that crosses
 * N, whatever the window), acknowledges them and sends RST in reply to that segment;
 * {@code blackhole-after=N} takes and acknowledges N bytes and then answers nothing, its window
 * left open, so the host retransmits; {@code stall-after=N} closes the window at N (zero-window
 * probes answered). A policy put in force on an open connection acts before the call returns.
 */
public final class FaultPolicy extends Timers.Entry {
  private final FaultSource source;
  private TcpEndpoint endpoint;
  private Trigger reset;
  private Trigger stall;
  private Trigger blackhole;
  private Object slowClose;
  private long slowCloseNanos;
  /** A slow link's queue: the most we advertise, and the most we keep in flight (Integer.MAX_VALUE: no limit). */
  private int receiveCap = Integer.MAX_VALUE;
  private int sendCap = Integer.MAX_VALUE;
  /** When the connection was established (nanoTime): time-based faults count from here; -1 before. */
  private long start = -1;
  /** When the host's delayed FIN is taken (nanoTime), -1 while none waits. */
  private long finDue = -1;
  /** The delayed FIN was taken: a later one is handled as usual. */
  private boolean finReleased;
  /** When the fake host's own FIN, held back by a slow close, may go (nanoTime); -1 while none is held. */
  private long ownFinDue = -1;
  /** The fake host no longer reads: zero window from now on. */
  private boolean stalled;
  /** The fake host ignores this connection: no ACK, no RST, nothing. */
  private boolean silent;

  /** An empty policy reporting to {@code source}; the fault layer adds what applies. */
  public FaultPolicy(FaultSource source) {
    this.source = source;
  }

  /** A byte count ({@code bytes >= 0}) or a time ({@code nanos >= 0}) after which {@code fault} acts. */
  private static final class Trigger {
    final Object fault;
    final long bytes;
    final long nanos;

    Trigger(Object fault, long bytes, long nanos) {
      this.fault = fault;
      this.bytes = bytes;
      this.nanos = nanos;
    }

    boolean counts() {
      return bytes >= 0;
    }

    /** Of two triggers of one kind: a byte count before a time, then the smaller one. */
    static Trigger earlier(Trigger a, Trigger b) {
      if (a == null) {
        return b;
      }
      if (a.counts() != b.counts()) {
        return a.counts() ? a : b;
      }
      return (a.counts() ? b.bytes < a.bytes : b.nanos < a.nanos) ? b : a;
    }
  }

  /** Adds a reset after {@code bytes} received (-1: none) or {@code nanos} open (-1: none). */
  public void reset(Object fault, long bytes, long nanos) {
    reset = Trigger.earlier(reset, new Trigger(fault, bytes, nanos));
  }

  /** Adds a stall (zero window) after {@code bytes} received or {@code nanos} open. */
  public void stall(Object fault, long bytes, long nanos) {
    stall = Trigger.earlier(stall, new Trigger(fault, bytes, nanos));
  }

  /** Adds a blackhole (silence, window left open) after {@code bytes} received or {@code nanos} open. */
  public void blackhole(Object fault, long bytes, long nanos) {
    blackhole = Trigger.earlier(blackhole, new Trigger(fault, bytes, nanos));
  }

  /** Adds a slow close: each side's FIN waits {@code nanos} (the longest of several wins). */
  public void slowClose(Object fault, long nanos) {
    if (slowClose == null || nanos > slowCloseNanos) {
      slowClose = fault;
      slowCloseNanos = nanos;
    }
  }

  /**
   * The connection crosses a slow link (a bandwidth fault whose queue holds less than a window): it
   * advertises at most {@code receiveCap} and keeps at most {@code sendCap} in flight, so that the
   * link's queue never overflows (the smaller of several wins).
   */
  public void slowLink(int receiveCap, int sendCap) {
    this.receiveCap = Math.min(this.receiveCap, receiveCap);
    this.sendCap = Math.min(this.sendCap, sendCap);
  }

  /** The most the endpoint keeps in flight, {@code window} being the host's. */
  int sendWindow(int window) {
    return Math.min(window, sendCap);
  }

  // ---- the hooks the endpoint consults ---------------------------------------------------------

  /** The policy takes effect on {@code e}, taking over the FINs {@code previous} holds back; true if it acted already. */
  boolean attach(TcpEndpoint e, FaultPolicy previous, long now) {
    endpoint = e;
    if (previous != null && slowClose != null) {
      finDue = previous.finDue;
      finReleased = previous.finReleased;
      ownFinDue = previous.ownFinDue;
    }
    return e.isOpen() && opened(now);
  }

  /** The connection is open (or was when the policy came): time-based faults count from {@code now}. Acts at once on what is due. */
  boolean opened(long now) {
    start = now;
    if (afterBytes(endpoint.received())) {
      return true;
    }
    deadline(now); // what is due acts now, not at the next turn of the peer's loop
    return silent || endpoint.state() == TcpState.CLOSED;
  }

  /** The fake host goes on taking at most this many more bytes, having received {@code received}. */
  long room(long received) {
    if (stalled) {
      return 0;
    }
    return Math.min(limit(stall, received), Math.min(limit(reset, received), limit(blackhole, received)));
  }

  /**
   * The window to advertise instead of {@code window}, having received {@code received}: of the
   * connection faults only a stall closes it (to what is left before a stall-after byte count, then
   * to zero); a slow link's queue bounds it.
   */
  int window(int window, long received) {
    return stalled ? 0 : (int) Math.min(Math.min(window, receiveCap), limit(stall, received));
  }

  /** Whether the window may shrink (its right edge move left): only when a stall closes it. */
  boolean shrinks() {
    return stalled;
  }

  boolean silent() {
    return silent;
  }

  /** Whether the host's FIN waits for a slow close. */
  boolean delaysHostFin() {
    return slowClose != null && !finReleased;
  }

  /** Whether the fake host's own FIN waits for a slow close. */
  boolean holdsOwnFin() {
    return ownFinDue != -1;
  }

  /**
   * {@code received} bytes are in: a byte-count fault reached resets the connection, silences it or
   * stalls it. True when the connection is now reset or silent (the rest of the segment is ignored).
   */
  boolean afterBytes(long received) {
    if (reached(reset, received)) {
      resetNow();
      return true;
    }
    if (reached(blackhole, received) && !silent) {
      goSilent();
      return true;
    }
    if (reached(stall, received) && !stalled) {
      stalled = true;
      source.acted(stall.fault);
    }
    return silent;
  }

  /** The host's FIN arrived: it waits for the slow close (the data before it is acknowledged now). */
  void holdHostFin(long now) {
    if (finDue != -1) {
      return; // a retransmission of the FIN that waits
    }
    finDue = now + slowCloseNanos;
    source.acted(slowClose);
    arm();
  }

  /** The fake host closes first: its FIN waits for the slow close, the data queued before it does not. */
  void holdOwnFin(long now) {
    if (slowClose == null || finReleased) {
      return;
    }
    ownFinDue = now + slowCloseNanos;
    source.acted(slowClose);
    arm();
  }

  /** Reports a segment from the host that the silent connection dropped. */
  void dropped(ByteBuffer packet, int offset, int length) {
    source.dropped(blackhole.fault, packet, offset, length);
  }

  // ---- deadlines -------------------------------------------------------------------------------

  @Override
  protected void timerExpired(long now) {
    deadline(now);
  }

  @Override
  protected boolean finished() {
    return endpoint == null || endpoint.state() == TcpState.CLOSED;
  }

  /** A deadline passed (or may have): a time-based fault acts, or a delayed FIN is taken. */
  private void deadline(long now) {
    TcpEndpoint e = endpoint;
    if (e.state() == TcpState.CLOSED || silent) {
      return;
    }
    if (due(reset, now)) {
      resetNow();
      return;
    }
    if (due(blackhole, now)) {
      goSilent();
      return;
    }
    if (due(stall, now) && !stalled) {
      stalled = true;
      source.acted(stall.fault);
      e.context().ackLater(e); // tells the host the window is now zero
    }
    if (finDue != -1 && !finReleased && now - finDue >= 0) {
      finReleased = true;
      if (e.state().receives()) {
        e.fin(e.rcvNxt); // the host's FIN is taken now
        e.output();
      }
    }
    if (ownFinDue != -1 && now - ownFinDue >= 0 && e.state() != TcpState.CLOSED) {
      ownFinDue = -1;
      e.output(); // our FIN, after the data queued before it
    }
    if (e.state() != TcpState.CLOSED) {
      arm();
    }
  }

  /** What was taken is answered (echoed, acknowledged), then silence: no ACK, no RST, nothing. */
  private void goSilent() {
    endpoint.output();
    if (endpoint.ackPending) {
      endpoint.sendAck(); // for bytes taken just now; a connection that took nothing new sends nothing
    }
    silent = true;
    source.acted(blackhole.fault);
  }

  /** Acknowledges what was taken, then RST: the host's socket sees ECONNRESET. */
  private void resetNow() {
    TcpEndpoint e = endpoint;
    e.output();
    e.sendAck();
    e.context().count(Counters.RESETS_SENT, 1);
    ByteBuffer forged = ByteBuffer.allocate(60);
    int length = Headers.of(e, RST | ACK, e.sndMax, 0).writeTo(forged, 0);
    // Counted and told before it is sent: whoever sees the RST arrive finds the action recorded.
    source.forged(reset.fault, forged, length);
    e.context().emit();
    e.terminate("reset by fault " + reset.fault, false);
  }

  private void arm() {
    long next = nextDeadline();
    if (next == Long.MAX_VALUE) {
      endpoint.context().cancel(this);
    } else {
      endpoint.context().arm(this, next);
    }
  }

  /** When the next pending deadline is due (nanoTime), Long.MAX_VALUE when none is. */
  private long nextDeadline() {
    long next = Long.MAX_VALUE;
    if (start != -1) {
      next = earliest(next, reset, false);
      next = earliest(next, blackhole, silent);
      next = earliest(next, stall, stalled);
    }
    if (finDue != -1 && !finReleased) {
      next = sooner(next, finDue);
    }
    if (ownFinDue != -1) {
      next = sooner(next, ownFinDue);
    }
    return next;
  }

  private long earliest(long next, Trigger t, boolean done) {
    if (t == null || t.counts() || done) {
      return next;
    }
    return sooner(next, start + t.nanos);
  }

  /** The sooner of two nanoTimes (which may be negative), {@code next} being Long.MAX_VALUE for none. */
  private static long sooner(long next, long due) {
    return next == Long.MAX_VALUE || due - next < 0 ? due : next;
  }

  private boolean due(Trigger t, long now) {
    return t != null && !t.counts() && start != -1 && now - (start + t.nanos) >= 0;
  }

  private static boolean reached(Trigger t, long received) {
    return t != null && t.counts() && received >= t.bytes;
  }

  private static long limit(Trigger t, long received) {
    return t == null || !t.counts() ? Long.MAX_VALUE : Math.max(0, t.bytes - received);
  }
}
