package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * A read-only view of an ICMPv6 message (RFC 4443) inside an {@link Ipv6Packet}, without copying, and
 * the writers of the messages a fake host sends: echo reply, destination unreachable and Packet Too Big.
 *
 * <p>No Neighbor Discovery is needed: a tun device is a point-to-point layer-3 link with the
 * {@code NOARP} flag, so the kernel writes packets for any address of the prefix straight to the device
 * without a Neighbor Solicitation first (seen on Linux 6: {@code ping6 fd00:fa:ce::5} through a tun
 * with fd00:fa:ce::1/64 gives the echo request as the first packet), and it does no duplicate address
 * detection there. What the kernel does send on its own, router solicitations and MLD reports to
 * multicast addresses, a fake host can ignore; {@link #isNeighborDiscovery()} names them.
 *
 * <pre>{@code
 * Icmpv6Message icmp = Icmpv6Message.wrap(ip);
 * if (icmp.isEchoRequest()) {
 *     tun.write(out, Icmpv6Message.writeEchoReply(ip, out, 0));
 * }
 * }</pre>
 */
public final class Icmpv6Message {

    /** Type of a destination-unreachable message; the codes are the {@code UNREACHABLE_} constants. */
    public static final int DESTINATION_UNREACHABLE = 1;
    /** Type of a Packet Too Big message, carrying the next-hop MTU. */
    public static final int PACKET_TOO_BIG = 2;
    /** Type of a time-exceeded message. */
    public static final int TIME_EXCEEDED = 3;
    /** Type of a parameter-problem message. */
    public static final int PARAMETER_PROBLEM = 4;
    /** Type of an echo request. */
    public static final int ECHO_REQUEST = 128;
    /** Type of an echo reply. */
    public static final int ECHO_REPLY = 129;
    /** Type of a Neighbor Discovery router solicitation (RFC 4861). */
    public static final int ROUTER_SOLICITATION = 133;
    /** Type of a Neighbor Discovery neighbor solicitation (RFC 4861). */
    public static final int NEIGHBOR_SOLICITATION = 135;
    /** Type of a Neighbor Discovery neighbor advertisement (RFC 4861). */
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    /** Type of an MLDv2 listener report (RFC 3810). */
    public static final int MLD_V2_REPORT = 143;

    /** Destination unreachable code 0, no route to destination: Linux reports {@code ENETUNREACH}. */
    public static final int UNREACHABLE_NO_ROUTE = 0;
    /** Code 1, communication administratively prohibited: Linux reports {@code EACCES}. */
    public static final int UNREACHABLE_ADMIN_PROHIBITED = 1;
    /** Code 3, address unreachable: Linux reports {@code EHOSTUNREACH}. */
    public static final int UNREACHABLE_ADDRESS = 3;
    /** Code 4, port unreachable: Linux reports {@code ECONNREFUSED}. */
    public static final int UNREACHABLE_PORT = 4;

    /** The longest quote of an offending packet: an ICMPv6 error must fit in the minimum MTU of 1280. */
    public static final int MAX_QUOTE = Ipv6Packet.MINIMUM_MTU - Ipv6Packet.HEADER_LENGTH - 8;

    static final int HEADER_LENGTH = 8;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private Ipv6Packet ip;
    private ByteBuffer buf;
    private int off;
    private int length;

    Icmpv6Message() {}

    /**
     * Wraps the ICMPv6 message carried by {@code ip} after checking: protocol ICMPv6 (58), not a
     * fragment, at least 8 bytes, checksum correct over the IPv6 pseudo-header.
     *
     * @param ip a wrapped IPv6 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static Icmpv6Message wrap(Ipv6Packet ip) throws MalformedPacketException {
        return new Icmpv6Message().bind(ip, true);
    }

    /** Checks the message as {@link #wrap} does ({@code strict} false skips fragment and checksum) and shows it. */
    Icmpv6Message bind(Ipv6Packet ip, boolean strict) throws MalformedPacketException {
        if (ip.protocol() != IpProtocol.ICMPV6) {
            throw new MalformedPacketException("protocol " + ip.protocol() + " is not ICMPv6 (58)");
        }
        if (strict && ip.isFragment()) {
            throw new MalformedPacketException(PacketFormat.fragmentReason(ip, "ICMPv6"));
        }
        int length = ip.payloadLength();
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "ICMPv6 message of " + length + " bytes is shorter than the minimum header of 8 bytes");
        }
        if (strict && Checksum.upperLayer(ip, IpProtocol.ICMPV6) != 0) {
            throw new MalformedPacketException(String.format("bad ICMPv6 checksum 0x%04x (expected 0x%04x)",
                    ip.buffer().getShort(ip.payloadOffset() + 2) & 0xFFFF, expectedChecksum(ip)));
        }
        this.ip = ip;
        this.buf = ip.buffer();
        this.off = ip.payloadOffset();
        this.length = length;
        return this;
    }

    /** The checksum the message in {@code ip} should carry. */
    static int expectedChecksum(Ipv6Packet ip) {
        int off = ip.payloadOffset();
        int length = ip.payloadLength();
        return Checksum.expected(ip.buffer(), Checksum.pseudoHeader(ip, IpProtocol.ICMPV6, length), off, length, off + 2);
    }

    /**
     * The IPv6 packet carrying this message.
     *
     * @return the packet view
     */
    public Ipv6Packet ip() {
        return ip;
    }

    /**
     * The type field, e.g. {@link #ECHO_REQUEST}.
     *
     * @return 0..255
     */
    public int type() {
        return buf.get(off) & 0xFF;
    }

    /**
     * The code field.
     *
     * @return 0..255
     */
    public int code() {
        return buf.get(off + 1) & 0xFF;
    }

    /**
     * The checksum field as stored (verified by {@link #wrap(Ipv6Packet)}).
     *
     * @return 0..65535
     */
    public int checksum() {
        return buf.getShort(off + 2) & 0xFFFF;
    }

    /**
     * The identifier of an echo request or reply (bytes 4-5).
     *
     * @return 0..65535
     */
    public int identifier() {
        return buf.getShort(off + 4) & 0xFFFF;
    }

    /**
     * The sequence number of an echo request or reply (bytes 6-7).
     *
     * @return 0..65535
     */
    public int sequenceNumber() {
        return buf.getShort(off + 6) & 0xFFFF;
    }

    /**
     * The MTU of a Packet Too Big message (bytes 4-7; other types use them differently).
     *
     * @return unsigned 32-bit value
     */
    public long mtu() {
        return buf.getInt(off + 4) & 0xFFFF_FFFFL;
    }

    /**
     * Whether this is an echo request (type 128, code 0), i.e. a ping.
     *
     * @return true for a ping
     */
    public boolean isEchoRequest() {
        return type() == ECHO_REQUEST && code() == 0;
    }

    /**
     * Whether this is an echo reply (type 129, code 0).
     *
     * @return true for a ping reply
     */
    public boolean isEchoReply() {
        return type() == ECHO_REPLY && code() == 0;
    }

    /**
     * Whether this is an error message (types 0..127), which quotes the packet that caused it.
     *
     * @return true for destination unreachable, Packet Too Big, time exceeded, parameter problem
     */
    public boolean isError() {
        return type() < 128;
    }

    /**
     * Whether this is Neighbor Discovery or Multicast Listener Discovery (types 130..143), which a host
     * sends on its own and a fake host ignores.
     *
     * @return true for router and neighbor solicitations and advertisements, redirects and MLD
     */
    public boolean isNeighborDiscovery() {
        int type = type();
        return type >= 130 && type <= 143;
    }

    /**
     * Absolute index in {@code ip().buffer()} of the data after the 8-byte header (for an error: the
     * quoted packet).
     *
     * @return the offset
     */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /**
     * The number of data bytes after the 8-byte header.
     *
     * @return ICMPv6 length minus 8
     */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * The data after the 8-byte header, as a read-only big-endian slice sharing the packet's bytes.
     *
     * @return position 0, limit {@link #payloadLength()}
     */
    public ByteBuffer payload() {
        return buf.slice(payloadOffset(), payloadLength()).asReadOnlyBuffer();
    }

    /**
     * One line as {@code tcpdump -nn} prints it, e.g.
     * {@code IP6 fd00:fa:ce::1 > fd00:fa:ce::5: ICMP6, echo request, id 1, seq 1, length 64}.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        return ip.toString();
    }

    /**
     * The ICMPv6 destination-unreachable code that means to a Linux client what an ICMP (IPv4) one
     * means, for faults given as IPv4 codes: net (0, and 6, 11) → no route (0), host (1, and 7, 12) →
     * address unreachable (3), port (3) → port unreachable (4), administratively prohibited (9, 10, 13)
     * → administratively prohibited (1). The errno differs for the last: {@code EHOSTUNREACH} on IPv4,
     * {@code EACCES} on IPv6.
     *
     * @param icmpCode an ICMP destination-unreachable code
     * @return the ICMPv6 code
     * @throws IllegalArgumentException for codes IPv6 has no destination-unreachable counterpart of
     *     (2 protocol unreachable is a parameter problem in IPv6, 4 fragmentation needed is
     *     {@link #PACKET_TOO_BIG}), or which are not ICMP codes
     */
    public static int unreachableCodeFor(int icmpCode) {
        switch (icmpCode) {
            case 0:
            case 6:
            case 11:
                return UNREACHABLE_NO_ROUTE;
            case 1:
            case 7:
            case 12:
                return UNREACHABLE_ADDRESS;
            case 3:
                return UNREACHABLE_PORT;
            case 9:
            case 10:
            case 13:
                return UNREACHABLE_ADMIN_PROHIBITED;
            case 2:
                throw new IllegalArgumentException("ICMP code 2 (protocol unreachable) has no ICMPv6 destination"
                        + " unreachable counterpart: IPv6 sends a parameter problem (type 4, code 1)");
            case 4:
                throw new IllegalArgumentException("ICMP code 4 (fragmentation needed) has no ICMPv6 destination"
                        + " unreachable counterpart: IPv6 sends Packet Too Big (writePacketTooBig)");
            default:
                throw new IllegalArgumentException("ICMP destination unreachable code " + icmpCode
                        + " has no ICMPv6 counterpart here; use 0 (net), 1 (host), 3 (port) or 13 (admin)");
        }
    }

    /**
     * Writes the reply to an echo request: an IPv6 header from the request's destination to its source,
     * hop limit 64, no extension headers, then the request's ICMPv6 message with type 129 and the
     * checksum recomputed; identifier, sequence number and data stay as they are. {@code dst} may be the
     * request's own buffer at the request's own offset, to answer in place.
     *
     * @param request an echo request, validated by {@link #wrap(Ipv6Packet)}
     * @param dst the destination; the buffer's position and limit are not changed
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     * @throws IllegalArgumentException if {@code request} is not an ICMPv6 echo request, the reply does
     *     not fit, or it would partly overlap the request
     */
    public static int writeEchoReply(Ipv6Packet request, ByteBuffer dst, int offset) {
        ByteBuffer src = request.buffer();
        int icmpOff = request.payloadOffset();
        int icmpLength = request.payloadLength();
        if (request.protocol() != IpProtocol.ICMPV6 || request.isFragment() || icmpLength < HEADER_LENGTH
                || (src.get(icmpOff) & 0xFF) != ECHO_REQUEST) {
            throw new IllegalArgumentException("not an ICMPv6 echo request: " + request);
        }
        int length = Ipv6Packet.HEADER_LENGTH + icmpLength;
        Ipv4Packet.checkFits(dst, offset, length);
        ByteBuffer b = Checksum.bigEndian(dst);
        int ipOff = request.offset();
        boolean same = IcmpMessage.sameMemory(src, b);
        if (same && offset != ipOff && offset < ipOff + request.totalLength() && ipOff < offset + length) {
            throw new IllegalArgumentException("the reply at offset " + offset
                    + " would partly overlap the request at offset " + ipOff + " (" + request.totalLength()
                    + " bytes)");
        }
        long sourceHigh = request.sourceHigh();
        long sourceLow = request.sourceLow();
        long destinationHigh = request.destinationHigh();
        long destinationLow = request.destinationLow();
        int firstWord = src.getInt(ipOff);
        int icmp = offset + Ipv6Packet.HEADER_LENGTH;
        if (!same || icmp != icmpOff) {
            // Forward copy: in place the message only moves towards the start (extension headers dropped).
            for (int i = 0; i < icmpLength; i++) {
                b.put(icmp + i, src.get(icmpOff + i));
            }
        }
        b.putInt(offset, firstWord);
        b.putShort(offset + 4, (short) icmpLength);
        b.put(offset + 6, (byte) IpProtocol.ICMPV6);
        b.put(offset + 7, (byte) 64);
        b.putLong(offset + 8, destinationHigh);
        b.putLong(offset + 16, destinationLow);
        b.putLong(offset + 24, sourceHigh);
        b.putLong(offset + 32, sourceLow);
        b.put(icmp, (byte) ECHO_REPLY);
        b.put(icmp + 1, (byte) 0);
        b.putShort(icmp + 2, (short) 0);
        b.putShort(icmp + 2, (short) Checksum.ipv6(b, offset, IpProtocol.ICMPV6, icmp, icmpLength));
        return length;
    }

    /**
     * Writes the reply to this echo request; see {@link #writeEchoReply(Ipv6Packet, ByteBuffer, int)}.
     *
     * @param dst the destination
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     */
    public int writeEchoReply(ByteBuffer dst, int offset) {
        return writeEchoReply(ip, dst, offset);
    }

    /**
     * Writes a destination unreachable about {@code offending}, from its destination to its source
     * (the fake host answers for itself), hop limit 64, quoting as much of {@code offending} as keeps
     * the message within 1280 bytes ({@link #MAX_QUOTE}).
     *
     * @param offending the packet that cannot be delivered
     * @param code e.g. {@link #UNREACHABLE_PORT}; see {@link #unreachableCodeFor(int)}
     * @param dst the destination, not overlapping {@code offending}; position and limit are not changed
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     * @throws IllegalArgumentException if the message does not fit or the code is not 0..255
     */
    public static int writeDestinationUnreachable(Ipv6Packet offending, int code, ByteBuffer dst, int offset) {
        return writeError(offending, DESTINATION_UNREACHABLE, IpBuilder.checkRange("code", code, 0xFF), 0, dst,
                offset);
    }

    /**
     * Writes a Packet Too Big about {@code offending} with the MTU the next hop allows, from its
     * destination to its source, quoting as much of it as keeps the message within 1280 bytes. Linux
     * then lowers its path MTU to that destination (not below 1280) and sends smaller segments.
     *
     * @param offending the packet that is too big
     * @param mtu the MTU to report, usually at least 1280
     * @param dst the destination, not overlapping {@code offending}; position and limit are not changed
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     * @throws IllegalArgumentException if the message does not fit or the MTU is negative
     */
    public static int writePacketTooBig(Ipv6Packet offending, long mtu, ByteBuffer dst, int offset) {
        IpBuilder.checkRange("mtu", mtu, 0xFFFF_FFFFL);
        return writeError(offending, PACKET_TOO_BIG, 0, (int) mtu, dst, offset);
    }

    private static int writeError(Ipv6Packet offending, int type, int code, int word, ByteBuffer dst, int offset) {
        int quote = Math.min(offending.totalLength(), MAX_QUOTE);
        int icmpLength = HEADER_LENGTH + quote;
        int length = Ipv6Packet.HEADER_LENGTH + icmpLength;
        Ipv4Packet.checkFits(dst, offset, length);
        ByteBuffer b = Checksum.bigEndian(dst);
        int icmp = offset + Ipv6Packet.HEADER_LENGTH;
        b.put(icmp + HEADER_LENGTH, offending.buffer(), offending.offset(), quote);
        b.putInt(offset, 6 << 28);
        b.putShort(offset + 4, (short) icmpLength);
        b.put(offset + 6, (byte) IpProtocol.ICMPV6);
        b.put(offset + 7, (byte) 64);
        b.putLong(offset + 8, offending.destinationHigh());
        b.putLong(offset + 16, offending.destinationLow());
        b.putLong(offset + 24, offending.sourceHigh());
        b.putLong(offset + 32, offending.sourceLow());
        b.put(icmp, (byte) type);
        b.put(icmp + 1, (byte) code);
        b.putShort(icmp + 2, (short) 0);
        b.putInt(icmp + 4, word);
        b.putShort(icmp + 2, (short) Checksum.ipv6(b, offset, IpProtocol.ICMPV6, icmp, icmpLength));
        return length;
    }

    /**
     * A new builder for a complete IPv6 packet carrying an ICMPv6 message.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds IPv6+ICMPv6 packets with the checksum over the IPv6 pseudo-header. Defaults: type
     * {@link #ECHO_REQUEST}, code 0, identifier 0, sequence number 0, no data, hop limit 64. For types
     * other than echo, {@link #word(long)} fills bytes 4-7 (the MTU of a Packet Too Big). The addresses
     * must be IPv6 ones. Reusable: {@link #reset()} restores the defaults.
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int type;
        private int code;
        private int word;

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
            type = ECHO_REQUEST;
            code = 0;
            word = 0;
            return this;
        }

        /**
         * Sets the type (default {@link #ECHO_REQUEST}).
         *
         * @param type 0..255
         * @return this builder
         */
        public Builder type(int type) {
            this.type = checkRange("type", type, 0xFF);
            return this;
        }

        /**
         * Sets the code (default 0).
         *
         * @param code 0..255
         * @return this builder
         */
        public Builder code(int code) {
            this.code = checkRange("code", code, 0xFF);
            return this;
        }

        /**
         * Sets the identifier (bytes 4-5).
         *
         * @param identifier 0..65535
         * @return this builder
         */
        public Builder identifier(int identifier) {
            checkRange("identifier", identifier, 0xFFFF);
            this.word = identifier << 16 | (word & 0xFFFF);
            return this;
        }

        /**
         * Sets the sequence number (bytes 6-7).
         *
         * @param sequenceNumber 0..65535
         * @return this builder
         */
        public Builder sequenceNumber(int sequenceNumber) {
            checkRange("sequence number", sequenceNumber, 0xFFFF);
            this.word = (word & 0xFFFF_0000) | sequenceNumber;
            return this;
        }

        /**
         * Sets bytes 4-7 at once, e.g. the MTU of a Packet Too Big.
         *
         * @param word unsigned 32-bit value
         * @return this builder
         */
        public Builder word(long word) {
            this.word = IpBuilder.checkRange("word", word, 0xFFFF_FFFFL);
            return this;
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return IPv6 header, ICMPv6 header and data, in bytes
         */
        @Override
        public int length() {
            return Ipv6Packet.HEADER_LENGTH + HEADER_LENGTH + payloadLength();
        }

        /**
         * Writes the complete IPv6+ICMPv6 packet, checksum included, at {@code dst[offset]} with absolute
         * puts; the buffer's position and limit are not changed.
         *
         * @param dst the destination
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()}
         * @throws IllegalStateException if an address is not an IPv6 one
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            requireFamily(6, "Icmpv6Message.Builder");
            int length = length();
            ByteBuffer b = writeIpHeader(dst, offset, length, IpProtocol.ICMPV6, 0);
            int i = offset + Ipv6Packet.HEADER_LENGTH;
            b.put(i, (byte) type);
            b.put(i + 1, (byte) code);
            b.putShort(i + 2, (short) 0);
            b.putInt(i + 4, word);
            writePayload(b, i + HEADER_LENGTH);
            b.putShort(i + 2, (short) Checksum.ipv6(b, offset, IpProtocol.ICMPV6, i, length - Ipv6Packet.HEADER_LENGTH));
            return length;
        }
    }
}
