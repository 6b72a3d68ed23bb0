package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * A read-only view of an ICMP message (RFC 792) inside an {@link Ipv4Packet}, without copying.
 *
 * <p>Answering a ping needs no view and no builder: {@link #writeEchoReply(Ipv4Packet, ByteBuffer, int)}
 * turns the request into its reply, also in place.
 *
 * <pre>{@code
 * IcmpMessage icmp = IcmpMessage.wrap(ip);
 * if (icmp.isEchoRequest()) {
 *     tun.write(out, IcmpMessage.writeEchoReply(ip, out, 0));
 * }
 * }</pre>
 */
public final class IcmpMessage {

    /** Type of an echo reply. */
    public static final int ECHO_REPLY = 0;
    /** Type of a destination-unreachable message. */
    public static final int DEST_UNREACHABLE = 3;
    /** Type of an echo request. */
    public static final int ECHO_REQUEST = 8;
    /** Type of a time-exceeded message. */
    public static final int TIME_EXCEEDED = 11;

    static final int HEADER_LENGTH = 8;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private Ipv4Packet ip;
    private ByteBuffer buf;
    private int off;
    private int length;

    IcmpMessage() {}

    /**
     * Wraps the ICMP message carried by {@code ip} after checking: protocol ICMP, not a fragment, at
     * least 8 bytes, checksum correct.
     *
     * @param ip a wrapped IPv4 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static IcmpMessage wrap(Ipv4Packet ip) throws MalformedPacketException {
        return parse(ip, true);
    }

    /** {@code strict} false skips the fragment and checksum checks, for printing. */
    static IcmpMessage parse(Ipv4Packet ip, boolean strict) throws MalformedPacketException {
        return new IcmpMessage().bind(ip, strict);
    }

    /** Checks the message as {@link #parse} does and makes this view show it. */
    IcmpMessage bind(Ipv4Packet ip, boolean strict) throws MalformedPacketException {
        if (ip.protocol() != IpProtocol.ICMP) {
            throw new MalformedPacketException("protocol " + ip.protocol() + " is not ICMP (1)");
        }
        if (strict && ip.isFragment()) {
            throw new MalformedPacketException(PacketFormat.fragmentReason(ip, "ICMP"));
        }
        int length = ip.payloadLength();
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "ICMP message of " + length + " bytes is shorter than the minimum header of 8 bytes");
        }
        if (strict && Checksum.compute(ip.buffer(), ip.payloadOffset(), length) != 0) {
            throw new MalformedPacketException(String.format("bad ICMP checksum 0x%04x (expected 0x%04x)",
                    ip.buffer().getShort(ip.payloadOffset() + 2) & 0xFFFF, expectedChecksum(ip)));
        }
        this.ip = ip;
        this.buf = ip.buffer();
        this.off = ip.payloadOffset();
        this.length = length;
        return this;
    }

    /** The checksum the message in {@code ip} should carry. */
    static int expectedChecksum(Ipv4Packet ip) {
        int off = ip.payloadOffset();
        return Checksum.expected(ip.buffer(), 0, off, ip.payloadLength(), off + 2);
    }

    /**
     * The IPv4 packet carrying this message.
     *
     * @return the packet view
     */
    public Ipv4Packet ip() {
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
     * The checksum field as stored (verified by {@link #wrap(Ipv4Packet)}).
     *
     * @return 0..65535
     */
    public int checksum() {
        return buf.getShort(off + 2) & 0xFFFF;
    }

    /**
     * The identifier of an echo request or reply (bytes 4-5; other types use them differently).
     *
     * @return 0..65535
     */
    public int identifier() {
        return buf.getShort(off + 4) & 0xFFFF;
    }

    /**
     * The sequence number of an echo request or reply (bytes 6-7; other types use them differently).
     *
     * @return 0..65535
     */
    public int sequenceNumber() {
        return buf.getShort(off + 6) & 0xFFFF;
    }

    /**
     * Whether this is an echo request (type 8, code 0), i.e. a ping.
     *
     * @return true for a ping
     */
    public boolean isEchoRequest() {
        return type() == ECHO_REQUEST && code() == 0;
    }

    /**
     * Whether this is an echo reply (type 0, code 0).
     *
     * @return true for a ping reply
     */
    public boolean isEchoReply() {
        return type() == ECHO_REPLY && code() == 0;
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
     * The number of data bytes after the 8-byte header.
     *
     * @return ICMP length minus 8
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
     * Writes the reply to an echo request: the request copied to {@code dst[offset]}, addresses swapped,
     * TTL 64, type 0 and both checksums recomputed; identifier, sequence number and data stay as they
     * are. {@code dst} may be the request's own buffer at the request's own offset, to answer in place.
     *
     * @param request an echo request, validated by {@link #wrap(Ipv4Packet)}
     * @param dst the destination; the buffer's position and limit are not changed
     * @param offset absolute index of the first byte
     * @return the number of bytes written (the request's total length)
     * @throws IllegalArgumentException if {@code request} is not an ICMP echo request, the reply does not
     *     fit, or it would partly overlap the request
     */
    public static int writeEchoReply(Ipv4Packet request, ByteBuffer dst, int offset) {
        ByteBuffer src = request.buffer();
        int ipOff = request.offset();
        int icmpOff = request.payloadOffset();
        int length = request.totalLength();
        if (request.protocol() != IpProtocol.ICMP || request.isFragment()
                || request.payloadLength() < HEADER_LENGTH || src.get(icmpOff) != ECHO_REQUEST) {
            throw new IllegalArgumentException("not an ICMP echo request: " + request);
        }
        Ipv4Packet.checkFits(dst, offset, length);
        ByteBuffer b = Checksum.bigEndian(dst);
        boolean inPlace = sameMemory(src, b) && offset == ipOff;
        if (!inPlace) {
            if (sameMemory(src, b) && offset < ipOff + length && ipOff < offset + length) {
                throw new IllegalArgumentException("the reply at offset " + offset
                        + " would partly overlap the request at offset " + ipOff + " (" + length + " bytes)");
            }
            b.put(offset, src, ipOff, length);
        }
        int source = b.getInt(offset + 12);
        b.putInt(offset + 12, b.getInt(offset + 16));
        b.putInt(offset + 16, source);
        b.put(offset + 8, (byte) 64);
        int headerLength = request.headerLength();
        b.putShort(offset + 10, (short) 0);
        b.putShort(offset + 10, (short) Checksum.compute(b, offset, headerLength));
        int icmp = offset + headerLength;
        b.put(icmp, (byte) ECHO_REPLY);
        b.put(icmp + 1, (byte) 0);
        b.putShort(icmp + 2, (short) 0);
        b.putShort(icmp + 2, (short) Checksum.compute(b, icmp, length - headerLength));
        return length;
    }

    /**
     * Writes the reply to this echo request; see {@link #writeEchoReply(Ipv4Packet, ByteBuffer, int)}.
     *
     * @param dst the destination
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     */
    public int writeEchoReply(ByteBuffer dst, int offset) {
        return writeEchoReply(ip, dst, offset);
    }

    /** Whether the two buffers are the same heap array or the same buffer object. */
    static boolean sameMemory(ByteBuffer a, ByteBuffer b) {
        if (a == b) {
            return true;
        }
        if (a.hasArray() && b.hasArray()) {
            return a.array() == b.array() && a.arrayOffset() == b.arrayOffset();
        }
        return false; // distinct direct buffers; duplicates of one direct buffer are the caller's business
    }

    /**
     * One line as {@code tcpdump -nn} prints it, e.g.
     * {@code IP 192.168.0.1 > 192.168.0.5: ICMP echo request, id 1234, seq 1, length 64}.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(96);
        PacketFormat.icmp(sb, this);
        return sb.toString();
    }

    /**
     * A new builder for a complete IPv4 packet carrying an ICMP message.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds IPv4+ICMP packets with both checksums. Defaults: type {@link #ECHO_REQUEST}, code 0,
     * identifier 0, sequence number 0, no data, TTL 64, TOS 0, identification 0, DF set. For types other
     * than echo, identifier and sequence number fill the second 32-bit word (e.g. the next-hop MTU in the
     * sequence number of a "fragmentation needed"). Reusable: {@link #reset()} restores the defaults.
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int type;
        private int code;
        private int identifier;
        private int sequenceNumber;

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
            identifier = 0;
            sequenceNumber = 0;
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
            this.identifier = checkRange("identifier", identifier, 0xFFFF);
            return this;
        }

        /**
         * Sets the sequence number (bytes 6-7).
         *
         * @param sequenceNumber 0..65535
         * @return this builder
         */
        public Builder sequenceNumber(int sequenceNumber) {
            this.sequenceNumber = checkRange("sequence number", sequenceNumber, 0xFFFF);
            return this;
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return IPv4 header, ICMP header and data, in bytes
         */
        @Override
        public int length() {
            return Ipv4Packet.MIN_HEADER_LENGTH + HEADER_LENGTH + payloadLength();
        }

        /**
         * Writes the complete IPv4+ICMP packet, both checksums included, at {@code dst[offset]} with
         * absolute puts; the buffer's position and limit are not changed.
         *
         * @param dst the destination
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()}
         * @throws IllegalStateException if an address is not an IPv4 one (see {@link Icmpv6Message})
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            requireFamily(4, "IcmpMessage.Builder");
            int length = length();
            ByteBuffer b = writeIpHeader(dst, offset, length, IpProtocol.ICMP, 0);
            int i = offset + Ipv4Packet.MIN_HEADER_LENGTH;
            b.put(i, (byte) type);
            b.put(i + 1, (byte) code);
            b.putShort(i + 2, (short) 0);
            b.putShort(i + 4, (short) identifier);
            b.putShort(i + 6, (short) sequenceNumber);
            writePayload(b, i + HEADER_LENGTH);
            b.putShort(i + 2, (short) Checksum.compute(b, i, length - Ipv4Packet.MIN_HEADER_LENGTH));
            return length;
        }
    }
}
