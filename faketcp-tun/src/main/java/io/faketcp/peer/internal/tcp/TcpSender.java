package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import java.nio.ByteBuffer;

/**
 * The sending half of one endpoint: the send queue (every byte until the host acknowledges it),
 * SND.UNA/NXT/MAX and the host's window, the ACKs that move them, retransmission with the
 * {@link RttEstimator}, loss recovery, zero-window probes and our FIN.
 *
 * <p>Loss recovery: with a host that offered SACK, its SACK blocks fill a {@link SackScoreboard}, and
 * an ACK that SACKs something new counts as a duplicate even when it carries data or a new window
 * (RFC 6675; in a full-duplex stream the host's ACKs ride on its data, which RFC 5681 never counts).
 * Recovery begins at the third duplicate ACK or as soon as three segments' worth are SACKed above
 * SND.UNA (IsLost); then every hole below SACKed data that IsLost is retransmitted, lowest first,
 * once (HighRxt: not again in a later recovery either, unless the host SACKs data sent after the
 * resend, {@link ResentHoles}, or the timer expires), never the SACKed bytes; a partial ACK also
 * resends the hole it stops at if that was not resent yet and the host holds data above it (NewReno). Without SACK it
 * is plain NewReno: three pure duplicate ACKs, then one segment per partial ACK. A timeout goes back
 * to SND.UNA with a {@link LossWindow} of one segment, which slow start opens, skipping what the host
 * SACKed before or after it; an ACK that stops at SACKed data (the host reneged) clears the scoreboard.
 *
 * <p>Outside that recovery there is no congestion control: the peer sends whatever the host's window
 * allows, which on a tun device in one machine is what keeps lossy tests fast. But no silly windows
 * (RFC 9293 §3.8.6.2.1): a segment shorter than the MSS goes only when it holds all that is queued, or
 * fills half the largest window the host offered, or when the persist timer finds the window still
 * small.
 * Peer thread only.
 */
abstract class TcpSender extends TcpReceiver {
  /**
   * Bytes the send queue may hold: a scaled window's worth in flight and more queued (ECHO's receive
   * window is this queue's room). It grows into this with use ({@link SendBuffer}).
   */
  static final int SEND_BUFFER = 4 << 20;
  static final int MAX_RETRIES = 8;

  final RttEstimator rtt = new RttEstimator();
  /** Our initial sequence number. */
  int iss;
  int sndUna;
  int sndNxt;
  /** The highest sequence number sent so far, plus one: SND.NXT goes back to SND.UNA on a timeout. */
  int sndMax;
  private int sndWl1;
  private int sndWl2;
  /** The host's receive window in bytes, scaled. */
  int sndWnd;
  /** The host's window scale (RFC 7323): its window fields are shifted by this but in its SYN; 0 without scaling. */
  int sndShift;
  /** The largest window the host offered: half of it makes a segment worth sending (RFC 9293 §3.8.6.2.1). */
  int maxSndWnd;
  /** The host's MSS, from its SYN. */
  int hostMss;
  private SendBuffer out;
  private boolean finQueued;
  private int finSeq;
  private boolean finAcked;
  /** Retransmissions (or probes) since the host last answered. */
  int retries;
  /** While the host's data is delivered, what the application sends waits ({@link #holdOutput}). */
  private boolean holding;
  private boolean outputHeld;
  /** The persist timer found a small window open: fill it (the silly-window override). */
  private boolean overrideSws;
  private long persistInterval;
  private int dupAcks;
  private boolean recovering;
  /** RFC 6582's "recover": SND.MAX when the recovery began; an ACK of it ends the recovery. */
  private int recover;
  /** What the host's SACK blocks say it holds (SACK hosts only, from their first block on). */
  private SackScoreboard scoreboard;
  /**
   * RFC 6675's HighRxt: every unSACKed byte from SND.UNA below it was retransmitted since the last
   * timeout, in this recovery or an earlier one, and is not sent again unless {@link ResentHoles}
   * finds it lost again or the timer expires.
   */
  private int highRxt;
  /** After a timeout, until the host acknowledges {@link #recover}: the loss window paces what goes. */
  private final LossWindow lossWindow = new LossWindow();
  /** Holes resent since the last timeout: which of them was lost again. */
  private final ResentHoles resentHoles = new ResentHoles();

