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
 * {@link RttEstimator}, the resends {@link LossRecovery} decides after a loss, zero-window probes and
 * our FIN.
 *
 * <p>Outside a recovery there is no congestion control: the peer sends whatever the host's window
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
  /** Duplicate ACKs, SACK blocks, which holes go again. */
  private final LossRecovery recovery = new LossRecovery(this);

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
    recovery.reset(sndUna);
    rtt.restart();
  }

  /** The host's SYN or SYN+ACK at {@code seq} acknowledged ours: SND.UNA moves past our SYN; the window is the host's. */
  void synchronizeSending(int seq, int window) {
    sndUna = iss + 1;
    recovery.synchronize(sndUna);
    sndWl1 = seq;
    sndWl2 = sndUna;
    sndWnd = window;
    maxSndWnd = Math.max(maxSndWnd, window);
  }

  boolean hasQueue() {
    return out != null;
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
    int pipe = recovery.paced() ? recovery.pipe() : 0;
    while (true) {
      int offset = sndNxt - sndUna;
      int available = buffered - offset;
      if (available > 0) {
        int n = Math.min(Math.min(segmentSize, available), sendWindow() - offset);
        if (n <= 0 || n < segmentSize && n < available && (offset > 0 || n < maxSndWnd / 2) && !overrideSws) {
          break; // window full, or a sliver of it open: wait for the ACK, a wider window or the persist timer
        }
        int past = recovery.skipSacked(sndNxt); // going back after a timeout: not what the host SACKed since
        if (past != sndNxt) {
          sndNxt = past;
          continue;
        }
        n = recovery.unsacked(sndNxt, n);
        if (recovery.paced()) {
          if (!recovery.allows(pipe, n)) {
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
  int retransmitHole(int seq) {
    int offset = seq - sndUna;
    int buffered = buffered();
    boolean finSent = finQueued && Seq.before(finSeq, sndMax); // not while a slow close holds it back
    int sent = 0;
    if (offset < buffered) {
      int n = recovery.unsacked(seq, Math.min(payloadSize(), buffered - offset));
      boolean fin = finSent && offset + n == buffered;
      transmit(seq, offset, n, fin);
      sent = n + (fin ? 1 : 0);
    } else if (offset == buffered && finSent && !finAcked) {
      transmit(seq, offset, 0, true);
      sent = 1;
    }
    if (sent > 0) {
      recovery.resent(seq, sent);
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
      sackNews = recovery.sackBlocks(s, ack);
    }
    if (acked > 0) {
      moved = advance(ack, s);
    } else if (ack == sndUna && sndUna != sndMax) {
      recovery.sameAck(s, sackOption, sackNews);
    }
    if (sndUna != sndMax) {
      recovery.afterAck(sackNews);
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
    rtt.acknowledged(ack, now, timestampRtt(s, now)); // RFC 7323 §4: the echoed timestamp, when in use
    retries = 0;
    recovery.advanced(ack, acked);
    if (sndUna == sndMax) {
      disarm();
    } else {
      arm(TimerKind.RETRANSMISSION, now + rtt.rto());
    }
    return bytes > 0;
  }

  // ---- timeouts --------------------------------------------------------------------------------

  /**
   * The retransmission timer expired: back off and go back to SND.UNA, paced by the loss window
   * ({@link LossRecovery#timeout()}): the first unacknowledged segment goes again, the rest as ACKs
   * open the window, skipping what the host SACKed. False when it is time to give up.
   */
  boolean retransmissionTimeout(long now) {
    if (++retries > MAX_RETRIES) {
      return false;
    }
    rtt.backOff();
    recovery.timeout();
    sndNxt = sndUna;
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
