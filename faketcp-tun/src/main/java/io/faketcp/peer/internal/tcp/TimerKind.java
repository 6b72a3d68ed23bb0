package io.faketcp.peer.internal.tcp;

/**
 * Which of its timers an endpoint has running: one at a time, in the peer's
 * {@link io.faketcp.peer.internal.Timers}. What runs follows from the state and the send queue; the
 * kind says what a deadline means when it passes.
 */
enum TimerKind {
  NONE,
  /** Our SYN (connect-many paces it) or SYN+ACK went unanswered. */
  HANDSHAKE,
  /** Data or FIN in flight unacknowledged (RFC 6298). */
  RETRANSMISSION,
  /** Data queued and the host's window closed: a zero-window probe (RFC 9293 §3.8.6.1). */
  PERSIST,
  /** TIME-WAIT ends. */
  TIME_WAIT
}
