package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;

/**
 * The opening of a {@link TcpEndpoint}, up to ESTABLISHED: LISTEN's accepted SYN to SYN-RECEIVED
 * (our SYN+ACK, sent again on its timer and for the host's SYN again), our own SYN to SYN-SENT
 * (connect-many paces it), the options each side offers, and the handshake's round trip as the
 * first RTT sample. Works on the endpoint's state; holds none of its own. Peer thread only.
 */
final class Handshake {
  static final int MAX_SYN_ACK_RETRIES = 5;

  private Handshake() {
  }

  /**
   * Passive open: the host's SYN {@code syn} accepted for {@code app}; the endpoint takes its options
   * (SACK, window scale and timestamps when the host offers them), sends the SYN+ACK and waits in
   * SYN-RECEIVED. Data in the SYN is not taken: no Fast Open cookie is ever issued, so none is valid,
   * and RFC 7413 §4.2.2 says to acknowledge only the SYN; the host sends the data again.
   */
  static void listen(TcpEndpoint e, TcpSegment syn, Application app, int iss, FaultPolicy faults) {
    e.app = app;
    e.synchronizeReceiving((int) syn.sequenceNumber());
    e.sackPermitted = syn.options().sackPermitted();
    e.beginSending(iss);
    options(e, syn);
    int scale = syn.options().windowScale();
    e.scaleWindow(scale >= 0);
    e.sndShift = Math.max(0, Math.min(14, scale)); // RFC 7323 §2.3: a shift over 14 counts as 14
    e.negotiateTimestamps(syn.options(), iss); // the ISS, random, as the clock's offset
    e.sndWnd = syn.window(); // never scaled in a SYN
    e.maxSndWnd = e.sndWnd;
    e.faults(faults);
    e.state(TcpState.SYN_RECEIVED);
    sendSynAck(e);
    e.arm(TimerKind.HANDSHAKE, e.context().now() + e.rtt.rto());
  }

  /** Active open: sends our SYN and waits in SYN-SENT, its timer armed for {@code retryAt}. */
  static void connect(TcpEndpoint e, ActiveOpen opener, Application app, int iss, FaultPolicy faults, long retryAt) {
    e.opener = opener;
    e.app = app;
    e.beginSending(iss);
    e.faults(faults);
    e.state(TcpState.SYN_SENT);
    sendSyn(e, retryAt);
  }

  /** Sends (or resends) our SYN and arms its timer for {@code retryAt}. */
  static void sendSyn(TcpEndpoint e, long retryAt) {
    if (e.synAt == 0) {
      e.synAt = e.context().now();
    } else {
      e.retries++; // no RTT sample from a handshake whose SYN went twice
    }
    Headers.of(e, SYN, e.iss, 0xffff);
    e.context().emit();
    e.arm(TimerKind.HANDSHAKE, retryAt);
  }

  /** The host's MSS in its SYN or SYN+ACK (our own SYN offers neither window scaling nor timestamps). */
  private static void options(TcpEndpoint e, TcpSegment s) {
    if (s.options().mss() > 0) {
      e.hostMss = s.options().mss();
    }
  }

  /** SYN-RECEIVED: the host's SYN again (our SYN+ACK was lost); the RTT sample is taken from the next SYN+ACK. */
  static void synAgain(TcpEndpoint e) {
    e.synAt = 0;
    sendSynAck(e);
  }

  private static void sendSynAck(TcpEndpoint e) {
    if (e.synAt == 0) {
      e.synAt = e.context().now();
    }
    if (e.silenced()) {
      return;
    }
    Headers.of(e, SYN | ACK, e.iss, e.advertiseSyn());
    e.context().emit();
  }

  /** SYN-RECEIVED: our SYN+ACK went unanswered; false when it is time to give up. */
  static boolean synAckTimeout(TcpEndpoint e, long now) {
    if (++e.retries > MAX_SYN_ACK_RETRIES) {
      return false;
    }
    e.rtt.backOff();
    e.context().count(Counters.RETRANSMISSIONS, 1);
    sendSynAck(e);
    e.arm(TimerKind.HANDSHAKE, now + e.rtt.rto());
    return true;
  }

  /** SYN-RECEIVED: an acceptable ACK of {@code s}; false when it does not acknowledge our SYN+ACK (answered with RST). */
  static boolean synAcked(TcpEndpoint e, TcpSegment s) {
    if ((int) s.acknowledgmentNumber() != e.sndMax) {
      e.context().count(Counters.RESETS_SENT, 1);
      Headers.resetFor(e.context().segment(), s);
      e.context().emit();
      return false;
    }
    e.synchronizeSending((int) s.sequenceNumber(), s.window() << e.sndShift);
    established(e);
    return true;
  }

  /** SYN-SENT: the host's answer to our SYN. */
  static void synSent(TcpEndpoint e, TcpSegment s) {
    boolean ackOfSyn = s.ack() && (int) s.acknowledgmentNumber() == e.iss + 1;
    if (s.rst()) {
      if (ackOfSyn) { // RFC 5961 §3: in SYN-SENT only a RST that acknowledges our SYN counts
        e.opener.refused(e);
        e.terminate(null, false);
      }
      return;
    }
    if (s.ack() && !ackOfSyn) {
      // RFC 9293 §3.10.7.3: e.g. a TIME-WAIT socket on the same 4-tuple answering our SYN with its
      // old ACK. The RST clears it, and our next SYN gets through.
      e.context().count(Counters.RESETS_SENT, 1);
      Headers.resetFor(e.context().segment(), s);
      e.context().emit();
      return;
    }
    if (!s.syn() || !s.ack()) {
      return;
    }
    options(e, s);
    e.synchronizeReceiving((int) s.sequenceNumber());
    e.synchronizeSending((int) s.sequenceNumber(), s.window());
    established(e);
    if (e.state() != TcpState.CLOSED) { // a reset-after=0 fault has already answered, with its RST
      e.sendAck();
    }
    e.opener.established(e);
  }

  /** Both SYNs acknowledged: the application hears of the connection; faults start counting. */
  private static void established(TcpEndpoint e) {
    e.state(TcpState.ESTABLISHED);
    if (e.retries == 0) {
      e.rtt.sample(Math.max(1, e.context().now() - e.synAt)); // the first RTT sample (RFC 6298 2.2)
    } else {
      e.rtt.restart(); // Karn: a SYN or SYN+ACK went twice, no sample; the backoff ends
    }
    e.retries = 0;
    e.disarm();
    e.opened = true;
    e.app.opened(e);
    if (e.faults() != null) {
      e.faults().opened(e.context().now());
    }
  }
}
