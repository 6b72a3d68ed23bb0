package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Timers;
import java.nio.ByteBuffer;

/**
 * The receiving half of one endpoint: RCV.NXT and the window we advertise, the acceptability test,
 * the host's in-order data passed to the application, and out-of-order data kept in a
 * {@link Reassembly} queue (with SACK blocks if the host offered SACK) until the hole is filled.
 * Window advertisement is decided in {@link #advertise()} and {@link #window()}. The endpoint's state
 * lives in one object: this is its lowest layer, {@link TcpSender} the next, {@link TcpEndpoint} the
 * machine on top (a connection allocates one object, as the hot path wants). Peer thread only.
 */
abstract class TcpReceiver extends Timers.Entry {
  final EndpointContext context;
  /** The host's initial sequence number (its SYN's). */
  int irs;
  int rcvNxt;
  /** The right edge of the window we advertised last (never moved left but by a stall). */
  private int rcvAdv;
  /** The host offered SACK in its SYN: our ACKs list the out-of-order ranges we keep. */
  boolean sackPermitted;
  private Reassembly reassembly;
  /** TCP Fast Open: data the host sent in its SYN, passed to the application once it is open. */
  byte[] synData;

  TcpReceiver(EndpointContext context) {
    this.context = context;
  }

  /** As new: nothing received. */
  void beginReceiving() {
    irs = 0;
    rcvNxt = 0;
    rcvAdv = 0;
    sackPermitted = false;
    reassembly = null;
    synData = null;
  }

  boolean hasReassembly() {
    return reassembly != null;
  }

  /** The host's SYN at {@code irs}, with {@code data} (Fast Open) taken or null; nothing offered yet. */
  void synchronizeReceiving(int irs, byte[] data) {
    this.irs = irs;
    rcvNxt = irs + 1 + (data == null ? 0 : data.length);
    rcvAdv = rcvNxt; // nothing offered yet: our SYN+ACK's window is the first offer
    synData = data;
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

  /** The window to advertise now; the right edge never moves left but by a stall (RFC 9293 §3.8.6.2.2). */
  int advertise() {
    int window = window();
    int offered = rcvAdv - rcvNxt;
    FaultPolicy faults = faults();
    if (window < offered && state() != TcpState.SYN_SENT && (faults == null || !faults.shrinks())) {
      window = Math.min(offered, 0xffff);
    }
    rcvAdv = rcvNxt + window;
    return window;
  }

  /** What the application can take now, as the 16-bit window field holds it. */
  int window() {
    int window = isOpen() ? Math.max(0, Math.min(0xffff, app().receiveWindow())) : 0xffff;
    FaultPolicy faults = faults();
    return faults == null ? window : faults.window(window, received());
  }

  /** Whether the application's window grew enough since we advertised it to tell the host now. */
  boolean windowOpened() {
    int advertised = rcvAdv - rcvNxt;
    int now = window();
    return now - advertised >= context.mss() || (advertised <= 0 && now > 0);
  }

  /**
   * The host's data at {@code seq} (state permitting): in-order bytes go to the application, as many
   * as it and the faults take; others are kept for later. False when the rest of the segment (a FIN)
   * must be ignored.
   */
  boolean data(TcpSegment s, int seq, int length) {
    Application app = app();
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
    int taken = Math.min(fresh, take());
    if (taken > 0) {
      rcvNxt += taken;
      ackLater();
      app.received(context.view(s, s.payloadOffset() + skip, taken));
      if (faultsAfterBytes()) {
        return false;
      }
    }
    if (taken < fresh) {
      sendAck(); // more than the application could take: the host sends the rest again
      return false;
    }
    if (reassembly != null && !reassembly.isEmpty()) {
      reassembled();
      return !faultsAfterBytes();
    }
    return true;
  }

  /** How many bytes may be passed on now: what the application takes, and no byte past a byte-count fault. */
  private int take() {
    int window = window();
    FaultPolicy faults = faults();
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
      app().received(data);
      reassembly.advance(rcvNxt);
    }
    ackLater();
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
    return reassembly.sackOption(context.sackOptions());
  }

  // ---- what the endpoint provides ----------------------------------------------------------------

  EndpointContext context() {
    return context;
  }

  abstract TcpState state();

  /** Whether the handshake completed (the application was told). */
  abstract boolean isOpen();

  abstract Application app();

  /** Connection faults, null when none applies. */
  abstract FaultPolicy faults();

  /** An ACK of everything received so far, now. */
  abstract void sendAck();

  /** An ACK owed, sent at the end of the batch unless a segment carries it first. */
  abstract void ackLater();

  /** A byte-count fault may be reached: true when the connection is now reset or silent. */
  abstract boolean faultsAfterBytes();

  abstract int hostAddress();

  abstract int hostPort();

  abstract int peerAddress();

  abstract int peerPort();
}
