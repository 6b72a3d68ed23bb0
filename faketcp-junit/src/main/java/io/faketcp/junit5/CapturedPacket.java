package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.Transcript;
import io.faketcp.junit5.internal.Truncation;
import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Icmpv6Message;
import io.faketcp.packet.IpPacket;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.UdpDatagram;
import io.faketcp.peer.Direction;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;

/**
 * One captured packet: its bytes, the kernel's timestamp and its direction, with the engine's
 * packet views for reading it. IPv4 and IPv6 alike: {@link #packet()} is either family's view
 * ({@link IpPacket#sourceText()} gives the address as tcpdump prints it), {@link #tcp()} and
 * {@link #udp()} read segments and datagrams of both, {@link #ip()} and {@link #icmp()} are IPv4's,
 * {@link #ipv6()} and {@link #icmpv6()} IPv6's.
 *
 * <p>A capture keeps each packet up to its snap length and, past three quarters of its byte budget, only
 * the headers ({@code FakeNetworkExtension.Builder.captureSnapLength} and {@code captureBudget}): then
 * {@link #isTruncated()} is true, {@link #length()} is still the length on the wire and
 * {@link #capturedLength()} what was kept. The views of a cut packet read its headers as on the wire
 * (lengths, sequence numbers, flags; the transport checksum is recomputed) and its payload as zeros past
 * what was kept; the assertions and {@link TcpConversation}'s streams refuse to compare its payload,
 * saying {@link #truncation()}.
 *
 * <pre>{@code
 * for (CapturedPacket p : capture.packets()) {
 *   p.tcp().filter(TcpSegment::rst).ifPresent(rst -> System.out.println("RST at " + p.timestamp()));
 * }
 * }</pre>
 */
public final class CapturedPacket {
  private final CaptureRecord record;

  CapturedPacket(CaptureRecord record) {
    this.record = record;
  }

  /**
   * A packet as if captured: for testing assertions and analysis without a tun device, e.g. with the
   * engine's packet builders.
   *
   * <pre>{@code
   * byte[] syn = TcpSegment.builder().source(host).destination(peer).sourcePort(40000).destinationPort(80)
   *     .sequenceNumber(1000).flags(TcpSegment.SYN).build();
   * CapturedPacket packet = CapturedPacket.of(syn, Instant.now(), Direction.TO_PEER);
   * }</pre>
   *
   * @param ipPacket the packet's bytes, an IPv4 or IPv6 packet (copied)
   * @param timestamp when it was seen
   * @param direction {@link Direction#TO_PEER} for the host's packets, {@link Direction#FROM_PEER} for the peer's
   */
  public static CapturedPacket of(byte[] ipPacket, Instant timestamp, Direction direction) {
    if (ipPacket == null || timestamp == null || direction == null) {
      throw new IllegalArgumentException("CapturedPacket.of(ipPacket, timestamp, direction): none may be null, got "
          + (ipPacket == null ? "ipPacket" : timestamp == null ? "timestamp" : "direction") + " = null");
    }
    long nanos = Math.addExact(Math.multiplyExact(timestamp.getEpochSecond(), 1_000_000_000L), timestamp.getNano());
    return new CapturedPacket(new CaptureRecord(ipPacket.clone(), nanos, direction == Direction.TO_PEER));
  }

  CaptureRecord record() {
    return record;
  }

  /**
   * A copy of the bytes captured (an IPv4 or IPv6 packet; link type RAW): the whole packet, or its first
   * {@link #capturedLength()} bytes when {@link #isTruncated()}.
   */
  public byte[] bytes() {
    return record.bytes().clone();
  }

  /** The packet's length in bytes on the wire, also when the capture kept fewer ({@link #capturedLength()}). */
  public int length() {
    return record.originalLength();
  }

  /** How many of the packet's bytes the capture kept: {@link #length()} unless {@link #isTruncated()}. */
  public int capturedLength() {
    return record.bytes().length;
  }

  /**
   * Whether the capture kept fewer bytes than the packet had: cut to the snap length, or to its headers
   * once whole packets had used their part of the capture budget.
   */
  public boolean isTruncated() {
    return record.truncated();
  }

