package io.faketcp.peer;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection between the host and a fake host, from the fake host's side: the complete
 * endpoint (RFC 9293) below its {@link Application}. It keeps the sequence space, the send queue
 * (every byte until the host acknowledges it), the retransmission timer (RFC 6298: RTT estimate, at
 * least 200 ms, doubling on each timeout, abort after {@value #MAX_RETRIES} unanswered
 * retransmissions), loss recovery, the persist timer with zero-window probes, FIN retransmission and
 * TIME-WAIT.
 *
 * <p>Loss recovery: with a host that offered SACK, its SACK blocks fill a {@link SackScoreboard}, and
 * an ACK that SACKs something new counts as a duplicate even when it carries data or a new window
 * (RFC 6675; in a full-duplex stream the host's ACKs ride on its data, which RFC 5681 never counts).
 * Recovery begins at the third duplicate ACK or as soon as three segments' worth are SACKed above
 * SND.UNA (IsLost); then every hole below SACKed data that IsLost is retransmitted, lowest first, once
 * per recovery (HighRxt), never the SACKed bytes; a partial ACK also resends the hole it stops at if
 * that was not resent yet (NewReno). Without SACK it is plain NewReno: three pure duplicate ACKs, then
 * one segment per partial ACK. A timeout clears the scoreboard (the host may renege) and goes back to
 * SND.UNA, skipping only what the host SACKs afterwards. Segments the host sends
 * out of order are answered at once with a duplicate ACK (with SACK blocks if the host offered SACK)
 * and kept in a {@link Reassembly} queue until the hole is filled. RST and SYN are checked as RFC 5961
 * says; a host whose rules turn to DROP goes silent on its open connections too.
 *
 * <p>There is no congestion control: the peer sends whatever the host's window allows, which on a
 * tun device in one machine is what keeps lossy tests fast.
 *
 * <p>Sequence numbers are 32-bit and wrap: compare them with {@link #before(int, int)}, never with
 * {@code <}. Peer thread only.
 */
final class Connection extends Timers.Entry implements Endpoint {
  static final int SYN_SENT = 1;
  static final int SYN_RECEIVED = 2;
  static final int ESTABLISHED = 3;
  static final int FIN_WAIT_1 = 4;
  static final int FIN_WAIT_2 = 5;
  static final int CLOSE_WAIT = 6;
  static final int CLOSING = 7;
  static final int LAST_ACK = 8;
  static final int TIME_WAIT = 9;
  static final int CLOSED = 10;

  /** Bytes the send queue holds: the host's largest window (64 KiB, no scaling) in flight and as much again queued. */
  static final int SEND_BUFFER = 128 * 1024;
  static final long MIN_RTO = TimeUnit.MILLISECONDS.toNanos(200);
  static final long INITIAL_RTO = TimeUnit.SECONDS.toNanos(1);
  /** Backoff stops here (RFC 6298 allows 60 s; tests should not wait that long for a recovery). */
  static final long MAX_RTO = TimeUnit.SECONDS.toNanos(5);
  static final int MAX_RETRIES = 8;
  static final int MAX_SYN_ACK_RETRIES = 5;
  /** How long a closed connection answers retransmitted FINs and guards its 4-tuple (2 MSL is minutes; nothing here lives that long). */
  static final long TIME_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final String[] STATES = {"?", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
      "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT", "CLOSED"};

  private final TcpHost host;
  // The 4-tuple and the run change only when a closed client connection is reused (see reuse()).
  int hostAddress;
  int hostPort;
  int peerAddress;
  int peerPort;
  /** Non-null for connections the peer opened as a client (connect-many). */
  ConnectManyRun run;
  Application app;
  private boolean opened;
  private boolean closedReported;

  int state;
  /** Our initial sequence number. */
  int iss;
  /** The host's initial sequence number (its SYN's). */
  int irs;
  int sndUna;
  int sndNxt;
  /** The highest sequence number sent so far, plus one: SND.NXT goes back to SND.UNA on a timeout. */
  int sndMax;
  int sndWl1;
  int sndWl2;
  /** The host's receive window in bytes (window scaling is never negotiated). */
  int sndWnd = 0xffff;
  int rcvNxt;
  /** The right edge of the window we advertised last (never moved left). */
  int rcvAdv;
  int hostMss = 536;
  /** The host offered SACK in its SYN: our ACKs list the out-of-order ranges we keep. */
  boolean sack;
  /** When our SYN or SYN+ACK was first sent (nanoTime): the handshake gives the first RTT sample. */
  long synAt;
  /** TCP Fast Open: data the host sent in its SYN, passed to the application once it is open. */
  byte[] synData;

  private SendBuffer out;
  private Rules rulesSeen;
  private boolean dropped;
  private Reassembly reassembly;
  private boolean finQueued;
  private int finSeq;
  private boolean finAcked;

  private long srtt;
  private long rttvar;
  private long rto = INITIAL_RTO;
  private int retries;
  private boolean rttTiming;
  private int rttSeq;
  private long rttStart;
  private int dupAcks;
  private boolean recovering;
  /** RFC 6582's "recover": SND.MAX when the recovery began; an ACK of it ends the recovery. */
  private int recover;
  /** What the host's SACK blocks say it holds (SACK hosts only, from their first block on). */
  private SackScoreboard scoreboard;
  /** RFC 6675's HighRxt: every hole below it was retransmitted in this recovery. */
  private int highRxt;
  private boolean persisting;
  private long persistInterval;

  /** Connection faults ({@link Fault}): null when none applies, the usual case. */
  ConnectionFaults faults;
  /** An ACK is owed at the end of the current batch of packets. */
  boolean ackPending;

  /**
   * Connect-many: SYN retransmissions so far, and when the SYN was last sent (nanoTime); once
   * established, when the final ACK was ({@link ConnectManyAcks}).
   */
  int retransmissions;
  long synSentAt;
  /** Connect-many: {@link ConnectManyAcks} holds this connection (it must not be reused before it lets go). */
  boolean acksKept;
  /** Kept by {@link TcpHost} for reuse (never twice). */
  boolean spare;

  Connection(TcpHost host, int hostAddress, int hostPort, int peerAddress, int peerPort, ConnectManyRun run) {
    this.host = host;
    this.hostAddress = hostAddress;
    this.hostPort = hostPort;
    this.peerAddress = peerAddress;
    this.peerPort = peerPort;
    this.run = run;
  }

  /**
   * Whether this closed client connection can be {@linkplain #reuse reused} for a new one: nothing
   * refers to it any more (not in a timer, not held by connect-many's recent ACKs, its application
   * told), and it never needed more than the handshake's state (no send queue, reassembly, SACK
   * scoreboard, faults, SYN data).
   */
  boolean reusable() {
    return state == CLOSED && run != null && !spare && heapIndex < 0 && !acksKept && (!opened || closedReported)
        && out == null && reassembly == null && scoreboard == null && faults == null && synData == null;
  }

  /**
   * Makes this {@linkplain #reusable() reusable} connection a new one, exactly as the constructor
   * leaves it: a connect-many run then opens connections without allocating (100,000 connections
   * would otherwise be 24 MB of fresh heap, and every first touch of a heap page is a page fault).
   */
  void reuse(int hostAddress, int hostPort, int peerAddress, int peerPort, ConnectManyRun run) {
    this.hostAddress = hostAddress;
    this.hostPort = hostPort;
    this.peerAddress = peerAddress;
    this.peerPort = peerPort;
    this.run = run;
    app = null;
    opened = false;
    closedReported = false;
    state = 0;
    iss = 0;
    irs = 0;
    sndUna = 0;
    sndNxt = 0;
    sndMax = 0;
    sndWl1 = 0;
    sndWl2 = 0;
    sndWnd = 0xffff;
    rcvNxt = 0;
    rcvAdv = 0;
    hostMss = 536;
    sack = false;
    synAt = 0;
    synData = null;
    out = null;
    rulesSeen = null;
    dropped = false;
    reassembly = null;
    finQueued = false;
    finSeq = 0;
    finAcked = false;
    srtt = 0;
    rttvar = 0;
    rto = INITIAL_RTO;
    retries = 0;
    rttTiming = false;
    rttSeq = 0;
    rttStart = 0;
    dupAcks = 0;
    recovering = false;
    recover = 0;
    scoreboard = null;
    highRxt = 0;
    persisting = false;
    persistInterval = 0;
    faults = null;
    ackPending = false;
    retransmissions = 0;
    synSentAt = 0;
    acksKept = false;
    spare = false;
    timerAt = 0;
    queuedAt = 0;
    timerArmed = false;
    heapIndex = -1;
    order = 0;
  }

  /** Whether sequence number {@code a} comes before {@code b}, modulo 2^32. */
  static boolean before(int a, int b) {
    return a - b < 0;
  }

  private static boolean inWindow(int seq, int start, int length) {
    int offset = seq - start;
    return offset >= 0 && offset < length;
  }

  // ---- the application's side (Endpoint) -------------------------------------------------------

  @Override
  public int send(ByteBuffer data) {
    if (!canSend()) {
      return 0;
    }
    if (out == null) {
      out = new SendBuffer(SEND_BUFFER);
    }
    int n = out.append(data);
    if (n > 0) {
      output();
    }
    return n;
  }

  @Override
  public int sendRoom() {
    if (!canSend()) {
      return 0;
    }
    return out == null ? SEND_BUFFER : out.free();
  }

  private boolean canSend() {
    return !finQueued && (state == ESTABLISHED || state == CLOSE_WAIT);
  }

  @Override
  public void shutdownOutput() {
    if (!canSend()) {
      return;
    }
    finQueued = true;
    finSeq = sndUna + buffered();
    state(state == ESTABLISHED ? FIN_WAIT_1 : LAST_ACK);
    if (faults != null && faults.slowClose != null && !faults.finReleased) {
      holdOwnFin();
    }
    output();
  }

  @Override
  public void reset() {
    if (state == CLOSED || state == TIME_WAIT) {
      return;
    }
    if (!silenced()) {
      host.counters.increment(Counters.RESETS_SENT);
    }
    sendControl(RST | ACK, sndMax);
    terminate("reset by the fake host", true);
  }

  @Override
  public void receiveWindowOpened() {
    if (state == CLOSED || state == TIME_WAIT || state == SYN_SENT) {
      return;
    }
    int advertised = rcvAdv - rcvNxt;
    int now = window();
    if (now - advertised >= host.mss || (advertised <= 0 && now > 0)) {
      host.owe(this);
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
  public int peerAddress() {
    return peerAddress;
  }

  @Override
  public int peerPort() {
    return peerPort;
  }

  // ---- opening ---------------------------------------------------------------------------------

  /** Passive open: the host's SYN was taken; sends the SYN+ACK and waits for the host's ACK. */
  void synReceived() {
    state(SYN_RECEIVED);
    sendSynAck();
    host.timers.arm(this, host.now() + rto);
  }

  /** Active open (connect-many): the host's SYN+ACK acknowledged our SYN. */
  void synAckReceived(TcpSegment s) {
    irs = (int) s.sequenceNumber();
    rcvNxt = irs + 1;
    sndUna = iss + 1;
    sndWl1 = irs;
    sndWl2 = sndUna;
    sndWnd = s.window();
    established(retransmissions == 0);
    if (state != CLOSED) { // a reset-after=0 fault has already answered, with its RST
      sendControl(ACK, sndNxt);
    }
  }

  private void sendSynAck() {
    if (synAt == 0) {
      synAt = host.now();
    }
    if (silenced()) {
      return;
    }
    host.link.tcp().source(peerAddress).destination(hostAddress).sourcePort(peerPort).destinationPort(hostPort)
        .sequenceNumber(iss & 0xffffffffL).acknowledgmentNumber(rcvNxt & 0xffffffffL)
        .flags(SYN | ACK).window(advertise()).mss(host.mss).sackPermitted(sack);
    host.link.sendTcp();
  }

  private void established(boolean sampleHandshake) {
    state(ESTABLISHED);
    if (sampleHandshake) {
      sample(Math.max(1, host.now() - synAt)); // the handshake's round trip: the first RTT sample (RFC 6298 2.2)
    } else {
      rto = INITIAL_RTO;
    }
    retries = 0;
    host.timers.cancel(this);
    opened = true;
    app.opened(this);
    if (synData != null) {
      ByteBuffer data = ByteBuffer.wrap(synData);
      synData = null;
      app.received(data);
    }
    if (faults != null) {
      faults.start = host.now();
      armFaults();
      faultsAfterBytes();
    }
  }

  // ---- segments from the host ------------------------------------------------------------------

  /** Handles one segment from the host for this connection (any state but SYN-SENT). */
  void segment(TcpSegment s) {
    int seq = (int) s.sequenceNumber();
    int length = s.payloadLength();
    if (state == TIME_WAIT) {
      timeWaitSegment(s, seq);
      return;
    }
    if (state == SYN_RECEIVED && s.syn() && !s.ack() && !s.rst()) {
      synAt = 0; // the RTT sample is taken from this SYN+ACK
      sendSynAck(); // the host's SYN again: our SYN+ACK was lost
      return;
    }
    int window = Math.max(0, rcvAdv - rcvNxt);
    if (s.rst()) {
      // RFC 5961 §3: only a RST at exactly RCV.NXT resets; one elsewhere in the window gets a challenge ACK.
      if (seq == rcvNxt) {
        terminate("reset by the host", false);
      } else if (inWindow(seq, rcvNxt, Math.max(window, 1))) {
        sendAck();
      }
      return;
    }
    int segmentLength = length + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0);
    boolean acceptable = segmentLength == 0 || (window == 0 && length == 0)
        ? seq == rcvNxt || window > 0 && inWindow(seq, rcvNxt, window)
        : window > 0 && (inWindow(seq, rcvNxt, window) || inWindow(seq + segmentLength - 1, rcvNxt, window));
    if (!acceptable) {
      // RFC 9293 §3.10.7.4: keepalives, zero-window probes, old duplicates get an ACK. A probe of our
      // zero window still carries a valid ACK, which may open the host's window for our data.
      if (window == 0 && seq == rcvNxt && s.ack() && state != SYN_RECEIVED && !acknowledge(s)) {
        return;
      }
      sendAck();
      return;
    }
    if (s.syn()) {
      sendAck(); // RFC 5961 §4: a SYN on a synchronized connection gets a challenge ACK
      return;
    }
    if (!s.ack()) {
      return;
    }
    if (state == SYN_RECEIVED) {
      if ((int) s.acknowledgmentNumber() != sndMax) {
        host.sendReset(s);
        return;
      }
      sndUna = sndMax;
      sndWl1 = seq;
      sndWl2 = sndUna;
      sndWnd = s.window();
      established(retries == 0);
      if (state == CLOSED || faults != null && faults.silent) {
        return;
      }
    } else if (!acknowledge(s)) {
      return;
    }
    if (state == CLOSED || state == TIME_WAIT) {
      return;
    }
    if (length > 0 && !data(s, seq, length)) {
      return;
    }
    if (s.fin()) {
      fin(seq + length);
    } else if (reassembly != null && reassembly.finAt(rcvNxt)) {
      fin(rcvNxt); // the FIN came after a gap that is filled now
    }
    output();
  }

  /** The host's data at {@code seq}; false when the rest of the segment (a FIN) must be ignored. */
  private boolean data(TcpSegment s, int seq, int length) {
    if (state != ESTABLISHED && state != FIN_WAIT_1 && state != FIN_WAIT_2) {
      sendAck(); // data after the host's FIN (RFC 9293: CLOSE-WAIT, CLOSING, LAST-ACK): ignored
      return false;
    }
    if (!app.acknowledgesData()) {
      return true; // ACCEPT: never acknowledged
    }
    int skip = rcvNxt - seq;
    if (skip < 0) {
      // After a gap: kept (within the window we offered) until the hole is filled, and a duplicate
      // ACK now, so that three of them trigger the host's fast retransmit.
      int keep = Math.min(length, rcvAdv - seq);
      if (keep > 0) {
        if (reassembly == null) {
          reassembly = new Reassembly();
        }
        if (reassembly.add(s.ip().buffer(), s.payloadOffset(), keep, seq) && s.fin() && keep == length) {
          reassembly.fin(seq + length);
        }
      }
      sendAck();
      return false;
    }
    int fresh = length - skip;
    int taken = Math.min(fresh, window());
    if (taken > 0) {
      rcvNxt += taken;
      host.owe(this);
      app.received(host.view(s, s.payloadOffset() + skip, taken));
      if (faults != null && faultsAfterBytes()) {
        return false;
      }
    }
    if (taken < fresh) {
      sendAck(); // more than the application could take: the host sends the rest again
      return false;
    }
    if (reassembly != null && !reassembly.isEmpty()) {
      reassembled();
      if (faults != null && faultsAfterBytes()) {
        return false;
      }
    }
    return true;
  }

  /** Passes on what the reassembly queue holds from RCV.NXT on, as far as the application takes it. */
  private void reassembled() {
    reassembly.advance(rcvNxt);
    int n;
    while ((n = reassembly.contiguous(rcvNxt)) > 0) {
      int window = window();
      if (window <= 0) {
        break;
      }
      ByteBuffer data = reassembly.view(rcvNxt, Math.min(n, window));
      rcvNxt += data.remaining();
      app.received(data);
      reassembly.advance(rcvNxt);
    }
    host.owe(this);
  }

  private void fin(int finAt) {
    if (state != ESTABLISHED && state != FIN_WAIT_1 && state != FIN_WAIT_2) {
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
    if (faults != null && faults.slowClose != null && !faults.finReleased) {
      slowClose();
      return;
    }
    rcvNxt++;
    host.owe(this);
    int before = state;
    state(before == ESTABLISHED ? CLOSE_WAIT : before == FIN_WAIT_1 ? CLOSING : state);
    app.inputShutdown(this);
    if (before == FIN_WAIT_2) {
      timeWait();
    }
  }

  /** The ACK field of an acceptable segment; false when the segment must be dropped. */
  private boolean acknowledge(TcpSegment s) {
    int ack = (int) s.acknowledgmentNumber();
    if (before(sndMax, ack)) {
      sendAck(); // acknowledges something never sent
      return false;
    }
    if (before(ack, sndUna)) {
      return true; // an old ACK: its window is old too
    }
    int seq = (int) s.sequenceNumber();
    int acked = ack - sndUna;
    boolean dataAcked = false;
    boolean sackNews = false;
    boolean sackOption = sack && sndUna != sndMax && s.options().sackBlockCount() > 0;
    if (sackOption) {
      if (scoreboard == null) {
        scoreboard = new SackScoreboard();
      }
      sackNews = scoreboard.update(s.options(), ack, sndMax);
    }
    if (acked > 0) {
      long now = host.now();
      int buffered = buffered();
      int bytes = Math.min(acked, buffered);
      if (bytes > 0) {
        out.drop(bytes);
        dataAcked = true;
      }
      if (finQueued && before(finSeq, ack)) {
        finAcked = true;
      }
      sndUna = ack;
      if (before(sndNxt, sndUna)) {
        sndNxt = sndUna;
      }
      if (rttTiming && !before(ack, rttSeq)) {
        rttTiming = false;
        sample(now - rttStart);
      }
      retries = 0;
      dupAcks = 0;
      if (scoreboard != null) {
        scoreboard.advance(ack);
      }
      if (recovering) {
        if (before(ack, recover)) {
          partialAck();
        } else {
          recovering = false;
        }
      }
      if (sndUna == sndMax) {
        host.timers.cancel(this);
        persisting = false;
      } else {
        host.timers.arm(this, now + rto);
        persisting = false;
      }
    } else if (ack == sndUna && sndUna != sndMax && duplicate(s, sackOption, sackNews)) {
      dupAcks++;
    }
    if (sndUna != sndMax) {
      if (!recovering && (dupAcks == SackScoreboard.DUP_THRESH || lostAtUna())) {
        enterRecovery();
      } else if (recovering && sackNews) {
        retransmitLost();
      }
    }
    if (before(sndWl1, seq) || sndWl1 == seq && !before(ack, sndWl2)) {
      sndWnd = s.window();
      sndWl1 = seq;
      sndWl2 = ack;
    }
    if (persisting) {
      retries = 0; // the host answers our probes: it is alive, its window is just closed
    }
    if (finAcked) {
      if (state == FIN_WAIT_1) {
        state(FIN_WAIT_2);
      } else if (state == CLOSING) {
        timeWait();
        return false;
      } else if (state == LAST_ACK) {
        terminate(null, false);
        return false;
      }
    }
    if (dataAcked && (state == ESTABLISHED || state == CLOSE_WAIT)) {
      app.writable();
    }
    return true;
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
    return s.payloadLength() == 0 && !s.fin() && s.window() == sndWnd;
  }

  /** RFC 6675's IsLost for the first unacknowledged byte: enough SACKed above it. */
  private boolean lostAtUna() {
    return scoreboard != null && !scoreboard.isEmpty() && scoreboard.isLost(sndUna, segmentSize());
  }

  /** Fast retransmit: the first hole at once, then every other hole the SACK blocks show lost. */
  private void enterRecovery() {
    recovering = true;
    recover = sndMax;
    highRxt = sndUna;
    retransmitHole(sndUna);
    retransmitLost();
  }

  /**
   * An ACK that moves SND.UNA but not past the recovery point: the hole it stops at is lost too
   * (NewReno), and is retransmitted unless it already was in this recovery; then the holes the
   * scoreboard now shows lost.
   */
  private void partialAck() {
    if (scoreboard == null || !before(sndUna, highRxt)) {
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
    int seq = before(highRxt, sndUna) ? sndUna : highRxt;
    while (!scoreboard.isEmpty()) {
      seq = scoreboard.skip(seq);
      if (!before(seq, scoreboard.highest()) || !scoreboard.isLost(seq, segmentSize)) {
        return;
      }
      int sent = retransmitHole(seq);
      if (sent == 0) {
        return;
      }
      seq += sent;
    }
  }

  private int segmentSize() {
    return Math.min(host.mss, hostMss);
  }

  private void sample(long rtt) {
    if (srtt == 0) {
      srtt = rtt;
      rttvar = rtt / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
      srtt = (7 * srtt + rtt) / 8;
    }
    rto = Math.min(MAX_RTO, Math.max(MIN_RTO, srtt + Math.max(TimeUnit.MILLISECONDS.toNanos(1), 4 * rttvar)));
  }

  private void timeWaitSegment(TcpSegment s, int seq) {
    if (s.rst()) {
      terminate(null, false);
    } else if (s.fin()) {
      sendAck(); // our last ACK was lost: the host's FIN again
      host.timers.arm(this, host.now() + TIME_WAIT_NANOS);
    }
  }

  private void timeWait() {
    state(TIME_WAIT);
    persisting = false;
    report(null);
    host.timers.arm(this, host.now() + TIME_WAIT_NANOS);
  }

  // ---- sending ---------------------------------------------------------------------------------

  private int buffered() {
    return out == null ? 0 : out.size();
  }

  /** Sends what the host's window allows: queued data, then the FIN. Arms the timer it needs. */
  void output() {
    if (state != ESTABLISHED && state != CLOSE_WAIT && state != FIN_WAIT_1 && state != CLOSING && state != LAST_ACK) {
      return;
    }
    int segmentSize = Math.min(host.mss, hostMss);
    int buffered = buffered();
    boolean finReady = finQueued && (faults == null || !faults.holdsOwnFin());
    while (true) {
      int offset = sndNxt - sndUna;
      int available = buffered - offset;
      if (available > 0) {
        int n = Math.min(Math.min(segmentSize, available), sndWnd - offset);
        if (n <= 0 || n < segmentSize && n < available && offset > 0) {
          break; // window full, or only a sliver of it open while data is in flight: wait for the ACK
        }
        if (scoreboard != null && before(sndNxt, sndMax) && !scoreboard.isEmpty()) {
          // Going back after a timeout: what the host SACKed since is not sent again.
          int past = scoreboard.skip(sndNxt);
          if (past != sndNxt) {
            sndNxt = past;
            continue;
          }
          n = Math.min(n, scoreboard.unsackedFrom(sndNxt));
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
    if (before(sndMax, sndNxt)) {
      sndMax = sndNxt;
    }
    if (sndUna != sndMax) {
      if (!host.timers.armed(this) || persisting) {
        persisting = false;
        host.timers.arm(this, host.now() + rto);
      }
    } else if (buffered > 0 && !persisting) {
      persisting = true; // the host's window is closed: probe it until it opens
      persistInterval = rto;
      host.timers.arm(this, host.now() + persistInterval);
    }
  }

  /** Sends {@code length} queued bytes from {@code offset}, and FIN after them if {@code fin}. */
  private void transmit(int seq, int offset, int length, boolean fin) {
    boolean retransmission = before(seq, sndMax);
    if (retransmission) {
      host.counters.increment(Counters.RETRANSMISSIONS);
      rttTiming = false; // Karn: no RTT sample from a segment sent twice
    } else if (!rttTiming) {
      rttTiming = true;
      rttSeq = seq + length + (fin ? 1 : 0);
      rttStart = host.now();
    }
    int end = seq + length + (fin ? 1 : 0);
    if (before(sndMax, end)) {
      sndMax = end;
    }
    ackPending = false;
    if (silenced()) {
      return;
    }
    TcpSegment.Builder tcp = host.link.tcp().source(peerAddress).destination(hostAddress)
        .sourcePort(peerPort).destinationPort(hostPort)
        .sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(rcvNxt & 0xffffffffL)
        .flags(ACK | (length > 0 ? PSH : 0) | (fin ? FIN : 0)).window(advertise());
    if (length > 0) {
      out.copy(offset, host.chunk, length);
      tcp.payload(host.chunkView.clear().limit(length));
    }
    sackBlocks(tcp);
    host.link.sendTcp();
  }

  /**
   * Sends the segment at {@code seq} (below SND.MAX) again: at most one MSS, and not into what the
   * host SACKed. Returns the sequence space it covered (0: nothing to send there); moves HighRxt.
   */
  private int retransmitHole(int seq) {
    int offset = seq - sndUna;
    int buffered = buffered();
    boolean finSent = finQueued && before(finSeq, sndMax); // not while a slow close holds it back
    int sent = 0;
    if (offset < buffered) {
      int n = Math.min(segmentSize(), buffered - offset);
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
    if (sent > 0 && before(highRxt, seq + sent)) {
      highRxt = seq + sent;
    }
    return sent;
  }

  /** An ACK of everything received so far, now. */
  void sendAck() {
    sendControl(ACK, sndNxt);
  }

  private void sendControl(int flags, int seq) {
    if ((flags & ACK) != 0) {
      ackPending = false;
    }
    if (silenced()) {
      return;
    }
    TcpSegment.Builder tcp = host.link.tcp().source(peerAddress).destination(hostAddress)
        .sourcePort(peerPort).destinationPort(hostPort)
        .sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber((flags & ACK) != 0 ? rcvNxt & 0xffffffffL : 0)
        .flags(flags).window(advertise());
    if ((flags & RST) == 0) {
      sackBlocks(tcp);
    }
    host.link.sendTcp();
  }

  /**
   * Whether the rules now say DROP for this fake host (accepted connections only): it has vanished,
   * so everything it would send is lost — retransmissions back off and the connection is aborted
   * in silence unless the rules change back first.
   */
  private boolean silenced() {
    if (faults != null && faults.silent) {
      return true;
    }
    if (run != null) {
      return false;
    }
    Rules now = host.rules();
    if (now != rulesSeen) {
      rulesSeen = now;
      dropped = now.modeFor(peerAddress, peerPort) == Mode.DROP;
    }
    return dropped;
  }

  /** Adds the SACK option while out-of-order data is kept (the host then resends only the holes). */
  private void sackBlocks(TcpSegment.Builder tcp) {
    if (sack && reassembly != null) {
      reassembly.advance(rcvNxt);
      byte[] option = reassembly.sackOption(host.sackOptions);
      if (option != null) {
        tcp.options(option);
      }
    }
  }

  /** The window to advertise now; the right edge never moves left (RFC 9293 §3.8.6.2.2). */
  private int advertise() {
    int window = window();
    int offered = rcvAdv - rcvNxt;
    if (window < offered && state != SYN_SENT && (faults == null || !faults.stalled)) {
      window = Math.min(offered, 0xffff);
    }
    rcvAdv = rcvNxt + window;
    return window;
  }

  /** What the application can take now, as the 16-bit window field holds it. */
  private int window() {
    int window = opened ? Math.max(0, Math.min(0xffff, app.receiveWindow())) : 0xffff;
    return faults == null ? window : (int) Math.min(window, faults.room(received()));
  }

  /** In-order bytes received from the host so far (its SYN and FIN not counted). */
  long received() {
    return (rcvNxt - irs - 1) & 0xffffffffL;
  }

  // ---- faults ----------------------------------------------------------------------------------

  /**
   * Puts connection faults in force on this connection (null: none, and a stalled or silent
   * connection recovers); time-based ones count from now when the connection is already open.
   */
  void faults(ConnectionFaults next) {
    ConnectionFaults previous = faults;
    if (previous != null) {
      host.timers.cancel(previous);
      if (next != null) {
        next.takeOver(previous);
      }
    }
    faults = next;
    if (next != null) {
      next.connection = this;
      if (opened) {
        next.start = host.now();
        armFaults();
        faultsAfterBytes();
      }
    }
    if (previous != null && previous.holdsOwnFin() && (next == null || !next.holdsOwnFin()) && state != CLOSED) {
      output(); // the slow close is over: the FIN it held goes now
    }
  }

  private void armFaults() {
    long next = faults.nextDeadline();
    if (next == Long.MAX_VALUE) {
      host.timers.cancel(faults);
    } else {
      host.timers.arm(faults, next);
    }
  }

  /** A byte-count fault reached: reset, stall or go silent; true when the connection is now reset or silent. */
  private boolean faultsAfterBytes() {
    ConnectionFaults f = faults;
    long received = received();
    if (ConnectionFaults.reached(f.reset, received)) {
      resetByFault(f.reset);
      return true;
    }
    if (ConnectionFaults.reached(f.blackhole, received) && !f.silent) {
      goSilent(f.blackhole);
      return true;
    }
    if (ConnectionFaults.reached(f.stall, received) && !f.stalled) {
      f.stalled = true;
      host.faults.connectionFaultActed(f.stall, null, null, null, 0, 0);
    }
    return f.silent;
  }

  /** A deadline of this connection's faults passed: a time-based fault acts, or the delayed FIN is taken. */
  void faultDeadline(long now) {
    ConnectionFaults f = faults;
    if (state == CLOSED || f == null || f.silent) {
      return;
    }
    if (f.due(f.reset, now)) {
      resetByFault(f.reset);
      return;
    }
    if (f.due(f.blackhole, now)) {
      goSilent(f.blackhole);
      return;
    }
    if (f.due(f.stall, now) && !f.stalled) {
      f.stalled = true;
      host.faults.connectionFaultActed(f.stall, null, null, null, 0, 0);
      host.owe(this); // tells the host the window is now zero
    }
    if (f.finDue != -1 && !f.finReleased && now - f.finDue >= 0) {
      f.finReleased = true;
      if (state == ESTABLISHED || state == FIN_WAIT_1 || state == FIN_WAIT_2) {
        fin(rcvNxt);
        output();
      }
    }
    if (f.holdsOwnFin() && now - f.ownFinDue >= 0 && state != CLOSED) {
      f.ownFinDue = -1;
      output(); // the fake host's own FIN, after the data queued before it
    }
    if (state != CLOSED) {
      armFaults();
    }
  }

  /** What was taken is answered (echoed, acknowledged), then silence: no ACK, no RST, nothing. */
  private void goSilent(Fault fault) {
    output();
    sendAck();
    faults.silent = true;
    host.faults.connectionFaultActed(fault, null, null, null, 0, 0);
  }

  /** Acknowledges what was taken, then RST: the host's socket sees ECONNRESET. */
  private void resetByFault(Fault fault) {
    output();
    sendAck();
    host.counters.increment(Counters.RESETS_SENT);
    TcpSegment.Builder tcp = host.link.tcp().source(peerAddress).destination(hostAddress)
        .sourcePort(peerPort).destinationPort(hostPort)
        .sequenceNumber(sndMax & 0xffffffffL).acknowledgmentNumber(rcvNxt & 0xffffffffL)
        .flags(RST | ACK).window(0);
    ByteBuffer forged = ByteBuffer.allocate(60);
    int length = tcp.writeTo(forged, 0);
    // Counted and told before it is sent: whoever sees the RST arrive finds the action recorded.
    host.faults.connectionFaultActed(fault, FaultListener.Action.FORGED, Direction.FROM_PEER, forged, 0, length);
    host.link.sendTcp();
    terminate("reset by fault " + fault, false);
  }

  /** The fake host closes first: its FIN waits for the slow close, the data queued before it does not. */
  private void holdOwnFin() {
    faults.ownFinDue = host.now() + faults.slowClose.nanos;
    host.faults.connectionFaultActed(faults.slowClose, null, null, null, 0, 0);
    armFaults();
  }

  /** The host's FIN waits: the data before it is acknowledged now, the FIN itself after the delay. */
  private void slowClose() {
    host.owe(this);
    if (faults.finDue != -1) {
      return; // a retransmission of the FIN that waits
    }
    faults.finDue = host.now() + faults.slowClose.nanos;
    host.faults.connectionFaultActed(faults.slowClose, null, null, null, 0, 0);
    armFaults();
  }

  // ---- timers and the end ----------------------------------------------------------------------

  /** This connection's timer is due: retransmit, probe, or end. */
  @Override
  boolean finished() {
    return state == CLOSED;
  }

  @Override
  void timerExpired(long now) {
    if (state == SYN_SENT) {
      run.synTimerExpired(this, now); // connect-many: its run paces the SYNs
      return;
    }
    if (state == TIME_WAIT) {
      terminate(null, false);
      return;
    }
    if (state == SYN_RECEIVED) {
      if (++retries > MAX_SYN_ACK_RETRIES) {
        abort("no ACK for the SYN+ACK after " + MAX_SYN_ACK_RETRIES + " retransmissions");
        return;
      }
      rto = Math.min(MAX_RTO, rto * 2);
      host.counters.increment(Counters.RETRANSMISSIONS);
      sendSynAck();
      host.timers.arm(this, now + rto);
      return;
    }
    if (sndUna != sndMax) {
      if (++retries > MAX_RETRIES) {
        abort("no answer after " + MAX_RETRIES + " retransmissions");
        return;
      }
      rto = Math.min(MAX_RTO, rto * 2);
      sndNxt = sndUna; // go back: everything after SND.UNA is sent again as the window allows
      recovering = false;
      dupAcks = 0;
      if (scoreboard != null) {
        scoreboard.clear(); // RFC 2018: the host may have dropped what it SACKed; trust only new blocks
      }
      rttTiming = false;
      output();
      if (sndNxt == sndUna) {
        sendControl(ACK, sndUna - 1); // the window is closed: probe it
      }
      host.timers.arm(this, now + rto);
    } else if (persisting) {
      if (++retries > MAX_RETRIES) {
        abort("no answer to " + MAX_RETRIES + " zero-window probes");
        return;
      }
      sendControl(ACK, sndUna - 1); // an old sequence number: the host answers with its window
      persistInterval = Math.min(MAX_RTO, persistInterval * 2);
      host.timers.arm(this, now + persistInterval);
    }
  }

  private void abort(String reason) {
    host.counters.increment(Counters.ABORTED);
    if (state != SYN_RECEIVED && !silenced()) {
      host.counters.increment(Counters.RESETS_SENT);
      sendControl(RST | ACK, sndMax);
    }
    terminate(reason, false);
  }

  /** Gone: out of the table, the application told (later if it called us). */
  void terminate(String reason, boolean deferReport) {
    if (state == CLOSED) {
      return;
    }
    state(CLOSED);
    host.timers.cancel(this);
    host.remove(this);
    if (deferReport) {
      host.reportLater(this, reason);
    } else {
      report(reason);
    }
    host.recycle(this);
  }

  /** Tells the application, once, that the connection is gone. */
  void report(String reason) {
    if (opened && !closedReported) {
      closedReported = true;
      app.closed(reason);
    }
  }

  void state(int next) {
    if (state == next) {
      return;
    }
    int before = counterFor(state);
    if (before >= 0) {
      host.counters.add(before, -1);
    }
    int after = counterFor(next);
    if (after >= 0) {
      host.counters.increment(after);
    }
    state = next;
  }

  private static int counterFor(int state) {
    switch (state) {
      case SYN_RECEIVED: return Counters.SYN_RECEIVED;
      case SYN_SENT: return Counters.SYN_SENT;
      case ESTABLISHED: return Counters.ESTABLISHED;
      case FIN_WAIT_1:
      case FIN_WAIT_2:
      case CLOSE_WAIT:
      case CLOSING:
      case LAST_ACK:
        return Counters.CLOSING;
      default: return -1;
    }
  }

  /** Test access: the retransmission timeout now, in nanoseconds. */
  long rto() {
    return rto;
  }

  @Override
  public String toString() {
    return ConnectionTable.format(hostAddress, hostPort) + " <-> " + ConnectionTable.format(peerAddress, peerPort)
        + " " + STATES[state];
  }
}
