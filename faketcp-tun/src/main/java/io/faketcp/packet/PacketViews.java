package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * One {@link Ipv4Packet}, one {@link Ipv6Packet}, one {@link TcpSegment} (with one {@link TcpOptions}), one
 * {@link IcmpMessage}, one {@link Icmpv6Message} and one {@link UdpDatagram} view that a reading loop
 * re-points at each packet instead of allocating new views: parsing allocates nothing. The checks are
 * those of the {@code wrap} methods. {@link #ip(ByteBuffer)} picks the family by the version nibble, and
 * the TCP and UDP views read either family:
 *
 * <pre>{@code
 * IpPacket ip = views.ip(in);                     // this object's Ipv4Packet or Ipv6Packet view
 * if (ip.protocol() == IpProtocol.TCP) { TcpSegment tcp = views.tcp(ip); ... }
 * else if (ip.protocol() == IpProtocol.ICMPV6) { Icmpv6Message icmp = views.icmpv6((Ipv6Packet) ip); ... }
 * }</pre>
 *
 * <pre>{@code
 * PacketViews views = new PacketViews();          // one per reading thread
 * while (running) {
 *     tun.read(in);
 *     Ipv4Packet ip = views.ipv4(in);              // the same object every time, now showing this packet
 *     if (ip.protocol() == IpProtocol.TCP) { TcpSegment tcp = views.tcp(ip); ... }
 * }
 * }</pre>
 *
 * <p>Each call returns this object's one view of that kind, so the view it returned before shows the
 * new packet from then on (after a {@link MalformedPacketException} it is not valid at all): use a
 * view only until the next call of the same kind, and wrap with {@link Ipv4Packet#wrap} where a view
 * must outlive that. Not thread-safe: keep one per thread.
 */
public final class PacketViews {
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Icmpv6Message icmp6 = new Icmpv6Message();
    private final TcpSegment tcp = new TcpSegment(new TcpOptions());
    private final IcmpMessage icmp = new IcmpMessage();
    private final UdpDatagram udp = new UdpDatagram();

    /** Views with nothing to show yet. */
    public PacketViews() {}

    /**
     * Shows the packet in {@code buffer[position, limit)}; see {@link Ipv4Packet#wrap(ByteBuffer)}.
     *
     * @param buffer holds exactly one packet between position and limit
     * @return this object's IPv4 view, showing the packet
     * @throws MalformedPacketException if the packet is not well-formed
     */
    public Ipv4Packet ipv4(ByteBuffer buffer) throws MalformedPacketException {
        return ip.bind(buffer);
    }

    /**
     * Shows the TCP segment {@code packet} carries; see {@link TcpSegment#wrap(Ipv4Packet)}.
     *
     * @param packet a wrapped IPv4 packet (this object's view or any other)
     * @return this object's TCP view, showing the segment
     * @throws MalformedPacketException if the segment is not well-formed
     */
    public TcpSegment tcp(Ipv4Packet packet) throws MalformedPacketException {
        return tcp.bind(packet, true);
    }

    /**
     * Shows the TCP segment {@code packet} carries, without checking its checksum: for a segment whose
     * checksum the device left to complete ({@code TunDevice.checksumPending()}); the
     * other checks are those of {@link #tcp}.
     *
     * @param packet a wrapped IPv4 packet, not a fragment
     * @return this object's TCP view, showing the segment
     * @throws MalformedPacketException if the segment is not well-formed
     */
    public TcpSegment tcpWithChecksumPending(Ipv4Packet packet) throws MalformedPacketException {
        if (packet.isFragment()) {
            throw new MalformedPacketException(PacketFormat.fragmentReason(packet, "TCP"));
        }
        return tcp.bind(packet, false);
    }

    /**
     * Shows the ICMP message {@code packet} carries; see {@link IcmpMessage#wrap(Ipv4Packet)}.
     *
     * @param packet a wrapped IPv4 packet (this object's view or any other)
     * @return this object's ICMP view, showing the message
     * @throws MalformedPacketException if the message is not well-formed
     */
    public IcmpMessage icmp(Ipv4Packet packet) throws MalformedPacketException {
        return icmp.bind(packet, true);
    }

    /**
     * Shows the UDP datagram {@code packet} carries; see {@link UdpDatagram#wrap(Ipv4Packet)}.
     *
     * @param packet a wrapped IPv4 packet (this object's view or any other)
     * @return this object's UDP view, showing the datagram
     * @throws MalformedPacketException if the datagram is not well-formed
     */
    public UdpDatagram udp(Ipv4Packet packet) throws MalformedPacketException {
        return udp.bind(packet, true);
    }

    /**
     * The IP version of the packet in {@code buffer[position, limit)}: the high nibble of its first byte.
     *
     * @param buffer holds one packet between position and limit
     * @return 4 or 6 for IP, another nibble for anything else, -1 for an empty buffer
     */
    public static int version(ByteBuffer buffer) {
        return buffer.hasRemaining() ? (buffer.get(buffer.position()) >> 4) & 0xF : -1;
    }

    /**
     * Shows the packet in {@code buffer[position, limit)} in this object's IPv4 or IPv6 view, by its
     * version nibble; see {@link Ipv4Packet#wrap(ByteBuffer)} and {@link Ipv6Packet#wrap(ByteBuffer)}.
     *
     * @param buffer holds exactly one packet between position and limit
     * @return this object's IPv4 or IPv6 view, showing the packet
     * @throws MalformedPacketException if the packet is neither a well-formed IPv4 nor IPv6 packet
     */
    public IpPacket ip(ByteBuffer buffer) throws MalformedPacketException {
        return version(buffer) == 6 ? ip6.bind(buffer) : ip.bind(buffer);
    }

    /**
     * Shows the packet in {@code buffer[position, limit)}; see {@link Ipv6Packet#wrap(ByteBuffer)}.
     *
     * @param buffer holds exactly one packet between position and limit
     * @return this object's IPv6 view, showing the packet
     * @throws MalformedPacketException if the packet is not well-formed
     */
    public Ipv6Packet ipv6(ByteBuffer buffer) throws MalformedPacketException {
        return ip6.bind(buffer);
    }

    /**
     * Shows the TCP segment an IPv4 or IPv6 packet carries; see {@link TcpSegment#wrap(IpPacket)}.
     *
     * @param packet a wrapped packet (this object's view or any other)
     * @return this object's TCP view, showing the segment
     * @throws MalformedPacketException if the segment is not well-formed
     */
    public TcpSegment tcp(IpPacket packet) throws MalformedPacketException {
        return tcp.bind(packet, true);
    }

    /**
     * Shows the UDP datagram an IPv4 or IPv6 packet carries; see {@link UdpDatagram#wrap(IpPacket)}.
     *
     * @param packet a wrapped packet (this object's view or any other)
     * @return this object's UDP view, showing the datagram
     * @throws MalformedPacketException if the datagram is not well-formed
     */
    public UdpDatagram udp(IpPacket packet) throws MalformedPacketException {
        return udp.bind(packet, true);
    }

    /**
     * Shows the ICMPv6 message {@code packet} carries; see {@link Icmpv6Message#wrap(Ipv6Packet)}.
     *
     * @param packet a wrapped IPv6 packet (this object's view or any other)
     * @return this object's ICMPv6 view, showing the message
     * @throws MalformedPacketException if the message is not well-formed
     */
    public Icmpv6Message icmpv6(Ipv6Packet packet) throws MalformedPacketException {
        return icmp6.bind(packet, true);
    }
}
