package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection between the host and a fake host, from the fake host's side: the whole RFC 9293
 * machine below its {@link Application}, from the opening (SYN-RECEIVED after {@link TcpDemux}'s
 * LISTEN accepted a SYN, or SYN-SENT for connect-many) to CLOSED through TIME-WAIT. It is driven by
 * segments ({@link #segment}) and its timer ({@link TimerKind}), and reaches out only through its
 * {@link EndpointContext}. Its code is in layers of one object: the receiving half
 * ({@link TcpReceiver}), the sending half ({@link TcpSender}), the opening ({@link Handshake}) and
 * this class, the states and what moves between them; connection faults are a {@link FaultPolicy}
 * consulted at a few hooks. One object per connection, as before the split: a handshake allocates
 * what it did (60 B per packet, {@code AllocationBench}).
 *
 * <p>RST and SYN are checked as RFC 5961 says; a host whose rules turn to DROP goes silent on its
 * open connections too. Sequence numbers wrap: see {@link Seq}. Peer thread only.
 */
public final class TcpEndpoint extends TcpSender implements Endpoint {
  /** How long a closed connection answers retransmitted FINs and guards its 4-tuple (2 MSL is minutes; nothing here lives that long). */
  static final long TIME_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  // Everything below is set by begin(): a recycled endpoint is a new one.
  private int hostAddress;
  private int hostPort;
  private int fakeAddress;
  private int fakePort;
  private TcpState state;
  private TimerKind timer;
  Application app;
  /** Non-null for connections the fake host opened (connect-many). */
  ActiveOpen opener;
  boolean opened;
  private boolean closedReported;
  /** When our SYN or SYN+ACK was first sent (nanoTime): the handshake gives the first RTT sample. */
  long synAt;
  /** Connection faults: null when none applies, the usual case. */
  private FaultPolicy faults;
  /** An ACK is owed at the end of the current batch of packets. */
  boolean ackPending;
  private Object hostsSeen;
  private boolean vanished;

  TcpEndpoint(EndpointContext context, int hostAddress, int hostPort, int fakeAddress, int fakePort) {
    super(context);
    begin(hostAddress, hostPort, fakeAddress, fakePort);
  }

  /** Makes this endpoint a new one for the 4-tuple, as the constructor does (a recycled endpoint allocates nothing). */
  void begin(int hostAddress, int hostPort, int fakeAddress, int fakePort) {
    this.hostAddress = hostAddress;
    this.hostPort = hostPort;
    this.fakeAddress = fakeAddress;
    this.fakePort = fakePort;
    state = TcpState.NEW;
    timer = TimerKind.NONE;
    app = null;
    opener = null;
    opened = false;
    closedReported = false;
    synAt = 0;
    faults = null;
    ackPending = false;
    hostsSeen = null;
    vanished = false;
    beginSending(0);
    beginReceiving();
  }

  /**
   * Whether this closed endpoint can be made a new one: nothing refers to it any more (not in a timer,
   * its application told).
   */
  public boolean recyclable() {
    return state == TcpState.CLOSED && !queued() && (!opened || closedReported);
  }

  // ---- opening (see Handshake) ----------------------------------------------------------------

  /** Passive open: {@link TcpDemux}'s LISTEN accepted the host's SYN {@code syn} for {@code app}. */
  void listen(TcpSegment syn, Application app, int iss, FaultPolicy faults) {
    Handshake.listen(this, syn, app, iss, faults);
  }

  /**
   * Active open for {@code opener}: sends our SYN and waits in SYN-SENT; {@code opener} paces the
   * retransmissions (the first one armed at {@code retryAt}).
   */
  public void connect(ActiveOpen opener, Application app, int iss, FaultPolicy faults, long retryAt) {
    Handshake.connect(this, opener, app, iss, faults, retryAt);
  }

  /** Connect-many: sends our SYN again and arms its timer for {@code retryAt}. */
  public void resendSyn(long retryAt) {
    Handshake.sendSyn(this, retryAt);
  }

  /** Connect-many: our SYN waits a little longer for its answer, until {@code at}. */
  public void waitForSyn(long at) {
    arm(TimerKind.HANDSHAKE, at);
  }

  // ---- segments from the host ------------------------------------------------------------------

  /**
   * Whether the host's SYN {@code syn} on this 4-tuple opens a new connection, this one being stale
   * (a SYN-RECEIVED one for another SYN) or done (TIME-WAIT, with a sequence number above ours).
   */
  boolean supersededBy(TcpSegment syn) {
    int seq = (int) syn.sequenceNumber();
    return state == TcpState.SYN_RECEIVED ? seq != irs
        : state == TcpState.TIME_WAIT && Seq.before(rcvNxt, seq);
  }

  /** Handles one segment from the host for this connection (RFC 9293 §3.10.7). */
  void segment(TcpSegment s) {
    if (faults != null && faults.silent()) {
      faults.dropped(s.ip().buffer(), s.ip().offset(), s.ip().totalLength());
      return;
    }
    switch (state) {
      case SYN_SENT:
        Handshake.synSent(this, s);
        return;
      case TIME_WAIT:
        timeWait(s);
        return;
      case SYN_RECEIVED:
        if (s.syn() && !s.ack() && !s.rst()) {
          Handshake.synAgain(this); // the host's SYN again: our SYN+ACK was lost
          return;
        }
        break;
      default:
        break;
    }
    int seq = (int) s.sequenceNumber();
    int length = s.payloadLength();
    if (oldTimestamp(s)) {
      sendAck(); // RFC 7323 §5.3 (PAWS): an old duplicate
      return;
    }
    if (s.rst()) {
      reset(seq, "reset by the host");
      return;
    }
    if (!acceptable(seq, length, length + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0))) {
      // RFC 9293 §3.10.7.4: keepalives, zero-window probes, old duplicates get an ACK. A probe of our
      // zero window still carries a valid ACK, which may open the host's window for our data.
      if (offered() == 0 && seq == rcvNxt && s.ack() && state != TcpState.SYN_RECEIVED
          && !acknowledge(s)) {
        return;
      }
      sendAck();
      return;
    }
    if (s.syn()) {
      sendAck(); // RFC 5961 §4: a SYN on a synchronized connection gets a challenge ACK
      return;
    }
    timestampReceived(s, seq);
    if (!s.ack()) {
      return;
    }
    if (state == TcpState.SYN_RECEIVED) {
      if (!Handshake.synAcked(this, s)) {
        return;
      }
      if (state == TcpState.CLOSED || faults != null && faults.silent()) {
        return;
      }
    } else if (!acknowledge(s)) {
      return;
    }
    if (state.over()) {
      return;
    }
    if (length > 0) {
      if (!state.receives()) {
        sendAck(); // data after the host's FIN (RFC 9293: CLOSE-WAIT, CLOSING, LAST-ACK): ignored
        return;
      }
      if (!data(s, seq, length)) {
        return;
      }
    }
    if (s.fin()) {
      fin(seq + length);
    } else if (finAfterGap()) {
      fin(rcvNxt); // the FIN came after a gap that is filled now
    }
    output();
  }

  /** The ACK field of an acceptable segment; false when the segment must be dropped. */
  private boolean acknowledge(TcpSegment s) {
    int acked = processAck(s);
    if (acked == TcpSender.UNSENT) {
      sendAck(); // acknowledges something never sent
      return false;
    }
    if (acked == TcpSender.FIN_ACKED) {
      if (state == TcpState.FIN_WAIT_1) {
        state(TcpState.FIN_WAIT_2);
      } else if (state == TcpState.CLOSING) {
        enterTimeWait();
        return false;
      } else if (state == TcpState.LAST_ACK) {
        terminate(null, false);
        return false;
      }
    } else if (acked == TcpSender.MOVED && state.canSend()) {
      app.writable();
    }
    return true;
  }

  void fin(int finAt) {
    if (!state.receives()) {
      sendAck(); // a retransmitted FIN: our ACK of it was lost
      return;
    }
    if (!app.acknowledgesData()) {
      rcvNxt = finAt; // ACCEPT: the FIN acknowledges every byte before it, as the classic acceptall did
    }
    if (finAt != rcvNxt) {
      sendAck(); // a FIN beyond a gap
      return;
    }
    if (faults != null && faults.delaysHostFin()) {
      context.ackLater(this);
      faults.holdHostFin(context.now());
      return;
    }
    rcvNxt++;
    context.ackLater(this);
    TcpState before = state;
    state(before == TcpState.ESTABLISHED ? TcpState.CLOSE_WAIT : before == TcpState.FIN_WAIT_1 ? TcpState.CLOSING : state);
    app.inputShutdown(this);
    if (before == TcpState.FIN_WAIT_2) {
      enterTimeWait();
    }
  }

  /**
   * The host's RST at {@code seq} (RFC 5961 §3, in every synchronized state, TIME-WAIT included):
   * only one at exactly RCV.NXT resets; one elsewhere in the window gets a challenge ACK.
   */
  private void reset(int seq, String reason) {
    if (seq == rcvNxt) {
      terminate(reason, false);
    } else if (Seq.inWindow(seq, rcvNxt, Math.max(offered(), 1))) {
      sendAck();
    }
  }

  private void timeWait(TcpSegment s) {
    if (s.rst()) {
      reset((int) s.sequenceNumber(), null);
    } else if (s.fin()) {
      sendAck(); // our last ACK was lost: the host's FIN again
      arm(TimerKind.TIME_WAIT, context.now() + TIME_WAIT_NANOS);
    }
  }

  private void enterTimeWait() {
    state(TcpState.TIME_WAIT);
    report(null);
    arm(TimerKind.TIME_WAIT, context.now() + TIME_WAIT_NANOS);
  }

  // ---- the application's side (Endpoint) -------------------------------------------------------

  @Override
  public int send(ByteBuffer data) {
    return canSend() ? queue(data) : 0;
  }

  @Override
  public int send(ByteBuffer first, ByteBuffer second) {
    return canSend() ? queue(first, second) : 0;
  }

  @Override
  public int sendRoom() {
    return canSend() ? room() : 0;
  }

  @Override
  public boolean blockSumsUsed() {
    return !context.checksumsCompleted();
  }

  @Override
  public int segmentPayload() {
    return segmentSize();
  }

  private boolean canSend() {
    return !finQueued() && state.canSend();
  }

  @Override
  public void shutdownOutput() {
    if (!canSend()) {
      return;
    }
    queueFin();
    state(state == TcpState.ESTABLISHED ? TcpState.FIN_WAIT_1 : TcpState.LAST_ACK);
    if (faults != null) {
      faults.holdOwnFin(context.now());
    }
    output();
  }

  @Override
  public void reset() {
    if (state.over()) {
      return;
    }
    if (!silenced()) {
      context.count(Counters.RESETS_SENT, 1);
    }
    sendControl(RST | ACK, sndMax);
    terminate("reset by the fake host", true);
  }

  /** Closes a connection the fake host opened: FIN after anything queued (orderly) or RST (abort); SYN-SENT just ends. */
  public void close(boolean reset) {
    if (state == TcpState.CLOSED) {
      return;
    }
    if (state == TcpState.SYN_SENT) {
      terminate(null, false);
    } else if (reset) {
      reset();
    } else {
      shutdownOutput();
    }
  }

  @Override
  public void receiveWindowOpened() {
    if (state.over() || state == TcpState.SYN_SENT) {
      return;
    }
    if (windowOpened()) {
      context.ackLater(this);
    }
  }

  @Override
  public int hostAddress() {
    return hostAddress;
  }

  @Override
  public int hostPort() {
    return hostPort;
  }

  @Override
  public int fakeAddress() {
    return fakeAddress;
  }

  @Override
  public int fakePort() {
    return fakePort;
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** An ACK of everything received so far, now. */
  public void sendAck() {
    sendControl(ACK, sndNxt);
  }

  /** A segment without data: an ACK, a probe (at SND.UNA - 1), a RST. */
  void sendControl(int flags, int seq) {
    if ((flags & ACK) != 0) {
      ackSent();
    }
    if (silenced()) {
      return;
    }
    Headers.of(this, flags, seq, (flags & RST) != 0 ? 0 : advertise());
    context.emit();
  }

  @Override
  void ackSent() {
    ackPending = false;
  }

  @Override
  void ackLater() {
    context.ackLater(this);
  }

  /** Sends the ACK owed by the batch just handled, if it is still owed. */
  void sendOwedAck() {
    if (ackPending && state != TcpState.CLOSED) {
      sendAck();
    }
    ackPending = false;
  }

  /**
   * Whether the rules now say DROP for this fake host (accepted connections only): it has vanished,
   * so everything it would send is lost — retransmissions back off and the connection is aborted
   * in silence unless the rules change back first.
   */
  boolean silenced() {
    if (faults != null && faults.silent()) {
      return true;
    }
    if (opener != null) {
      return false;
    }
    Object version = context.hostsVersion();
    if (version != hostsSeen) {
      hostsSeen = version;
      vanished = context.vanished(fakeAddress, fakePort);
    }
    return vanished;
  }

  // ---- faults ----------------------------------------------------------------------------------

  /**
   * Puts connection faults in force on this connection (null: none, and a stalled or silent
   * connection recovers); time-based ones count from now when the connection is already open, and
   * what is due acts before this returns.
   */
  public void faults(FaultPolicy next) {
    FaultPolicy previous = faults;
    if (previous != null) {
      context.cancel(previous);
    }
    faults = next;
    if (next != null && next.attach(this, previous, context.now())) {
      return; // reset or silenced at once
    }
    if (previous != null && previous.holdsOwnFin() && (next == null || !next.holdsOwnFin()) && state != TcpState.CLOSED) {
      output(); // the slow close is over: the FIN it held goes now
    }
  }

  FaultPolicy faults() {
    return faults;
  }

  /** A byte-count fault may be reached: true when the connection is now reset or silent. */
  boolean faultsAfterBytes() {
    return faults != null && faults.afterBytes(received());
  }

  boolean holdsOwnFin() {
    return faults != null && faults.holdsOwnFin();
  }

  // ---- timers and the end ----------------------------------------------------------------------

  /** Arms this endpoint's one timer as {@code kind}, due at {@code at}. */
  void arm(TimerKind kind, long at) {
    timer = kind;
    context.arm(this, at);
  }

  void disarm() {
    timer = TimerKind.NONE;
    context.cancel(this);
  }

  TimerKind timer() {
    return timer;
  }

  @Override
  protected boolean finished() {
    return state == TcpState.CLOSED;
  }

  @Override
  protected void timerExpired(long now) {
    TimerKind kind = timer;
    timer = TimerKind.NONE;
    switch (kind) {
      case HANDSHAKE:
        if (state == TcpState.SYN_SENT) {
          opener.synTimerExpired(this, now); // connect-many paces its SYNs
        } else if (state == TcpState.SYN_RECEIVED && !Handshake.synAckTimeout(this, now)) {
          abort("no ACK for the SYN+ACK after " + Handshake.MAX_SYN_ACK_RETRIES + " retransmissions");
        }
        break;
      case TIME_WAIT:
        terminate(null, false);
        break;
      case RETRANSMISSION:
        if (!retransmissionTimeout(now)) {
          abort("no answer after " + TcpSender.MAX_RETRIES + " retransmissions");
        }
        break;
      case PERSIST:
        if (!persistTimeout(now)) {
          abort("no answer to " + TcpSender.MAX_RETRIES + " zero-window probes");
        }
        break;
      default:
        break;
    }
  }

  private void abort(String reason) {
    context.count(Counters.ABORTED, 1);
    if (state != TcpState.SYN_RECEIVED && !silenced()) {
      context.count(Counters.RESETS_SENT, 1);
      sendControl(RST | ACK, sndMax);
    }
    terminate(reason, false);
  }

  /** Gone: out of the table, the application told (later if it called us). */
  void terminate(String reason, boolean deferReport) {
    if (state == TcpState.CLOSED) {
      return;
    }
    state(TcpState.CLOSED);
    disarm();
    if (faults != null) {
      context.cancel(faults);
    }
    context.closed(this, reason, deferReport);
    if (opener != null) {
      opener.ended(this);
    }
  }

  /** Tells the application, once, that the connection is gone. */
  void report(String reason) {
    if (opened && !closedReported) {
      closedReported = true;
      app.closed(reason);
    }
  }

  void state(TcpState next) {
    if (state == next) {
      return;
    }
    if (state.counter >= 0) {
      context.count(state.counter, -1);
    }
    if (next.counter >= 0) {
      context.count(next.counter, 1);
    }
    state = next;
    if (next == TcpState.TIME_WAIT || next == TcpState.CLOSED) {
      releaseQueue(); // nothing is sent from here on: the queue's ring serves the next connection
    }
  }

  // ---- what others read ------------------------------------------------------------------------

  public TcpState state() {
    return state;
  }

  /** Who opened this connection, null when the host did. */
  public ActiveOpen opener() {
    return opener;
  }

  /** Whether the fake host opened this connection (connect-many). */
  boolean isClient() {
    return opener != null;
  }

  /** Whether the handshake completed (the application was told). */
  boolean isOpen() {
    return opened;
  }

  Application app() {
    return app;
  }

  /** When our first SYN went out (nanoTime), 0 before. */
  public long synAt() {
    return synAt;
  }

  /** Test access: the retransmission timeout now, in nanoseconds. */
  long rto() {
    return rtt.rto();
  }

  @Override
  public String toString() {
    return ConnectionTable.format(hostAddress, hostPort) + " <-> " + ConnectionTable.format(fakeAddress, fakePort)
        + " " + state;
  }
}
