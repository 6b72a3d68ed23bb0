package io.faketcp.assertj;

import io.faketcp.junit5.CapturedPacket;
import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Icmpv6Message;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.UdpDatagram;
import io.faketcp.peer.Direction;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * A described predicate on captured packets, built fluently, for
 * {@link CapturedPacketsAssert#containsInOrder(Predicate[])} and for filtering.
 *
 * <pre>{@code
 * assertThat(capture).containsInOrder(
 *     PacketPattern.syn().to(net.address(5), 80),
 *     PacketPattern.rst().from(net.address(5)));
 * }</pre>
 */
public final class PacketPattern implements Predicate<CapturedPacket> {
  private final Predicate<CapturedPacket> predicate;
  private final String description;

  private PacketPattern(Predicate<CapturedPacket> predicate, String description) {
    this.predicate = predicate;
    this.description = description;
  }

  /** Any packet. */
  public static PacketPattern any() {
    return new PacketPattern(p -> true, "any packet");
  }

  /** A packet matching {@code predicate}, described as {@code description} in failure messages. */
  public static PacketPattern matching(Predicate<? super CapturedPacket> predicate, String description) {
    return new PacketPattern(predicate::test, description);
  }

  /** Any TCP segment. */
  public static PacketPattern tcp() {
    return new PacketPattern(p -> p.tcp().isPresent(), "TCP segment");
  }

  /** A SYN without ACK: the first segment of a handshake. */
  public static PacketPattern syn() {
    return new PacketPattern(p -> p.tcp().map(t -> t.syn() && !t.ack()).orElse(false), "SYN");
  }

  /** A SYN+ACK: the answer to a SYN. */
  public static PacketPattern synAck() {
    return new PacketPattern(p -> p.tcp().map(t -> t.syn() && t.ack()).orElse(false), "SYN+ACK");
  }

  /** A segment with RST. */
  public static PacketPattern rst() {
    return new PacketPattern(p -> p.tcp().map(TcpSegment::rst).orElse(false), "RST");
  }

  /** A segment with FIN. */
  public static PacketPattern fin() {
    return new PacketPattern(p -> p.tcp().map(TcpSegment::fin).orElse(false), "FIN");
  }

  /** A segment carrying data. */
  public static PacketPattern data() {
    return new PacketPattern(p -> p.tcp().map(t -> t.payloadLength() > 0).orElse(false), "TCP data");
  }

  /** An ICMP or ICMPv6 echo request (ping). */
  public static PacketPattern echoRequest() {
    return new PacketPattern(p -> p.icmp().map(IcmpMessage::isEchoRequest).orElse(false)
        || p.icmpv6().map(Icmpv6Message::isEchoRequest).orElse(false), "ICMP echo request");
  }

  /** An ICMP or ICMPv6 echo reply. */
  public static PacketPattern echoReply() {
    return new PacketPattern(p -> p.icmp().map(IcmpMessage::isEchoReply).orElse(false)
        || p.icmpv6().map(Icmpv6Message::isEchoReply).orElse(false), "ICMP echo reply");
  }

  /** Any UDP datagram. */
  public static PacketPattern udp() {
    return new PacketPattern(p -> p.udp().isPresent(), "UDP datagram");
  }

  /**
   * A UDP datagram whose data are exactly the UTF-8 bytes of {@code text}. On a datagram the capture
   * kept cut ({@link CapturedPacket#isTruncated()}) whose kept data begin as {@code text} does, it throws
   * an {@link IllegalStateException} saying so: it cannot tell, and does not guess.
   */
  public static PacketPattern datagram(String text) {
    byte[] expected = text.getBytes(StandardCharsets.UTF_8);
    return new PacketPattern(p -> p.udp().map(u -> sameData(p, u, expected, text)).orElse(false),
        "UDP datagram \"" + text + "\"");
  }

  private static boolean sameData(CapturedPacket p, UdpDatagram u, byte[] expected, String text) {
    if (u.payloadLength() != expected.length) {
      return false;
    }
    byte[] data = u.payloadBytes();
    if (!p.isTruncated()) {
      return Arrays.equals(data, expected);
    }
    int kept = Math.max(0, Math.min(data.length, p.capturedLength() - (u.packet().payloadOffset() + 8)));
    if (!Arrays.equals(data, 0, kept, expected, 0, kept)) {
      return false;
    }
    throw new IllegalStateException("Cannot tell whether a datagram is \"" + text + "\": the capture was truncated, "
        + p.truncation() + ": " + p.line());
  }

  /**
   * An ICMP or ICMPv6 port unreachable: a fake host (REJECT) or the host refusing a UDP datagram.
   */
  public static PacketPattern portUnreachable() {
    return new PacketPattern(p -> p.icmp().map(i -> i.type() == IcmpMessage.DEST_UNREACHABLE && i.code() == 3)
        .orElse(false) || p.icmpv6().map(i -> i.type() == Icmpv6Message.DESTINATION_UNREACHABLE
            && i.code() == Icmpv6Message.UNREACHABLE_PORT).orElse(false), "ICMP port unreachable");
  }

  /** An ICMPv6 Packet Too Big, as a fake host sends under an {@code mtu=} fault on IPv6. */
  public static PacketPattern packetTooBig() {
    return new PacketPattern(p -> p.icmpv6().map(i -> i.type() == Icmpv6Message.PACKET_TOO_BIG).orElse(false),
        "ICMPv6 packet too big");
  }

  /** An address as tcpdump prints it: dotted quad, or RFC 5952 for IPv6. */
  static String text(InetAddress address) {
    return address instanceof Inet6Address ? Ipv6Packet.toText((Inet6Address) address) : address.getHostAddress();
  }

  /** An endpoint as {@code 192.168.0.5:80}, or {@code [fd00:fa:ce::5]:80} for IPv6. */
  static String text(InetSocketAddress endpoint) {
    String address = text(endpoint.getAddress());
    return (endpoint.getAddress() instanceof Inet6Address ? "[" + address + "]" : address) + ":" + endpoint.getPort();
  }

  /** ... sent to {@code address}. */
  public PacketPattern to(InetAddress address) {
    return and(p -> p.packet().map(ip -> ip.destination().equals(address)).orElse(false),
        "to " + text(address));
  }

  /** ... sent to {@code address} and TCP or UDP port {@code port}. */
  public PacketPattern to(InetAddress address, int port) {
    return and(p -> p.packet().map(ip -> ip.destination().equals(address)).orElse(false)
        && (p.tcp().map(t -> t.destinationPort() == port).orElse(false)
            || p.udp().map(u -> u.destinationPort() == port).orElse(false)),
        "to " + text(new InetSocketAddress(address, port)));
  }

  /** ... sent from {@code address}. */
  public PacketPattern from(InetAddress address) {
    return and(p -> p.packet().map(ip -> ip.source().equals(address)).orElse(false), "from " + text(address));
  }

  /** ... sent from {@code address} and TCP or UDP port {@code port}. */
  public PacketPattern from(InetAddress address, int port) {
    return and(p -> p.packet().map(ip -> ip.source().equals(address)).orElse(false)
        && (p.tcp().map(t -> t.sourcePort() == port).orElse(false)
            || p.udp().map(u -> u.sourcePort() == port).orElse(false)),
        "from " + text(new InetSocketAddress(address, port)));
  }

  /** ... going {@code direction} ({@link Direction#TO_PEER}: host to the fake subnet). */
  public PacketPattern direction(Direction direction) {
    return and(p -> p.direction() == direction, direction == Direction.TO_PEER ? "out" : "in");
  }

  /** ... also matching {@code more}, described as {@code description}. */
  public PacketPattern and(Predicate<? super CapturedPacket> more, String description) {
    Predicate<CapturedPacket> mine = predicate;
    return new PacketPattern(p -> mine.test(p) && more.test(p), this.description + " " + description);
  }

  @Override
  public boolean test(CapturedPacket packet) {
    return predicate.test(packet);
  }

  /** The description, e.g. {@code SYN to 192.168.0.5:80}. */
  @Override
  public String toString() {
    return description;
  }
}
