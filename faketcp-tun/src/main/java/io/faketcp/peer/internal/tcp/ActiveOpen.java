package io.faketcp.peer.internal.tcp;

/**
 * Who opened a connection from the fake host's side (connect-many's client bookkeeping, kept beside
 * the endpoint): it paces the SYNs and hears how the opening ends. Peer thread only.
 */
public interface ActiveOpen {
  /** The SYN of {@code e} went unanswered for the time armed: send it again ({@link TcpEndpoint#resendSyn}) or give up. */
  void synTimerExpired(TcpEndpoint e, long now);

  /** The host's SYN+ACK answered {@code e}'s SYN and our ACK of it went out (a fault may have closed it since). */
  void established(TcpEndpoint e);

  /** The host refused {@code e} (a RST acknowledging our SYN); the endpoint closes next. */
  void refused(TcpEndpoint e);

  /** {@code e} left the table (any state): nothing of the endpoint refers to it any more. */
  void ended(TcpEndpoint e);
}
