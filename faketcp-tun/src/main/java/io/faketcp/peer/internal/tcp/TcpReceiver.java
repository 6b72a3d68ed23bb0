package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The receiving half of one endpoint: RCV.NXT and the window we advertise, the acceptability test,
 * the host's in-order data passed to the application, and out-of-order data kept in a
 * {@link Reassembly} queue (with SACK blocks if the host offered SACK) until the hole is filled.
 * Window advertisement is decided in {@link #advertise()} and {@link #window()}, with the growth,
 * scale and silly-window avoidance of the {@link ReceiveWindow} layer below. The endpoint's state
 * lives in one object: {@link ReceiveWindow} and {@link Timestamps} are its lowest layers, this the
 * next, {@link TcpSender} above it, {@link TcpEndpoint} the machine on top (a connection allocates one
 * object, as the hot path wants). Peer thread only.
 */
abstract class TcpReceiver extends Timestamps {
  final EndpointContext context;
  /** The host's initial sequence number (its SYN's). */
  int irs;
  int rcvNxt;
  /** The right edge of the window we advertised last (never moved left but by a stall). */
  private int rcvAdv;
  /** The host offered SACK in its SYN: our ACKs list the out-of-order ranges we keep. */
  boolean sackPermitted;
  private Reassembly reassembly;
  /**
   * While the application takes a segment's whole payload: the view it was given and the payload's
   * sum, which the verified checksum gives without summing the bytes ({@link #payloadSum}).
   */
  ByteBuffer deliveredView;
  int deliveredFrom;
  int deliveredTo;
  int deliveredSum;

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
    clearWindow();
    clearTimestamps();
  }

  boolean hasReassembly() {
    return reassembly != null;
  }

  /** The host's SYN at {@code irs}; nothing offered yet. */
  void synchronizeReceiving(int irs) {
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
    FaultPolicy faults = faults();
    if (state() != TcpState.SYN_SENT && (faults == null || !faults.shrinks())) {
      window = offerWindow(offered(), window, context.mss());
    }
    if (faults != null) {
      int room = faults.window(window, received());
      if (room < window) {
        window = roundUpWindow(room);
      }
    }
    int edge = rcvNxt + window;
    // The offer kept but cut to the scale lies up to 2^shift - 1 bytes short of the edge promised:
    // that edge stands, or the cuts would add up and the edge move back by more every segment.
    if (faults != null || !Seq.before(edge, rcvAdv)) {
      rcvAdv = edge;
    }
    return windowField(window);
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
    FaultPolicy faults = faults();
    return faults == null ? window : faults.window(window, received());
  }

  private int applicationWindow() {
    return windowAvailable(isOpen() ? app().receiveWindow() : 0xffff);
  }

  /** Whether the application's window grew enough since we advertised it to tell the host now (no silly windows). */
  boolean windowOpened() {
    return windowOpens(offered(), window(), context.mss());
  }

  /**
   * The host's data at {@code seq} (state permitting): in-order bytes go to the application, as many
   * as it and the faults take; others are kept for later. False when the rest of the segment (a FIN)
   * must be ignored.
   */
  boolean data(TcpSegment s, int seq, int length) {
    // RFC 5681 §4.2: what the application sends meanwhile goes out once everything now in order (a
    // filled hole included) is counted, so that its ACK covers it all, not the filling segment alone.
    holdOutput();
    try {
      return deliver(s, seq, length);
    } finally {
      releaseOutput();
    }
  }

  private boolean deliver(TcpSegment s, int seq, int length) {
    Application app = app();
    if (!app.acknowledgesData()) {
      return true; // ACCEPT: never acknowledged
    }
    int skip = rcvNxt - seq;
    if (skip < 0) {
      // After a gap: kept, as far as the window we offered reaches, until the hole is filled, and a
      // duplicate ACK now, so that three of them trigger the host's fast retransmit.
      // Distances from seq, not sequence numbers, are compared: Math.min of two sequence numbers
      // picks the later one when only it has passed 2^31.
      int keep = Math.min(length, rcvAdv - seq);
      if (keep > 0) {
        if (reassembly == null) {
          reassembly = new Reassembly();
        }
        if (reassembly.add(s.ip().buffer(), s.payloadOffset(), keep, seq, rcvNxt, offered())
            && s.fin() && keep == length) {
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
      windowTaken(taken);
      ackLater();
      ByteBuffer view = context.view(s, s.payloadOffset() + skip, taken);
      if (taken == length && context.checksumVerified()) {
        deliveredView = view; // the application may queue it whole: its sum is known (echo)
        deliveredFrom = view.position();
        deliveredTo = view.limit();
        deliveredSum = payloadSum(s, length);
      }
      try {
        app.received(view);
      } finally {
        deliveredView = null;
      }
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

  /**
   * The folded sum of the {@code length} payload bytes of {@code s}, whose checksum was verified: the
   * whole segment with its pseudo-header sums to 0xffff (negative zero), so the payload sums to the
   * one's complement negative of the rest, the header and the pseudo-header.
   */
  private static int payloadSum(TcpSegment s, int length) {
    int source = s.ip().sourceInt();
    int destination = s.ip().destinationInt();
    int header = s.payloadOffset() - s.ip().payloadOffset();
    long rest = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
        + io.faketcp.packet.IpProtocol.TCP + header + length
        + (~io.faketcp.packet.Checksum.compute(s.ip().buffer(), s.ip().payloadOffset(), header) & 0xffff);
    return ~SendBuffer.fold(rest) & 0xffff;
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
      windowTaken(data.remaining());
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

  /**
   * The bytes the SACK option will add to our next segment (0 when it carries none): a segment's
   * payload is that much shorter, as Linux's are (tcp_current_mss), so that no packet exceeds the
   * MTU (at MTU 65,535 it could not even be built).
   */
  int sackOptionLength() {
    if (!sackPermitted || reassembly == null) {
      return 0;
    }
    reassembly.advance(rcvNxt);
    int blocks = Math.min(reassembly.rangeCount(), timestampsOn() ? 3 : 4);
    return blocks == 0 ? 0 : 4 + 8 * blocks;
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

  /** The host's data is being delivered: what the application sends meanwhile waits for {@link #releaseOutput}. */
  abstract void holdOutput();

  /** Delivery done: what the application sent goes out now. */
  abstract void releaseOutput();

  /** An ACK owed, sent at the end of the batch unless a segment carries it first. */
  abstract void ackLater();

  /** A byte-count fault may be reached: true when the connection is now reset or silent. */
  abstract boolean faultsAfterBytes();

  abstract int hostAddress();

  abstract int hostPort();

  abstract int fakeAddress();

  abstract int fakePort();
}
