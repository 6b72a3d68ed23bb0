package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The receiving half of one endpoint: RCV.NXT and the window we advertise, the acceptability test,
 * the host's in-order data passed to the application, and out-of-order data kept in a
 * {@link Reassembly} queue (with SACK blocks if the host offered SACK) until the hole is filled,
 * and the host's timestamps ({@link Timestamps}). Window advertisement is decided in
 * {@link #advertise()} and {@link #window()} with the {@link ReceiveWindow}'s growth, scale and
 * silly-window avoidance. Peer thread only.
 */
final class TcpReceiver {
  private final TcpEndpoint endpoint;
  /** The host's initial sequence number (its SYN's). */
  int irs;
  int rcvNxt;
  /** The right edge of the window we advertised last (never moved left but by a stall). */
  private int rcvAdv;
  /** The host offered SACK in its SYN: our ACKs list the out-of-order ranges we keep. */
  boolean sackPermitted;
  private Reassembly reassembly;
  /** How far the window may open, its scale and when it moves. */
  final ReceiveWindow limits = new ReceiveWindow();
  /** RFC 7323 timestamps, when the host's SYN offered them. */
  final Timestamps timestamps = new Timestamps();

  TcpReceiver(TcpEndpoint endpoint) {
    this.endpoint = endpoint;
    begin();
  }

  /** As new: nothing received. */
  void begin() {
    irs = 0;
    rcvNxt = 0;
    rcvAdv = 0;
    sackPermitted = false;
    reassembly = null;
    limits.clear();
    timestamps.clear();
  }

  boolean hasReassembly() {
    return reassembly != null;
  }

  /** The host's SYN at {@code irs}; nothing offered yet. */
  void synchronize(int irs) {
    this.irs = irs;
    rcvNxt = irs + 1;
    rcvAdv = rcvNxt; // nothing offered yet: our SYN+ACK's window is the first offer
  }

  /** In-order bytes received from the host so far (its SYN and FIN not counted). */
  long received() {
    return (rcvNxt - irs - 1) & 0xffffffffL;
  }

  /** What is left of the window we offered last. */
  int offered() {
    return Math.max(0, rcvAdv - rcvNxt);
  }

  /** RFC 9293 §3.10.7.4's acceptability test for a segment at {@code seq} of {@code length} bytes and {@code space} sequence space. */
  boolean acceptable(int seq, int length, int space) {
    int window = offered();
    return space == 0 || (window == 0 && length == 0)
        ? seq == rcvNxt || window > 0 && Seq.inWindow(seq, rcvNxt, window)
        : window > 0 && (Seq.inWindow(seq, rcvNxt, window) || Seq.inWindow(seq + space - 1, rcvNxt, window));
  }

  /**
   * The window field to send now: as the {@link ReceiveWindow} offers it (grown with use, no silly
   * windows, the right edge never moved left but by the scale's truncation or a stall), and a
   * byte-count fault's edge exactly.
   */
  int advertise() {
    int window = applicationWindow();
    FaultPolicy faults = endpoint.faults();
    if (endpoint.state() != TcpState.SYN_SENT && (faults == null || !faults.shrinks())) {
      window = limits.offer(offered(), window, endpoint.context().mss());
    }
    if (faults != null) {
      int room = faults.window(window, received());
      if (room < window) {
        window = limits.roundUp(room);
      }
    }
    rcvAdv = rcvNxt + window;
    return limits.field(window);
  }

  /** The window of our SYN+ACK, never scaled (RFC 7323 §2.2). */
  int advertiseSyn() {
    int window = Math.min(0xffff, window());
    rcvAdv = rcvNxt + window;
    return window;
  }

  /** What the application can take now, within what the window may offer and the faults let in. */
  int window() {
    int window = applicationWindow();
    FaultPolicy faults = endpoint.faults();
    return faults == null ? window : faults.window(window, received());
  }

  private int applicationWindow() {
    return limits.available(endpoint.isOpen() ? endpoint.app().receiveWindow() : 0xffff);
  }

  /** Whether the application's window grew enough since we advertised it to tell the host now (no silly windows). */
  boolean windowOpened() {
    return limits.opens(offered(), window(), endpoint.context().mss());
  }

  /**
   * The host's data at {@code seq} (state permitting): in-order bytes go to the application, as many
   * as it and the faults take; others are kept for later. False when the rest of the segment (a FIN)
   * must be ignored.
   */
  boolean data(TcpSegment s, int seq, int length) {
    // RFC 5681 §4.2: what the application sends meanwhile goes out once everything now in order (a
    // filled hole included) is counted, so that its ACK covers it all, not the filling segment alone.
    endpoint.send.hold();
    try {
      return deliver(s, seq, length);
    } finally {
      endpoint.send.release();
    }
  }

  private boolean deliver(TcpSegment s, int seq, int length) {
    Application app = endpoint.app();
    if (!app.acknowledgesData()) {
      return true; // ACCEPT: never acknowledged
    }
    int skip = rcvNxt - seq;
    if (skip < 0) {
      // After a gap: kept (within the window we offered) until the hole is filled, and a duplicate
      // ACK now, so that three of them trigger the host's fast retransmit.
      int keep = Math.min(length, Math.min(rcvAdv, rcvNxt + Reassembly.SIZE) - seq);
      if (keep > 0) {
        if (reassembly == null) {
          reassembly = new Reassembly();
        }
        if (reassembly.add(s.ip().buffer(), s.payloadOffset(), keep, seq) && s.fin() && keep == length) {
          reassembly.fin(seq + length);
        }
      }
      endpoint.sendAck();
      return false;
    }
    int fresh = length - skip;
    int taken = Math.min(fresh, take());
    if (taken > 0) {
      rcvNxt += taken;
      limits.taken(taken);
      endpoint.context().ackLater(endpoint);
      app.received(endpoint.context().view(s, s.payloadOffset() + skip, taken));
      if (endpoint.faultsAfterBytes()) {
        return false;
      }
    }
    if (taken < fresh) {
      endpoint.sendAck(); // more than the application could take: the host sends the rest again
      return false;
    }
    if (reassembly != null && !reassembly.isEmpty()) {
      reassembled();
      return !endpoint.faultsAfterBytes();
    }
    return true;
  }

  /** How many bytes may be passed on now: what the application takes, and no byte past a byte-count fault. */
  private int take() {
    int window = window();
    FaultPolicy faults = endpoint.faults();
    return faults == null ? window : (int) Math.min(window, faults.room(received()));
  }

  /** Passes on what the reassembly queue holds from RCV.NXT on, as far as the application takes it. */
  private void reassembled() {
    reassembly.advance(rcvNxt);
    int n;
    while ((n = reassembly.contiguous(rcvNxt)) > 0) {
      int room = take();
      if (room <= 0) {
        break;
      }
      ByteBuffer data = reassembly.view(rcvNxt, Math.min(n, room));
      rcvNxt += data.remaining();
      limits.taken(data.remaining());
      endpoint.app().received(data);
      reassembly.advance(rcvNxt);
    }
    endpoint.context().ackLater(endpoint);
  }

  /** Whether a FIN kept after a gap is next now that the gap is filled. */
  boolean finAfterGap() {
    return reassembly != null && reassembly.finAt(rcvNxt);
  }

  /** The SACK option for our next ACK while out-of-order data is kept (the host then resends only the holes), else null. */
  byte[] sackOption() {
    if (!sackPermitted || reassembly == null) {
      return null;
    }
    reassembly.advance(rcvNxt);
    return reassembly.sackOption(endpoint.context().sackOptions());
  }
}
