package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * One {@link Ipv4Packet}, one {@link TcpSegment} (with one {@link TcpOptions}), one
 * {@link IcmpMessage} and one {@link UdpDatagram} view that a reading loop re-points at each packet instead of allocating new
 * views: parsing allocates nothing. The checks are those of the {@code wrap} methods.
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
}
