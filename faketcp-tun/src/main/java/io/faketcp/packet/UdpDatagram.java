package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * A read-only view of a UDP datagram (RFC 768) inside an {@link Ipv4Packet} or an {@link Ipv6Packet},
 * without copying. The builder builds either family, chosen by the addresses it is given.
 *
 * <pre>{@code
 * UdpDatagram udp = UdpDatagram.wrap(ip);
 * if (udp.destinationPort() == 7) {
 *     int length = UdpDatagram.builder()
 *             .source(ip.destinationInt()).destination(ip.sourceInt())
 *             .sourcePort(7).destinationPort(udp.sourcePort())
 *             .payload(udp.payload())
 *             .writeTo(out, 0);
 * }
 * }</pre>
 *
 * <p>Over IPv4 a checksum field of 0 means the sender computed none (RFC 768): such a datagram is
 * accepted as is. Over IPv6 the checksum is mandatory (RFC 8200 §8.1) and a 0 is refused.
 */
public final class UdpDatagram {

    /** The UDP header: source port, destination port, length, checksum. */
    public static final int HEADER_LENGTH = 8;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private IpPacket ip;
    private ByteBuffer buf;
    private int off;
    private int length;

    UdpDatagram() {}

    /**
     * Wraps the UDP datagram carried by {@code ip} after checking: protocol UDP, not a fragment, at
     * least 8 bytes, a length field from 8 up to the bytes the packet carries (bytes beyond it are
     * padding and ignored), and the checksum over the pseudo-header unless it is 0 (none sent).
     *
     * @param ip a wrapped IPv4 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static UdpDatagram wrap(Ipv4Packet ip) throws MalformedPacketException {
        return new UdpDatagram().bind(ip, true);
    }

    /**
     * Wraps the UDP datagram carried by an IPv4 or IPv6 packet, with the checks of
     * {@link #wrap(Ipv4Packet)} and the pseudo-header of the packet's family; over IPv6 a checksum
     * field of 0 is refused.
     *
     * @param ip a wrapped IPv4 or IPv6 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static UdpDatagram wrap(IpPacket ip) throws MalformedPacketException {
        return new UdpDatagram().bind(ip, true);
    }

    /** Checks the datagram as {@link #wrap} does ({@code strict} false skips fragment and checksum) and shows it. */
    UdpDatagram bind(IpPacket ip, boolean strict) throws MalformedPacketException {
        if (ip.protocol() != IpProtocol.UDP) {
            throw new MalformedPacketException("protocol " + ip.protocol() + " is not UDP (17)");
        }
        if (strict && ip.isFragment()) {
            throw new MalformedPacketException(PacketFormat.fragmentReason(ip, "UDP"));
        }
        ByteBuffer b = ip.buffer();
        int off = ip.payloadOffset();
        int available = ip.payloadLength();
        if (available < HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "UDP datagram of " + available + " bytes is shorter than the 8-byte header");
        }
        int length = b.getShort(off + 4) & 0xFFFF;
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException("UDP length " + length + " is below the 8-byte header");
        }
        if (length > available) {
            throw new MalformedPacketException(
                    "UDP length " + length + " but the IPv" + ip.version() + " packet carries " + available
                            + " bytes after its header");
        }
        int stored = b.getShort(off + 6) & 0xFFFF;
        boolean ipv6 = ip instanceof Ipv6Packet;
        if (strict && stored == 0 && ipv6) {
            throw new MalformedPacketException(String.format("UDP checksum 0 over IPv6, where it is mandatory"
                    + " (expected 0x%04x)", expectedChecksum(ip, off, length)));
        }
        if (strict && stored != 0 && (ipv6 ? Checksum.ipv6(b, ip.offset(), IpProtocol.UDP, off, length)
                : Checksum.tcpUdp(b, ip.offset(), IpProtocol.UDP, off, length)) != 0) {
            throw new MalformedPacketException(String.format("bad UDP checksum 0x%04x (expected 0x%04x)",
                    stored, expectedChecksum(ip, off, length)));
        }
        this.ip = ip;
        this.buf = b;
        this.off = off;
        this.length = length;
        return this;
    }

    /** The checksum the datagram at {@code b[off, off + length)} should carry (0xFFFF for a computed 0). */
    static int expectedChecksum(IpPacket ip, int off, int length) {
        int sum = Checksum.expected(ip.buffer(), Checksum.pseudoHeader(ip, IpProtocol.UDP, length), off, length, off + 6);
        return sum == 0 ? 0xFFFF : sum;
    }

    /**
     * The IPv4 packet carrying this datagram.
     *
     * @return the packet view
     * @throws IllegalStateException if an IPv6 packet carries the datagram; see {@link #packet()}
     */
    public Ipv4Packet ip() {
        if (ip instanceof Ipv4Packet) {
            return (Ipv4Packet) ip;
        }
        throw new IllegalStateException("the datagram is carried by IPv6 (" + ip.sourceText() + " > "
                + ip.destinationText() + "): use packet() or ipv6()");
    }

    /**
     * The IPv6 packet carrying this datagram.
     *
     * @return the packet view
     * @throws IllegalStateException if an IPv4 packet carries the datagram; see {@link #packet()}
     */
    public Ipv6Packet ipv6() {
        if (ip instanceof Ipv6Packet) {
            return (Ipv6Packet) ip;
        }
        throw new IllegalStateException("the datagram is carried by IPv4 (" + ip.sourceText() + " > "
                + ip.destinationText() + "): use packet() or ip()");
    }

    /**
     * The IPv4 or IPv6 packet carrying this datagram.
     *
     * @return the packet view
     */
    public IpPacket packet() {
        return ip;
    }

    /**
     * The source port.
     *
     * @return 0..65535
     */
    public int sourcePort() {
        return buf.getShort(off) & 0xFFFF;
    }

    /**
     * The destination port.
     *
     * @return 0..65535
     */
    public int destinationPort() {
        return buf.getShort(off + 2) & 0xFFFF;
    }

    /**
     * The length field: header and data, in bytes.
     *
     * @return 8..65535
     */
    public int length() {
        return length;
    }

    /**
     * The checksum field as stored; 0 when the sender sent none.
     *
     * @return 0..65535
     */
    public int checksum() {
        return buf.getShort(off + 6) & 0xFFFF;
    }

    /**
     * Absolute index in {@code ip().buffer()} of the data after the 8-byte header.
     *
     * @return the offset
     */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /**
     * The number of data bytes, from the length field.
     *
     * @return length minus 8
     */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * The data, as a read-only big-endian slice sharing the packet's bytes.
     *
     * @return position 0, limit {@link #payloadLength()}
     */
    public ByteBuffer payload() {
        return buf.slice(payloadOffset(), payloadLength()).asReadOnlyBuffer();
    }

    /**
     * A copy of the data.
     *
     * @return a new array of {@link #payloadLength()} bytes
     */
    public byte[] payloadBytes() {
        byte[] data = new byte[payloadLength()];
        buf.get(payloadOffset(), data);
        return data;
    }

    /**
     * One line as {@code tcpdump -nn} prints it, e.g.
     * {@code IP 192.168.0.1.40000 > 192.168.0.5.8125: UDP, length 12}.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        return ip.toString();
    }

    /**
     * A new builder for a complete IPv4 or IPv6 packet carrying a UDP datagram.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds IPv4+UDP or IPv6+UDP packets (by the family of the addresses) with their checksums (a UDP
     * checksum computed as 0 is sent as 0xFFFF, as RFC 768 and RFC 8200 ask). Defaults: ports 0, no data, TTL 64, TOS 0, identification 0, DF set. Reusable:
     * {@link #reset()} restores the defaults.
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int sourcePort;
        private int destinationPort;

        private Builder() {
            reset();
        }

        /**
         * Restores every field to its default.
         *
         * @return this builder
         */
        public Builder reset() {
            resetIp();
            sourcePort = 0;
            destinationPort = 0;
            return this;
        }

        /**
         * Sets the source port.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder sourcePort(int port) {
            this.sourcePort = checkRange("source port", port, 0xFFFF);
            return this;
        }

        /**
         * Sets the destination port.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder destinationPort(int port) {
            this.destinationPort = checkRange("destination port", port, 0xFFFF);
            return this;
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return IPv4 or IPv6 header, UDP header and data, in bytes
         */
        @Override
        public int length() {
            return ipHeaderLength() + HEADER_LENGTH + payloadLength();
        }

        /**
         * Writes the complete IPv4+UDP or IPv6+UDP packet, checksums included, at {@code dst[offset]} with
         * absolute puts; the buffer's position and limit are not changed.
         *
         * @param dst the destination
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()} or is
         *     longer than 65535 bytes
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            int length = length();
            int ipHeaderLength = ipHeaderLength();
            ByteBuffer b = writeIpHeader(dst, offset, length, IpProtocol.UDP, 0);
            int u = offset + ipHeaderLength;
            int udpLength = length - ipHeaderLength;
            b.putShort(u, (short) sourcePort);
            b.putShort(u + 2, (short) destinationPort);
            b.putShort(u + 4, (short) udpLength);
            b.putShort(u + 6, (short) 0);
            writePayload(b, u + HEADER_LENGTH);
            int sum = upperLayerChecksum(b, offset, IpProtocol.UDP, u, udpLength);
            b.putShort(u + 6, (short) (sum == 0 ? 0xFFFF : sum));
            return length;
        }
    }
}
