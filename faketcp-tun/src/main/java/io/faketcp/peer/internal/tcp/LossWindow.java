package io.faketcp.peer.internal.tcp;

/**
 * The congestion window of the recovery after a retransmission timeout (RFC 5681 §3.1): it starts at
 * one segment (the loss window) and grows by slow start up to the slow-start threshold, half of what
 * was in flight at the first timeout, then by congestion avoidance. Open only from the timeout until
 * the host acknowledges everything sent before it; the rest of the time the host's window alone
 * limits the sender (see {@link TcpSender}). In bytes.
 */
final class LossWindow {
  private boolean open;
  private int cwnd;
  private int ssthresh;

  boolean isOpen() {
    return open;
  }

  /**
   * A timeout with {@code flight} bytes outstanding and not SACKed: one segment of {@code segmentSize}
   * may go. The threshold comes from the first timeout; a timeout of what the timer already resent
   * keeps it (RFC 5681 §3.1).
   */
  void timeout(int flight, int segmentSize) {
    if (!open) {
      ssthresh = Math.max(flight / 2, 2 * segmentSize);
      open = true;
    }
    cwnd = segmentSize;
  }

  /** Whether {@code length} more bytes may go with {@code pipe} in flight; one segment always may. */
  boolean allows(int pipe, int length) {
    return pipe <= 0 || pipe + length <= cwnd;
  }

  /** An ACK moved SND.UNA by {@code acked} bytes: slow start below the threshold, then one segment a window. */
  void acknowledged(int acked, int segmentSize) {
    if (cwnd < ssthresh) {
      cwnd += Math.min(acked, segmentSize);
    } else {
      cwnd += Math.max(1, (int) ((long) segmentSize * segmentSize / cwnd));
    }
  }

  /** The recovery is over (or the connection is new): the host's window alone limits the sender again. */
  void close() {
    open = false;
    cwnd = 0;
    ssthresh = 0;
  }

  int cwnd() {
    return cwnd;
  }
}