  TcpSender(EndpointContext context) {
    super(context);
  }

  /** As new, with initial sequence number {@code iss} (the SYN takes it). */
  void beginSending(int iss) {
    this.iss = iss;
    sndUna = iss;
    sndNxt = iss + 1;
    sndMax = sndNxt;
    sndWl1 = 0;
    sndWl2 = 0;
    sndWnd = 0xffff;
    sndShift = 0;
    maxSndWnd = 0;
    hostMss = 536;
    holding = false;
    outputHeld = false;
    overrideSws = false;
    out = null;
    finQueued = false;
    finSeq = 0;
    finAcked = false;
    retries = 0;
    persistInterval = 0;
    dupAcks = 0;
    recovering = false;
    recover = 0;
    scoreboard = null;
    highRxt = sndUna; // nothing resent yet; never behind SND.UNA
    lossWindow.close();
    resentHoles.clear();
    rtt.restart();
  }

  /** The host's SYN or SYN+ACK at {@code seq} acknowledged ours: SND.UNA moves past our SYN; the window is the host's. */
  void synchronizeSending(int seq, int window) {
    sndUna = iss + 1;
    highRxt = sndUna;
    sndWl1 = seq;
    sndWl2 = sndUna;
    sndWnd = window;
    maxSndWnd = Math.max(maxSndWnd, window);
  }

  boolean hasQueue() {
    return out != null;
  }

  boolean hasScoreboard() {
    return scoreboard != null;
  }

  int buffered() {
    return out == null ? 0 : out.size();
  }

  /** The send queue is no longer needed (TIME-WAIT or CLOSED): its direct ring goes back to the pool. */
  void releaseQueue() {
    if (out != null) {
      out.release();
      out = null;
    }
  }

  /** Queues as much of {@code data} as fits and sends what the window allows; returns the count. */
  int queue(ByteBuffer data) {
    if (out == null) {
      out = new SendBuffer(SEND_BUFFER, context.rings());
    }
    int n = data == deliveredView && data.position() == deliveredFrom && data.limit() == deliveredTo
        ? out.append(data, deliveredSum) : out.append(data);
    if (n > 0) {
      if (holding) {
        outputHeld = true;
      } else {
        output();
      }
    }
    return n;
  }

  /** {@link #queue(ByteBuffer)} of both, then of {@code second} if all of {@code first} fit; segments go once both are queued. */
  int queue(ByteBuffer first, ByteBuffer second) {
    boolean held = holding;
    holding = true;
    int n = queue(first);
    if (!first.hasRemaining()) {
      n += queue(second);
    }
    if (!held) {
      releaseOutput();
    }
    return n;
  }

  @Override
  void holdOutput() {
    holding = true;
  }

  @Override
  void releaseOutput() {
    holding = false;
    if (outputHeld) {
      outputHeld = false;
      output();
    }
  }

  int room() {
    return out == null ? SEND_BUFFER : out.free();
  }

  /** Our FIN goes after every byte queued now. */
  void queueFin() {
    finQueued = true;
    finSeq = sndUna + buffered();
  }

  boolean finQueued() {
    return finQueued;
  }

  /** The host's window, as far as a slow link's queue allows (see {@link FaultPolicy#slowLink}). */
  private int sendWindow() {
    FaultPolicy faults = faults();
    return faults == null ? sndWnd : faults.sendWindow(sndWnd);
  }

  /** The payload of a full segment: the smaller MSS, less the timestamps option when it is in use. */
  int segmentSize() {
    return Math.min(context.mss(), hostMss) - (timestampsOn() ? Timestamps.LENGTH : 0);
  }

