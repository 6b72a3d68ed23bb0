package io.faketcp.peer.internal.tcp;

import io.faketcp.peer.internal.Timers;

/**
 * The receive window a connection offers the host, decided as a Linux host decides it:
 *
 * <ul>
 *   <li><b>grows with use</b> (receive autotuning): it opens at most {@value #INITIAL} bytes at
 *       first, and every byte taken in order lets it open one more, so a host that fills its window
 *       every round trip sees it double each round trip, up to {@value #MAX} bytes;
 *   <li><b>scaled</b> (RFC 7323 §2) when the host's SYN carried a window scale option: ours is
 *       {@value #SHIFT}, enough for {@link #MAX}; without it the window stays within 16 bits;
 *   <li><b>no silly windows</b> (RFC 9293 §3.8.6.2.2, MUST-39): the right edge moves only by at least
 *       min(buffer / 2, MSS), and never back (but for the scale's truncation).
 * </ul>
 *
 * The endpoint's lowest layer (its state lives in one object: see {@link TcpReceiver}). Peer thread
 * only.
 */
abstract class ReceiveWindow extends Timers.Entry {
  static final int INITIAL = 0xffff;
  static final int MAX = 4 << 20;
  static final int SHIFT = 7;

  private int windowShift;
  private int windowLimit = INITIAL;

  /** As new: unscaled, the initial limit. */
  void clearWindow() {
    windowShift = 0;
    windowLimit = INITIAL;
  }

  /** The host's SYN offered window scaling ({@code offered}): ours is {@link #SHIFT} from then on. */
  void scaleWindow(boolean offered) {
    windowShift = offered ? SHIFT : 0;
  }

  /** Our shift count, to send in the SYN+ACK; -1 when the host did not offer scaling. */
  int windowShift() {
    return windowShift;
  }

  /** The largest window the header can say now. */
  int largestWindow() {
    return Math.min(MAX, 0xffff << windowShift);
  }

  /** {@code bytes} taken in order: the limit grows by as much. */
  void windowTaken(int bytes) {
    if (windowLimit < MAX) {
      windowLimit = (int) Math.min(MAX, (long) windowLimit + bytes);
    }
  }

  /** What may be offered with {@code room} bytes free in the application: within the limit and the header. */
  int windowAvailable(int room) {
    return Math.max(0, Math.min(room, Math.min(windowLimit, largestWindow())));
  }

  /**
   * The window to offer, given what is left of the last offer ({@code offered}) and what could be
   * offered now ({@code available}): the right edge moves only by at least min(buffer / 2,
   * {@code mss}) (the buffer being the limit) and never back, but for the truncation to a multiple
   * of the scale that RFC 7323 §2.3 prescribes (SEG.WND = RCV.WND >> Rcv.Wind.Shift), at most
   * 2^shift - 1 bytes: rounding up instead would let the host send bytes the application has no room
   * for, a few at a time.
   */
  int offerWindow(int offered, int available, int mss) {
    int window = available - offered >= Math.min(windowLimit / 2, mss) ? available : offered;
    return window >> windowShift << windowShift;
  }

  /**
   * {@code window} rounded up to a multiple of the scale: for an edge that must be reached exactly
   * (a byte-count fault's), where the bytes past it are refused once and the fault then acts.
   */
  int roundUpWindow(int window) {
    int unit = (1 << windowShift) - 1;
    return (int) Math.min(largestWindow(), ((long) window + unit) & ~unit);
  }

  /** Whether a window update is worth sending: the offer would move the right edge. */
  boolean windowOpens(int offered, int available, int mss) {
    return available - offered >= Math.min(windowLimit / 2, mss);
  }

  /** The 16-bit field for {@code window} (a multiple of the scale). */
  int windowField(int window) {
    return Math.min(0xffff, window >> windowShift);
  }
}
