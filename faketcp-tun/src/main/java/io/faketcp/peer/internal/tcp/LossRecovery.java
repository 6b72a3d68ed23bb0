package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;

/**
 * The loss-recovery decisions of one endpoint's sending half ({@link TcpSender}, which sends what
 * they choose): duplicate ACKs, the host's SACK blocks, which holes go again and when, and the loss
 * window after a timeout.
 *
 * <p>With a host that offered SACK, its SACK blocks fill a {@link SackScoreboard}, and an ACK that
 * SACKs something new counts as a duplicate even when it carries data or a new window (RFC 6675; in a
 * full-duplex stream the host's ACKs ride on its data, which RFC 5681 never counts). Recovery begins
 * at the third duplicate ACK or as soon as three segments' worth are SACKed above SND.UNA (IsLost);
 * then every hole below SACKed data that IsLost is retransmitted, lowest first, once (HighRxt: not
 * again in a later recovery either, unless the host SACKs data sent after the resend,
 * {@link ResentHoles}, or the timer expires), never the SACKed bytes; a partial ACK also resends the
 * hole it stops at if that was not resent yet and the host holds data above it (NewReno). Without
 * SACK it is plain NewReno: three pure duplicate ACKs, then one segment per partial ACK. A timeout
 * goes back to SND.UNA with a {@link LossWindow} of one segment, which slow start opens, skipping what
 * the host SACKed before or after it; an ACK that stops at SACKed data (the host reneged) clears the
 * scoreboard. Peer thread only.
 */
final class LossRecovery {
  private final TcpSender sender;
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

  LossRecovery(TcpSender sender) {
    this.sender = sender;
  }

  /** As new, SND.UNA at {@code sndUna}: nothing resent, nothing SACKed. */
  void reset(int sndUna) {
    dupAcks = 0;
    recovering = false;
    recover = 0;
    scoreboard = null;
    highRxt = sndUna; // nothing resent yet; never behind SND.UNA
    lossWindow.close();
    resentHoles.clear();
  }

  /** SND.UNA moved past our SYN to {@code sndUna}. */
  void synchronize(int sndUna) {
    highRxt = sndUna;
  }

  // ---- what goes, after a timeout ---------------------------------------------------------------

  /** Whether the loss window paces the sender (after a timeout, until the host acknowledges what was in flight). */
  boolean paced() {
    return lossWindow.isOpen();
  }

  /** Whether {@code length} more bytes may go with {@code pipe} in flight, while {@link #paced()}. */
  boolean allows(int pipe, int length) {
    return lossWindow.allows(pipe, length);
  }

  /** RFC 6675's pipe after a timeout: what was sent since, from SND.UNA to SND.NXT, less what the host SACKed. */
  int pipe() {
    return sender.sndNxt - sender.sndUna - sackedBelow(sender.sndNxt);
  }

  /** Where sending from {@code seq} goes on: going back after a timeout, past what the host SACKed since. */
  int skipSacked(int seq) {
    if (scoreboard == null || !Seq.before(seq, sender.sndMax) || scoreboard.isEmpty()) {
      return seq;
    }
    return scoreboard.skip(seq);
  }

  /** {@code length}, or less: no segment from {@code seq} into what the host SACKed. */
  int unsacked(int seq, int length) {
    return scoreboard == null ? length : Math.min(length, scoreboard.unsackedFrom(seq));
  }

  /** The hole at {@code seq} went again, {@code sent} of sequence space: HighRxt moves past it. */
  void resent(int seq, int sent) {
    resentHoles.resent(seq, sender.sndMax);
    if (Seq.before(highRxt, seq + sent)) {
      highRxt = seq + sent;
    }
  }

  // ---- acknowledgments -------------------------------------------------------------------------

  /** The SACK blocks of an ACK of {@code ack}; returns whether they SACK something new. */
  boolean sackBlocks(TcpSegment s, int ack) {
    if (scoreboard == null) {
      scoreboard = new SackScoreboard();
    }
    return scoreboard.update(s.options(), ack, sender.sndMax);
  }

  /**
   * An ACK of SND.UNA with data outstanding: counted when it is a duplicate, one that SACKs something
   * new (RFC 6675: even when it carries data or changes the window), or, without a SACK option, RFC
   * 5681's pure duplicate. A SACK option with nothing new (a D-SACK report of a segment received
   * twice) is not one.
   */
  void sameAck(TcpSegment s, boolean sackOption, boolean sackNews) {
    boolean duplicate = sackOption ? sackNews
        : s.payloadLength() == 0 && !s.fin() && s.window() << sender.sndShift == sender.sndWnd;
    if (duplicate) {
      dupAcks++;
    }
  }

