package io.faketcp.junit5;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;

/**
 * One TCP connection seen in a capture: its two ends, the handshake, and what each side sent, with
 * retransmitted bytes counted once and the byte streams reassembled in sequence order (out-of-order
 * segments put in place, sequence numbers wrapping past 2^32 followed). From
 * {@link CapturedPackets#conversations()}. Immutable.
 *
 * <pre>{@code
 * for (TcpConversation c : capture.packets().conversationsWith(net.socketAddress(7, 7))) {
 *   assertThat(c.handshakeCompleted()).isTrue();
 *   assertThat(new String(c.streamFromServer(), US_ASCII)).isEqualTo("hello");
 *   assertThat(c.retransmissions()).isZero();
 * }
 * }</pre>
 *
 * <p>The client is the side that sent the SYN; when the capture began after the SYN, the sender of
 * the first captured segment.
 */
public final class TcpConversation {
  private final InetSocketAddress client;
  private final InetSocketAddress server;
  private final boolean synSeen;
  private final int synRetransmissions;
  private final boolean synAcknowledged;
  private final boolean handshakeCompleted;
  private final Direction fromClient;
  private final Direction fromServer;
  private final List<CapturedPacket> packets;

  TcpConversation(InetSocketAddress client, InetSocketAddress server, boolean synSeen, int synRetransmissions,
      boolean synAcknowledged, boolean handshakeCompleted, Direction fromClient, Direction fromServer,
      List<CapturedPacket> packets) {
    this.client = client;
    this.server = server;
    this.synSeen = synSeen;
    this.synRetransmissions = synRetransmissions;
    this.synAcknowledged = synAcknowledged;
    this.handshakeCompleted = handshakeCompleted;
    this.fromClient = fromClient;
    this.fromServer = fromServer;
    this.packets = Collections.unmodifiableList(packets);
  }

  /**
   * What one side sent: counted and reassembled by {@link Conversations}; {@code cut} says where and why
   * the capture cut the stream, null when it holds every byte up to the stream's end or a real gap;
   * {@code lost} where the stream has a gap while the capture missed packets (null otherwise).
   */
  record Direction(long bytes, byte[] stream, int retransmissions, boolean fin, boolean reset, String cut,
      String lost) {}

  /** The side that opened the connection (sent the SYN). */
  public InetSocketAddress client() {
    return client;
  }

  /** The side that was connected to. */
  public InetSocketAddress server() {
    return server;
  }

  /** Whether the client's SYN was captured. */
  public boolean synSeen() {
    return synSeen;
  }

  /** How many times the SYN was sent again (same initial sequence number): an unanswered or slow connect. */
  public int synRetransmissions() {
    return synRetransmissions;
  }

  /** Whether the server answered the SYN with a SYN+ACK acknowledging it. */
  public boolean synAcknowledged() {
    return synAcknowledged;
  }

  /** Whether SYN, SYN+ACK acknowledging it and ACK acknowledging that were all captured. */
  public boolean handshakeCompleted() {
    return handshakeCompleted;
  }

  /** Bytes of data the client sent, each byte counted once however often it was retransmitted. */
  public long bytesFromClient() {
    return fromClient.bytes();
  }

  /** Bytes of data the server sent, each byte counted once. */
  public long bytesFromServer() {
    return fromServer.bytes();
  }

  /**
   * The client's byte stream, reassembled from its first byte up to the first gap (a copy).
   *
   * @throws IllegalStateException when the capture kept a segment of the stream cut (see
   *     {@link CapturedPacket#isTruncated()}): the message says where, why and how to keep it whole; or when
   *     the stream has a gap and the capture missed packets ({@link CapturedPackets#isComplete()} is false):
   *     the message says where, and what the capture missed
   */
  public byte[] streamFromClient() {
    return stream(fromClient, "client");
  }

