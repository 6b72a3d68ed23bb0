package io.faketcp.peer.internal.udp;

/**
 * Internal, not API: what a fake host does with one datagram, as the rules in force say: echo it,
 * refuse it (ICMP port unreachable), say nothing, or hand it to a server.
 *
 * @param reply the answer
 * @param server serves the datagram when {@code reply} is {@link Reply#SERVE}, else null
 */
public record UdpAnswer(Reply reply, DatagramHandler server) {
  /** Sends the datagram back. */
  public static final UdpAnswer ECHO = new UdpAnswer(Reply.ECHO, null);
  /** Answers ICMP port unreachable. */
  public static final UdpAnswer REJECT = new UdpAnswer(Reply.REJECT, null);
  /** Says nothing (ACCEPT, DISCARD, DROP: a datagram needs no answer). */
  public static final UdpAnswer SILENT = new UdpAnswer(Reply.SILENT, null);

  /** Hands the datagram to {@code server}. */
  public static UdpAnswer serve(DatagramHandler server) {
    return new UdpAnswer(Reply.SERVE, server);
  }

  /** The kinds of answer. */
  public enum Reply { ECHO, REJECT, SILENT, SERVE }
}