  /** The payload of a segment sent now: a full segment's, less the SACK blocks it will carry. */
  private int payloadSize() {
    return segmentSize() - sackOptionLength();
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Sends what the host's window allows: queued data, then the FIN. Arms the timer it needs. */
  void output() {
    if (!state().transmits()) {
      return;
    }
    int segmentSize = payloadSize();
    int buffered = buffered();
    boolean finReady = finQueued && !holdsOwnFin();
    int pipe = lossWindow.isOpen() ? pipe() : 0;
    while (true) {
      int offset = sndNxt - sndUna;
      int available = buffered - offset;
      if (available > 0) {
        int n = Math.min(Math.min(segmentSize, available), sendWindow() - offset);
        if (n <= 0 || n < segmentSize && n < available && (offset > 0 || n < maxSndWnd / 2) && !overrideSws) {
          break; // window full, or a sliver of it open: wait for the ACK, a wider window or the persist timer
        }
        if (scoreboard != null && Seq.before(sndNxt, sndMax) && !scoreboard.isEmpty()) {
          // Going back after a timeout: what the host SACKed since is not sent again.
          int past = scoreboard.skip(sndNxt);
          if (past != sndNxt) {
            sndNxt = past;
            continue;
          }
          n = Math.min(n, scoreboard.unsackedFrom(sndNxt));
        }
        if (lossWindow.isOpen()) {
          if (!lossWindow.allows(pipe, n)) {
            break; // after a timeout: no more in flight than the loss window
          }
          pipe += n;
        }
        boolean fin = finReady && n == available;
        transmit(sndNxt, offset, n, fin);
        sndNxt += n + (fin ? 1 : 0);
      } else if (finReady && sndNxt == finSeq) {
        transmit(sndNxt, offset, 0, true);
        sndNxt++;
      } else {
        break;
      }
    }
    if (Seq.before(sndMax, sndNxt)) {
      sndMax = sndNxt;
    }
    TimerKind timer = timer();
    if (sndUna != sndMax) {
      if (timer != TimerKind.RETRANSMISSION) {
        arm(TimerKind.RETRANSMISSION, context.now() + rtt.rto());
      }
    } else if (buffered > 0 && timer != TimerKind.PERSIST) {
      persistInterval = rtt.rto(); // the host's window is closed: probe it until it opens
      arm(TimerKind.PERSIST, context.now() + persistInterval);
    }
  }

  /** Sends {@code length} queued bytes from {@code offset}, and FIN after them if {@code fin}. */
  private void transmit(int seq, int offset, int length, boolean fin) {
    int end = seq + length + (fin ? 1 : 0);
    if (Seq.before(seq, sndMax)) {
      context.count(Counters.RETRANSMISSIONS, 1);
      rtt.retransmitted(); // Karn: no RTT sample from a segment sent twice
    } else {
      rtt.sent(end, context.now());
    }
    if (Seq.before(sndMax, end)) {
      sndMax = end;
    }
    ackSent();
    if (silenced()) {
      return;
    }
    int window = advertise();
    TcpSegment.Builder tcp = Headers.of(this, ACK | (length > 0 ? PSH : 0) | (fin ? FIN : 0), seq, window);
    if (length > 0) {
      ByteBuffer payload = out.view(offset, length);
      if (payload == null) { // the bytes wrap around the ring's end: one copy to put them together
        out.copy(offset, context.chunk(), length);
        payload = context.chunkView().clear().limit(length);
      }
      tcp.payload(payload);
      int sum = out.sum(offset, length);
      if (sum < 0 && length >= 2 * Application.SUM_BLOCK) {
        sum = blockSums(seq - iss - 1, payload, length); // data starts at ISS + 1: its stream position
      }
      context.emit(payload, sum);
      return;
    }
    context.emit();
  }

  /**
   * The folded sum of {@code payload}'s {@code length} bytes from stream position {@code position},
   * from the sums of the whole blocks among them that the application knows ({@link Application#blockSum})
   * and the bytes before and after those; -1 when it knows one of them not.
   */
  private int blockSums(int position, ByteBuffer payload, int length) {
    Application app = app();
    if (app == null) {
      return -1;
    }
    int block = Application.SUM_BLOCK;
    int head = (-position) & (block - 1); // bytes before the first block boundary
    int blocks = (length - head) / block;
    int first = (position + head) >>> Integer.numberOfTrailingZeros(block);
    long sum = 0;
    for (int k = 0; k < blocks; k++) {
      int s = app.blockSum(first + k);
      if (s < 0) {
        return -1;
      }
      sum += s;
    }
    sum = SendBuffer.fold(sum);
    if ((head & 1) != 0) { // the blocks start at odd offsets of the payload: their words straddle
      sum = (sum >>> 8 | sum << 8) & 0xffff;
    }
    int at = payload.position();
    int tail = head + blocks * block;
    sum += ~io.faketcp.packet.Checksum.compute(payload, at, head) & 0xffff;
    int end = ~io.faketcp.packet.Checksum.compute(payload, at + tail, length - tail) & 0xffff;
    sum += (tail & 1) == 0 ? end : (end >>> 8 | end << 8) & 0xffff;
    return SendBuffer.fold(sum);
  }

  /**
   * Sends the segment at {@code seq} (below SND.MAX) again: at most one MSS, and not into what the
   * host SACKed. Returns the sequence space it covered (0: nothing to send there); moves HighRxt.
   */
  private int retransmitHole(int seq) {
    int offset = seq - sndUna;
    int buffered = buffered();
    boolean finSent = finQueued && Seq.before(finSeq, sndMax); // not while a slow close holds it back
    int sent = 0;
    if (offset < buffered) {
      int n = Math.min(payloadSize(), buffered - offset);
      if (scoreboard != null) {
        n = Math.min(n, scoreboard.unsackedFrom(seq));
      }
      boolean fin = finSent && offset + n == buffered;
      transmit(seq, offset, n, fin);
      sent = n + (fin ? 1 : 0);
    } else if (offset == buffered && finSent && !finAcked) {
      transmit(seq, offset, 0, true);
      sent = 1;
    }
    if (sent > 0) {
      resentHoles.resent(seq, sndMax);
      if (Seq.before(highRxt, seq + sent)) {
        highRxt = seq + sent;
      }
    }
    return sent;
  }

  // ---- acknowledgments -------------------------------------------------------------------------

  /** What an acceptable ACK did: nothing to us, moved SND.UNA, or acknowledged our FIN. */
  static final int OLD = 0;
  static final int MOVED = 1;
  static final int FIN_ACKED = 2;
  /** The ACK acknowledges something never sent: the segment is dropped (after our ACK). */
  static final int UNSENT = -1;

  /** The ACK field and window of an acceptable segment (RFC 9293 §3.10.7.4, fifth check). */
  int processAck(TcpSegment s) {
    int ack = (int) s.acknowledgmentNumber();
    if (Seq.before(sndMax, ack)) {
      return UNSENT;
    }
    if (Seq.before(ack, sndUna)) {
      return OLD; // an old ACK: its window is old too
    }
    int seq = (int) s.sequenceNumber();
    int acked = ack - sndUna;
    boolean moved = false;
    boolean sackNews = false;
    boolean sackOption = sackPermitted && sndUna != sndMax && s.options().sackBlockCount() > 0;
    if (sackOption) {
      if (scoreboard == null) {
        scoreboard = new SackScoreboard();
      }
      sackNews = scoreboard.update(s.options(), ack, sndMax);
    }
    if (acked > 0) {
      moved = advance(ack, s);
    } else if (ack == sndUna && sndUna != sndMax && duplicate(s, sackOption, sackNews)) {
      dupAcks++;
    }
    if (sndUna != sndMax && !lossWindow.isOpen()) { // RFC 6675 §5.1: no fast recovery inside a timeout's
      if (Seq.before(sndUna, highRxt) && scoreboard != null && !scoreboard.isEmpty()
          && resentHoles.lostAgain(sndUna, scoreboard.highest())) {
        retransmitHole(sndUna); // its resend was lost too: the host holds data sent after it
      }
      if (!recovering && (dupAcks == SackScoreboard.DUP_THRESH || lostAtUna())) {
        enterRecovery();
      } else if (recovering && sackNews) {
        retransmitLost();
      }
    }
    if (Seq.before(sndWl1, seq) || sndWl1 == seq && !Seq.before(ack, sndWl2)) {
      sndWnd = s.window() << sndShift;
      maxSndWnd = Math.max(maxSndWnd, sndWnd);
      sndWl1 = seq;
      sndWl2 = ack;
    }
    if (timer() == TimerKind.PERSIST) {
      retries = 0; // the host answers our probes: it is alive, its window is just closed
    }
    if (finAcked) {
      return FIN_ACKED;
    }
    return moved ? MOVED : OLD;
  }

  /** SND.UNA moves to {@code ack}, acknowledged by {@code s}; returns whether data left the queue. */
  private boolean advance(int ack, TcpSegment s) {
    long now = context.now();
    int acked = ack - sndUna;
    int bytes = Math.min(acked, buffered());
    if (bytes > 0) {
      out.drop(bytes);
    }
    if (finQueued && Seq.before(finSeq, ack)) {
      finAcked = true;
    }
    sndUna = ack;
    if (Seq.before(sndNxt, sndUna)) {
      sndNxt = sndUna;
    }
    if (Seq.before(highRxt, sndUna)) {
      highRxt = sndUna; // never far behind: it is compared modulo 2^32
    }
    resentHoles.acknowledged(sndUna);
    rtt.acknowledged(ack, now, timestampRtt(s, now)); // RFC 7323 §4: the echoed timestamp, when in use
    retries = 0;
    dupAcks = 0;
    if (scoreboard != null) {
      scoreboard.advance(ack);
      if (scoreboard.sacked(ack)) {
        reneged();
      }
    }
    if (lossWindow.isOpen()) {
      if (Seq.before(ack, recover)) {
        lossWindow.acknowledged(acked, segmentSize());
      } else {
        lossWindow.close(); // all that was in flight at the timeout is acknowledged
      }
    }
    if (recovering) {
      if (Seq.before(ack, recover)) {
        partialAck();
      } else {
        recovering = false;
      }
    }
    if (sndUna == sndMax) {
      disarm();
    } else {
      arm(TimerKind.RETRANSMISSION, now + rtt.rto());
    }
    return bytes > 0;
  }

  /**
   * Whether an ACK of SND.UNA is a duplicate: one that SACKs something new (RFC 6675: even when it
   * carries data or changes the window), or, without a SACK option, RFC 5681's pure duplicate. A SACK
   * option with nothing new (a D-SACK report of a segment received twice) is not one.
   */
  private boolean duplicate(TcpSegment s, boolean sackOption, boolean sackNews) {
    if (sackOption) {
      return sackNews;
    }
    return s.payloadLength() == 0 && !s.fin() && s.window() << sndShift == sndWnd;
  }

  /** RFC 6675's pipe after a timeout: what was sent since, from SND.UNA to SND.NXT, less what the host SACKed. */
  private int pipe() {
    return sndNxt - sndUna - sackedBelow(sndNxt);
  }

  private int sackedBelow(int seq) {
    return scoreboard == null ? 0 : scoreboard.sackedBelow(seq);
  }

  /** RFC 6675's IsLost for the first unacknowledged byte: enough SACKed above it. */
  private boolean lostAtUna() {
    return scoreboard != null && !scoreboard.isEmpty() && scoreboard.isLost(sndUna, segmentSize());
  }

  /**
   * The host's cumulative ACK stops at a byte it had SACKed: it dropped what it held above the hole
   * (reneged, RFC 2018). Its SACK blocks are forgotten; after a timeout, everything from SND.UNA goes
   * again, paced by the loss window.
   */
  private void reneged() {
    scoreboard.clear();
    if (lossWindow.isOpen()) {
      sndNxt = sndUna;
    }
  }

  /**
   * Fast retransmit: the first hole at once, then every other hole the SACK blocks show lost. A hole
   * an earlier recovery resent (below HighRxt) is not sent again: that resend may still be on its way,
   * and only the timer tells it was lost too.
   */
  private void enterRecovery() {
    recovering = true;
    recover = sndMax;
    if (!Seq.before(sndUna, highRxt)) {
      retransmitHole(sndUna);
    }
    retransmitLost();
  }

  /**
   * An ACK that moves SND.UNA but not past the recovery point: the hole it stops at is lost too
   * (NewReno), and is retransmitted unless it already was; with SACK only if the host holds data
   * above it (else the ACK just follows what is still on its way). Then the holes the scoreboard now
   * shows lost.
   */
  private void partialAck() {
    if (scoreboard == null || !Seq.before(sndUna, highRxt) && !scoreboard.isEmpty()) {
      retransmitHole(sndUna);
    }
    retransmitLost();
  }

  /**
   * RFC 6675's NextSeg, rule 1, without a congestion window: every unSACKed range above HighRxt and
   * below SACKed data that IsLost, lowest first, skipping what the host holds. Holes above the last
   * SACKed byte, or with too little SACKed above them, wait (for more SACKs, a partial ACK, the RTO).
   */
  private void retransmitLost() {
    if (scoreboard == null) {
      return;
    }
    int segmentSize = segmentSize();
    int seq = Seq.before(highRxt, sndUna) ? sndUna : highRxt;
    while (!scoreboard.isEmpty()) {
      seq = scoreboard.skip(seq);
      if (!Seq.before(seq, scoreboard.highest()) || !scoreboard.isLost(seq, segmentSize)) {
        return;
      }
      int sent = retransmitHole(seq);
      if (sent == 0) {
        return;
      }
      seq += sent;
    }
  }

  // ---- timeouts --------------------------------------------------------------------------------

  /**
   * The retransmission timer expired: back off and go back to SND.UNA, the loss window one segment
   * (RFC 5681 §3.1): the first unacknowledged segment goes again, the rest as ACKs open the window,
   * skipping what the host SACKed (kept, as Linux does, unless an ACK shows the host reneged). Until
   * the host acknowledges all that was sent before the timeout no fast recovery starts (RFC 6675
   * §5.1). False when it is time to give up.
   */
  boolean retransmissionTimeout(long now) {
    if (++retries > MAX_RETRIES) {
      return false;
    }
    rtt.backOff();
    lossWindow.timeout(sndMax - sndUna - sackedBelow(sndMax), segmentSize());
    recover = sndMax;
    sndNxt = sndUna;
    highRxt = sndUna;
    resentHoles.clear();
    recovering = false;
    dupAcks = 0;
    output();
    if (sndNxt == sndUna) {
      sendControl(ACK, sndUna - 1); // the window is closed: probe it
    }
    arm(TimerKind.RETRANSMISSION, now + rtt.rto());
    return true;
  }

  /**
   * The persist timer expired: a window too small to be worth a segment is filled now (the
   * silly-window override); a closed one gets a zero-window probe, the interval doubling. False when
   * it is time to give up.
   */
  boolean persistTimeout(long now) {
    if (++retries > MAX_RETRIES) {
      return false;
    }
    if (sendWindow() > 0) {
      overrideSws = true;
      output();
      overrideSws = false;
      if (sndUna != sndMax) {
        return true; // data went out: the retransmission timer runs
      }
    }
    sendControl(ACK, sndUna - 1); // an old sequence number: the host answers with its window
    persistInterval = Math.min(RttEstimator.MAX_RTO, persistInterval * 2);
    arm(TimerKind.PERSIST, now + persistInterval);
    return true;
  }

  // ---- what the endpoint provides ----------------------------------------------------------------

  /** Whether a slow close holds our FIN back. */
  abstract boolean holdsOwnFin();

  abstract TimerKind timer();

  /** Arms the endpoint's one timer as {@code kind}, due at {@code at}. */
  abstract void arm(TimerKind kind, long at);

  abstract void disarm();

  /** A segment carrying our ACK is on its way: none is owed any more. */
  abstract void ackSent();

  /** Whether nothing the fake host sends goes out (its host vanished, or a blackhole). */
  abstract boolean silenced();

  /** A segment without data: an ACK, a probe, a RST. */
  abstract void sendControl(int flags, int seq);
}