  /**
   * SND.UNA moved to {@code ack} by {@code acked} bytes: the holes and SACK blocks below it are
   * forgotten, the loss window grows or closes, and a partial ACK inside a recovery resends.
   */
  void advanced(int ack, int acked) {
    if (Seq.before(highRxt, ack)) {
      highRxt = ack; // never far behind: it is compared modulo 2^32
    }
    resentHoles.acknowledged(ack);
    dupAcks = 0;
    if (scoreboard != null) {
      scoreboard.advance(ack);
      if (scoreboard.sacked(ack)) {
        reneged();
      }
    }
    if (lossWindow.isOpen()) {
      if (Seq.before(ack, recover)) {
        lossWindow.acknowledged(acked, sender.segmentSize());
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
  }

  /** After an acceptable ACK with data still outstanding: a recovery begins, or goes on with what the SACKs show lost. */
  void afterAck(boolean sackNews) {
    if (lossWindow.isOpen()) {
      return; // RFC 6675 §5.1: no fast recovery inside a timeout's
    }
    int sndUna = sender.sndUna;
    if (Seq.before(sndUna, highRxt) && scoreboard != null && !scoreboard.isEmpty()
        && resentHoles.lostAgain(sndUna, scoreboard.highest())) {
      sender.retransmitHole(sndUna); // its resend was lost too: the host holds data sent after it
    }
    if (!recovering && (dupAcks == SackScoreboard.DUP_THRESH || lostAtUna())) {
      enterRecovery();
    } else if (recovering && sackNews) {
      retransmitLost();
    }
  }

  /**
   * The retransmission timer expired: the loss window starts at one segment (RFC 5681 §3.1) and
   * paces everything from SND.UNA again; SACKed data is kept (as Linux does) unless an ACK shows the
   * host reneged. Until the host acknowledges all that was sent before the timeout no fast recovery
   * starts (RFC 6675 §5.1).
   */
  void timeout() {
    int sndUna = sender.sndUna;
    int sndMax = sender.sndMax;
    lossWindow.timeout(sndMax - sndUna - sackedBelow(sndMax), sender.segmentSize());
    recover = sndMax;
    highRxt = sndUna;
    resentHoles.clear();
    recovering = false;
    dupAcks = 0;
  }

  private int sackedBelow(int seq) {
    return scoreboard == null ? 0 : scoreboard.sackedBelow(seq);
  }

  /** RFC 6675's IsLost for the first unacknowledged byte: enough SACKed above it. */
  private boolean lostAtUna() {
    return scoreboard != null && !scoreboard.isEmpty() && scoreboard.isLost(sender.sndUna, sender.segmentSize());
  }

  /**
   * The host's cumulative ACK stops at a byte it had SACKed: it dropped what it held above the hole
   * (reneged, RFC 2018). Its SACK blocks are forgotten; after a timeout, everything from SND.UNA goes
   * again, paced by the loss window.
   */
  private void reneged() {
    scoreboard.clear();
    if (lossWindow.isOpen()) {
      sender.sndNxt = sender.sndUna;
    }
  }

  /**
   * Fast retransmit: the first hole at once, then every other hole the SACK blocks show lost. A hole
   * an earlier recovery resent (below HighRxt) is not sent again: that resend may still be on its way,
   * and only the timer tells it was lost too.
   */
  private void enterRecovery() {
    recovering = true;
    recover = sender.sndMax;
    if (!Seq.before(sender.sndUna, highRxt)) {
      sender.retransmitHole(sender.sndUna);
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
    if (scoreboard == null || !Seq.before(sender.sndUna, highRxt) && !scoreboard.isEmpty()) {
      sender.retransmitHole(sender.sndUna);
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
    int segmentSize = sender.segmentSize();
    int seq = Seq.before(highRxt, sender.sndUna) ? sender.sndUna : highRxt;
    while (!scoreboard.isEmpty()) {
      seq = scoreboard.skip(seq);
      if (!Seq.before(seq, scoreboard.highest()) || !scoreboard.isLost(seq, segmentSize)) {
        return;
      }
      int sent = sender.retransmitHole(seq);
      if (sent == 0) {
        return;
      }
      seq += sent;
    }
  }
}