  /**
   * Empty for a whole packet; for a cut one, what cut it and what to write to keep it whole, e.g.
   * {@code the capture kept only its headers, 52 of 65535 bytes: whole packets had used their three
   * quarters of the capture budget; raise it with FakeNetworkExtension.newInstance().captureBudget(bytes)
   * ...}.
   */
  public String truncation() {
    return Truncation.advice(record);
  }

  /** The bytes the views read: the packet, a cut one padded to its length (see the class comment). */
  private byte[] viewBytes() {
    return Truncation.viewBytes(record);
  }

  /** When the kernel saw the packet (nanosecond precision). */
  public Instant timestamp() {
    long nanos = record.epochNanos();
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /**
   * {@link Direction#TO_PEER} when the host sent it to the fake subnet, {@link Direction#FROM_PEER}
   * when the fake peer sent it to the host.
   */
  public Direction direction() {
    return record.toSubnet() ? Direction.TO_PEER : Direction.FROM_PEER;
  }

  /** The IPv4 view, when the packet is well-formed IPv4. */
  public Optional<Ipv4Packet> ip() {
    try {
      return Optional.of(Ipv4Packet.wrap(ByteBuffer.wrap(viewBytes()).asReadOnlyBuffer()));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  /** The IPv6 view, when the packet is well-formed IPv6. */
  public Optional<Ipv6Packet> ipv6() {
    try {
      return Optional.of(Ipv6Packet.wrap(ByteBuffer.wrap(viewBytes()).asReadOnlyBuffer()));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  /** The IPv4 or IPv6 view, by the packet's version, when it is well-formed. */
  public Optional<IpPacket> packet() {
    byte[] b = record.bytes();
    return b.length > 0 && (b[0] & 0xf0) == 0x60 ? ipv6().map(IpPacket.class::cast) : ip().map(IpPacket.class::cast);
  }

  /** The TCP view, when the packet is a well-formed TCP segment over IPv4 or IPv6. */
  public Optional<TcpSegment> tcp() {
    return transport(IpProtocol.TCP, TcpSegment::wrap);
  }

  /** The ICMP view, when the packet is a well-formed ICMP message (IPv4; see {@link #icmpv6()}). */
  public Optional<IcmpMessage> icmp() {
    return ip().isEmpty() ? Optional.empty() : transport(IpProtocol.ICMP, ip -> IcmpMessage.wrap((Ipv4Packet) ip));
  }

  /** The ICMPv6 view, when the packet is a well-formed ICMPv6 message. */
  public Optional<Icmpv6Message> icmpv6() {
    return ipv6().isEmpty() ? Optional.empty()
        : transport(IpProtocol.ICMPV6, ip -> Icmpv6Message.wrap((Ipv6Packet) ip));
  }

  /** The UDP view, when the packet is a well-formed UDP datagram over IPv4 or IPv6. */
  public Optional<UdpDatagram> udp() {
    return transport(IpProtocol.UDP, UdpDatagram::wrap);
  }

  /** The view {@code wrap} makes of the payload, when the packet carries {@code protocol} and it is well-formed. */
  private <T> Optional<T> transport(int protocol, Wrap<T> wrap) {
    Optional<IpPacket> ip = packet();
    if (ip.isEmpty() || ip.get().protocol() != protocol) {
      return Optional.empty();
    }
    try {
      return Optional.of(wrap.wrap(ip.get()));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  /** A transport view's {@code wrap} method. */
  @FunctionalInterface
  private interface Wrap<T> {
    T wrap(IpPacket ip) throws MalformedPacketException;
  }

  /**
   * The tcpdump-style line, without timestamp: {@code IP 192.168.0.1.41234 > 192.168.0.5.80: Flags [S], ...}
   * or {@code IP6 fd00:fa:ce::1.41234 > fd00:fa:ce::5.80: Flags [S], ...}; a cut packet's line ends in
   * {@code [|captured 52 of 65535 bytes, capture budget]} (or {@code snap length}).
   */
  public String line() {
    return Transcript.packetLine(record);
  }

  /** {@code Out}/{@code In} and the tcpdump-style line. */
  @Override
  public String toString() {
    return (record.toSubnet() ? "Out " : "In  ") + line();
  }
}
