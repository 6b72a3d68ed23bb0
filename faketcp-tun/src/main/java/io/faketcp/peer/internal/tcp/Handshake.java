package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import java.nio.ByteBuffer;

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
   * (and Fast Open data if {@code app} takes data), sends the SYN+ACK and waits in SYN-RECEIVED.
   */
  static void listen(TcpEndpoint e, TcpSegment syn, Application app, int iss, FaultPolicy faults) {
    e.app = app;
    byte[] data = null;
    int length = syn.payloadLength();
    if (length > 0 && app.acknowledgesData()) {
      // TCP Fast Open: data in the SYN, acknowledged by the SYN+ACK and passed on once the connection is open.
      data = new byte[length];
      syn.ip().buffer().get(syn.payloadOffset(), data);
    }
    e.synchronizeReceiving((int) syn.sequenceNumber(), data);
    e.sackPermitted = syn.options().sackPermitted();
    e.beginSending(iss);
    options(e, syn);
    e.sndWnd = syn.window(); // never scaled in a SYN
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

  /** The host's options in its SYN or SYN+ACK (no window scaling, on purpose: see {@link TcpHost}). */
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
    Headers.of(e, SYN | ACK, e.iss, e.advertise());
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
    e.synchronizeSending((int) s.sequenceNumber(), s.window());
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
    e.synchronizeReceiving((int) s.sequenceNumber(), null);
    e.synchronizeSending((int) s.sequenceNumber(), s.window());
    established(e);
    if (e.state() != TcpState.CLOSED) { // a reset-after=0 fault has already answered, with its RST
      e.sendAck();
    }
    e.opener.established(e);
  }

  /** Both SYNs acknowledged: the application hears of the connection, then any Fast Open data; faults start counting. */
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
    byte[] data = e.synData;
    if (data != null) {
      e.synData = null;
      e.app.received(ByteBuffer.wrap(data));
    }
    if (e.faults() != null) {
      e.faults().opened(e.context().now());
    }
  }
}
