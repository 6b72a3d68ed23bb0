package io.faketcp.peer;

import java.util.List;

/**
 * The connection-level {@link Fault}s of one connection and their state: reset, stall, blackhole
 * after a byte count or a time, slow close. Its deadlines (a time-based fault, a delayed FIN) sit in
 * the peer's {@link Timers} as one entry; a connection without faults has none of this. Peer thread
 * only.
 */
final class ConnectionFaults extends Timers.Entry {
  /** The connection these faults act on; set by {@link Connection#faults(ConnectionFaults)}. */
  Connection connection;
  /** When the connection was established (nanoTime): time-based faults count from here; -1 before. */
  long start = -1;
  /** When the delayed FIN is taken (nanoTime), -1 while none waits. */
  long finDue = -1;
  /** The delayed FIN was taken: a later one is handled as usual. */
  boolean finReleased;
  /**
   * When the fake host's own FIN, held back by a slow close, may go (nanoTime); -1 while none is
   * held. Data queued before it flows at once; only the FIN waits.
   */
  long ownFinDue = -1;
  Fault reset;
  Fault stall;
  Fault blackhole;
  Fault slowClose;
  /** The fake host no longer reads: zero window from now on. */
  boolean stalled;
  /** The fake host ignores this connection: no ACK, no RST, nothing. */
  boolean silent;
  /** The host's FIN arrived and its processing waits for the slow close. */
  boolean finDelayed;

  /** The faults among {@code faults} that act on connections, or null when none does. */
  static ConnectionFaults of(List<Fault> faults) {
    if (faults.isEmpty()) {
      return null;
    }
    ConnectionFaults c = new ConnectionFaults();
    for (Fault f : faults) {
      switch (f.kind) {
        case RESET_AFTER:
          c.reset = earlier(c.reset, f);
          break;
        case STALL_AFTER:
          c.stall = earlier(c.stall, f);
          break;
        case BLACKHOLE_AFTER:
          c.blackhole = earlier(c.blackhole, f);
          break;
        default:
          c.slowClose = c.slowClose == null || f.nanos > c.slowClose.nanos ? f : c.slowClose;
      }
    }
    return c;
  }

  /** Of two faults of one kind: a byte count before a time, then the smaller one. */
  private static Fault earlier(Fault a, Fault b) {
    if (a == null) {
      return b;
    }
    boolean aBytes = a.nanos < 0;
    boolean bBytes = b.nanos < 0;
    if (aBytes != bBytes) {
      return aBytes ? a : b;
    }
    return (aBytes ? b.amount < a.amount : b.nanos < a.nanos) ? b : a;
  }

  /** How many more bytes the fake host takes, having received {@code received}. */
  long room(long received) {
    if (stalled) {
      return 0;
    }
    long room = Long.MAX_VALUE;
    room = Math.min(room, limit(stall, received));
    room = Math.min(room, limit(reset, received));
    room = Math.min(room, limit(blackhole, received));
    return room;
  }

  private static long limit(Fault f, long received) {
    return f == null || f.nanos >= 0 ? Long.MAX_VALUE : Math.max(0, f.amount - received);
  }

  /** When the next pending deadline is due (nanoTime), Long.MAX_VALUE when none is. */
  long nextDeadline() {
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

  private long earliest(long next, Fault f, boolean done) {
    if (f == null || f.nanos < 0 || done) {
      return next;
    }
    return sooner(next, start + f.nanos);
  }

  /** The sooner of two nanoTimes (which may be negative), {@code next} being Long.MAX_VALUE for none. */
  private static long sooner(long next, long due) {
    return next == Long.MAX_VALUE || due - next < 0 ? due : next;
  }

  /** Whether time-based {@code f} is due at {@code now}. */
  boolean due(Fault f, long now) {
    return f != null && f.nanos >= 0 && start != -1 && now - (start + f.nanos) >= 0;
  }

  /** Whether the fake host's own FIN waits for the slow close. */
  boolean holdsOwnFin() {
    return ownFinDue != -1;
  }

  /**
   * Takes over what {@code previous} (the faults in force until now) holds back, as far as a slow
   * close is still in force: the delayed FINs keep their times.
   */
  void takeOver(ConnectionFaults previous) {
    if (slowClose == null) {
      return;
    }
    finDue = previous.finDue;
    finReleased = previous.finReleased;
    ownFinDue = previous.ownFinDue;
  }

  @Override
  void timerExpired(long now) {
    connection.faultDeadline(now);
  }

  @Override
  boolean finished() {
    return connection.state == Connection.CLOSED;
  }

  /** Whether a byte-count fault of this kind is reached at {@code received} bytes. */
  static boolean reached(Fault f, long received) {
    return f != null && f.nanos < 0 && received >= f.amount;
  }
}
