package io.faketcp.peer.internal.tcp;

import io.faketcp.peer.internal.Counters;

/** A connection's state (RFC 9293 §3.3.2); LISTEN is {@link TcpDemux}'s, before any endpoint exists. */
public enum TcpState {
  /** Before an endpoint opens (a fresh or recycled one). */
  NEW("NEW", -1),
  SYN_SENT("SYN-SENT", Counters.SYN_SENT),
  SYN_RECEIVED("SYN-RECEIVED", Counters.SYN_RECEIVED),
  ESTABLISHED("ESTABLISHED", Counters.ESTABLISHED),
  FIN_WAIT_1("FIN-WAIT-1", Counters.CLOSING),
  FIN_WAIT_2("FIN-WAIT-2", Counters.CLOSING),
  CLOSE_WAIT("CLOSE-WAIT", Counters.CLOSING),
  CLOSING("CLOSING", Counters.CLOSING),
  LAST_ACK("LAST-ACK", Counters.CLOSING),
  TIME_WAIT("TIME-WAIT", -1),
  CLOSED("CLOSED", -1);

  private final String label;
  /** The gauge in {@link Counters} that counts connections in this state, -1 for none. */
  final int counter;

  TcpState(String label, int counter) {
    this.label = label;
    this.counter = counter;
  }

  /** The application may still queue data (and our FIN has not been queued). */
  boolean canSend() {
    return this == ESTABLISHED || this == CLOSE_WAIT;
  }

  /** The host's data and FIN are still taken (its FIN has not come). */
  boolean receives() {
    return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
  }

  /** Both SYNs are behind us and we may still send (data, FIN, retransmissions). */
  boolean transmits() {
    return this == ESTABLISHED || this == CLOSE_WAIT || this == FIN_WAIT_1 || this == CLOSING || this == LAST_ACK;
  }

  /** The endpoint is done: CLOSED, or TIME-WAIT guarding the 4-tuple. */
  boolean over() {
    return this == CLOSED || this == TIME_WAIT;
  }

  @Override
  public String toString() {
    return label;
  }
}