  /**
   * The server's byte stream, reassembled from its first byte up to the first gap (a copy).
   *
   * @throws IllegalStateException when the capture kept a segment of the stream cut: the message says
   *     where, why and how to keep it whole; or when the stream has a gap and the capture missed packets
   */
  public byte[] streamFromServer() {
    return stream(fromServer, "server");
  }

  private byte[] stream(Direction d, String side) {
    if (d.cut() != null) {
      throw new IllegalStateException("The " + side + "'s stream of " + text(client) + " > " + text(server)
          + " cannot be compared: the capture was truncated, the stream is " + d.cut());
    }
    if (d.lost() != null) {
      throw new IllegalStateException("The " + side + "'s stream of " + text(client) + " > " + text(server)
          + " cannot be compared: it " + d.lost());
    }
    return d.stream().clone();
  }

  /** Whether the client sent a FIN. */
  public boolean finFromClient() {
    return fromClient.fin();
  }

  /** Whether the server sent a FIN. */
  public boolean finFromServer() {
    return fromServer.fin();
  }

  /** Whether the client sent a RST. */
  public boolean resetFromClient() {
    return fromClient.reset();
  }

  /** Whether the server sent a RST. */
  public boolean resetFromServer() {
    return fromServer.reset();
  }

  /** Data segments, either way, that carried bytes already sent (in part or whole). */
  public int retransmissions() {
    return fromClient.retransmissions() + fromServer.retransmissions();
  }

  /** Data segments from the client that carried bytes it had already sent (in part or whole). */
  public int retransmissionsFromClient() {
    return fromClient.retransmissions();
  }

  /** Data segments from the server that carried bytes it had already sent (in part or whole). */
  public int retransmissionsFromServer() {
    return fromServer.retransmissions();
  }

  /** The connection's packets, in capture order. */
  public List<CapturedPacket> packets() {
    return packets;
  }

  /**
   * One line: {@code 192.168.0.1:40000 > 192.168.0.5:80: handshake, 5 bytes >, 5 bytes <, FIN >, FIN <};
   * {@code capture cut the stream >} (or {@code <}) where the capture kept a segment of it cut.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(text(client)).append(" > ").append(text(server)).append(": ");
    if (!synSeen) {
      sb.append("SYN not captured");
    } else if (handshakeCompleted) {
      sb.append("handshake");
    } else if (synAcknowledged) {
      sb.append("SYN, SYN+ACK, no ACK");
    } else {
      sb.append("SYN unanswered");
    }
    if (synRetransmissions > 0) {
      sb.append(" (SYN sent ").append(synRetransmissions + 1).append(" times)");
    }
    sb.append(", ").append(fromClient.bytes()).append(" bytes >, ").append(fromServer.bytes()).append(" bytes <");
    if (retransmissions() > 0) {
      sb.append(", ").append(retransmissions()).append(" retransmission(s)");
    }
    appendFlag(sb, fromClient.cut() != null, "capture cut the stream >");
    appendFlag(sb, fromServer.cut() != null, "capture cut the stream <");
    appendFlag(sb, fromClient.fin(), "FIN >");
    appendFlag(sb, fromServer.fin(), "FIN <");
    appendFlag(sb, fromClient.reset(), "RST >");
    appendFlag(sb, fromServer.reset(), "RST <");
    return sb.toString();
  }

  private static void appendFlag(StringBuilder sb, boolean set, String text) {
    if (set) {
      sb.append(", ").append(text);
    }
  }

  /** An endpoint as {@code 192.168.0.5:80}, or {@code [fd00:fa:ce::5]:80} for IPv6 (RFC 5952 text). */
  static String text(InetSocketAddress endpoint) {
    java.net.InetAddress a = endpoint.getAddress();
    return a instanceof java.net.Inet6Address
        ? "[" + io.faketcp.packet.Ipv6Packet.toText((java.net.Inet6Address) a) + "]:" + endpoint.getPort()
        : a.getHostAddress() + ":" + endpoint.getPort();
  }
}
