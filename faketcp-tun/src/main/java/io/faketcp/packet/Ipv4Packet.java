package io.faketcp.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A read-only view of an IPv4 packet (RFC 791) in a byte buffer, without copying.
 *
 * <p>{@link #wrap(ByteBuffer)} validates the header the way the classic tun programs did and remembers
 * where the packet starts; every accessor then reads the buffer with absolute gets. The view reads the
 * bytes live: refilling the buffer with the next packet invalidates it.
 *
 * <pre>{@code
 * ByteBuffer in = ByteBuffer.allocateDirect(65535);
 * in.limit(tun.read(in));                       // position 0, limit = bytes read
 * Ipv4Packet ip = Ipv4Packet.wrap(in);          // MalformedPacketException: drop it, log the reason
 * if (ip.protocol() == IpProtocol.TCP) { TcpSegment tcp = TcpSegment.wrap(ip); ... }
 * }</pre>
 */
public final class Ipv4Packet implements IpPacket {

    /** Length of an IPv4 header without options. */
    static final int MIN_HEADER_LENGTH = 20;
    /** The don't-fragment bit of the flags-and-offset word. */
    static final int DF = 0x4000;
    private static final int MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private ByteBuffer buf;
    private int off;
    private int headerLength;

    Ipv4Packet() {}

    /**
     * Wraps the packet in {@code buffer[position, limit)} after checking: version 4, IHL at least 5,
     * header within the bytes, total length equal to the bytes available ({@code buffer.remaining()}),
     * header checksum correct. The buffer's position and limit are not changed.
     *
     * <p>A buffer in little-endian order is read through a big-endian duplicate, which
     * {@link #buffer()} then returns; a big-endian buffer (the normal case) is used as is.
     *
     * @param buffer holds exactly one packet between position and limit, as read from a tun device
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static Ipv4Packet wrap(ByteBuffer buffer) throws MalformedPacketException {
        return new Ipv4Packet().bind(buffer);
    }

    /** Checks the packet as {@link #wrap(ByteBuffer)} does and makes this view show it. */
    Ipv4Packet bind(ByteBuffer buffer) throws MalformedPacketException {
        ByteBuffer b = Checksum.bigEndian(buffer);
        int off = b.position();
        int n = b.remaining();
        if (n == 0) {
            throw new MalformedPacketException("empty packet (0 bytes)");
        }
        int version = (b.get(off) >> 4) & 0xF;
        if (version != 4) {
            throw new MalformedPacketException(version == 6
                    ? "IPv6 packet (version 6): wrap it with Ipv6Packet"
                    : "IP version " + version + ", expected 4");
        }
        if (n < MIN_HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "packet of " + n + " bytes is shorter than the minimum IPv4 header of 20 bytes");
        }
        int ihl = b.get(off) & 0xF;
        if (ihl < 5) {
            throw new MalformedPacketException(
                    "header length " + ihl * 4 + " bytes (IHL " + ihl + ") is below the minimum 20");
        }
        int headerLength = ihl * 4;
        if (headerLength > n) {
            throw new MalformedPacketException(
                    "header length " + headerLength + " (IHL " + ihl + ") but " + n + " bytes read");
        }
        int totalLength = b.getShort(off + 2) & 0xFFFF;
        if (totalLength != n) {
            throw new MalformedPacketException("total length " + totalLength + " but " + n + " bytes read");
        }
        if (Checksum.compute(b, off, headerLength) != 0) {
            throw new MalformedPacketException(String.format("bad header checksum 0x%04x (expected 0x%04x)",
                    b.getShort(off + 10) & 0xFFFF, Checksum.expected(b, 0, off, headerLength, off + 10)));
        }
        this.buf = b;
        this.off = off;
        this.headerLength = headerLength;
        return this;
    }

    /**
     * Wraps a packet held in a whole array; see {@link #wrap(ByteBuffer)}.
     *
     * @param packet exactly one packet
     * @return the view over {@code ByteBuffer.wrap(packet)}
     * @throws MalformedPacketException if the packet is not well-formed
     */
    public static Ipv4Packet wrap(byte[] packet) throws MalformedPacketException {
        return wrap(ByteBuffer.wrap(packet));
    }

    /**
     * The buffer the packet is read from (big-endian; see {@link #wrap(ByteBuffer)}).
     *
     * @return the buffer, not a copy
     */
    public ByteBuffer buffer() {
        return buf;
    }

    /**
     * Absolute index in {@link #buffer()} where the IPv4 header starts.
     *
     * @return the offset
     */
    public int offset() {
        return off;
    }

    /**
     * The version field.
     *
     * @return always 4 for a wrapped packet
     */
    public int version() {
        return (buf.get(off) >> 4) & 0xF;
    }

    /**
     * The header length including options.
     *
     * @return IHL times 4, 20..60 bytes
     */
    public int headerLength() {
        return headerLength;
    }

    /**
     * The type-of-service byte (DSCP and ECN).
     *
     * @return 0..255
     */
    public int tos() {
        return buf.get(off + 1) & 0xFF;
    }

    /**
     * The total length field: header plus payload, equal to the bytes wrapped.
     *
     * @return 20..65535
     */
    public int totalLength() {
        return buf.getShort(off + 2) & 0xFFFF;
    }

    /**
     * The identification field.
     *
     * @return 0..65535
     */
    public int identification() {
        return buf.getShort(off + 4) & 0xFFFF;
    }

    /**
     * The don't-fragment flag.
     *
     * @return whether DF is set
     */
    public boolean dontFragment() {
        return (buf.getShort(off + 6) & DF) != 0;
    }

    /**
     * The more-fragments flag.
     *
     * @return whether MF is set
     */
    public boolean moreFragments() {
        return (buf.getShort(off + 6) & MF) != 0;
    }

    /**
     * The fragment offset, in bytes (the field times 8).
     *
     * @return 0..65528
     */
    public int fragmentOffset() {
        return (buf.getShort(off + 6) & OFFSET_MASK) * 8;
    }

    /**
     * Whether this is a fragment of a larger datagram: MF set or a fragment offset other than 0.
     *
     * @return true for any fragment, including the first
     */
    public boolean isFragment() {
        return (buf.getShort(off + 6) & (MF | OFFSET_MASK)) != 0;
    }

    /**
     * The time-to-live field.
     *
     * @return 0..255
     */
    public int ttl() {
        return buf.get(off + 8) & 0xFF;
    }

    /**
     * The protocol field; see {@link IpProtocol}.
     *
     * @return 0..255
     */
    public int protocol() {
        return buf.get(off + 9) & 0xFF;
    }

    /**
     * The header checksum field as stored (already verified by {@link #wrap(ByteBuffer)}).
     *
     * @return 0..65535
     */
    public int headerChecksum() {
        return buf.getShort(off + 10) & 0xFFFF;
    }

    /**
     * The source address as a 32-bit value, first octet in the high byte; no allocation.
     *
     * @return the address, e.g. {@code 0xC0A80001} for 192.168.0.1
     */
    public int sourceInt() {
        return buf.getInt(off + 12);
    }

    /**
     * The destination address as a 32-bit value, first octet in the high byte; no allocation.
     *
     * @return the address
     */
    public int destinationInt() {
        return buf.getInt(off + 16);
    }

    /**
     * The source address.
     *
     * @return a new address object
     */
    public Inet4Address source() {
        return toInet4Address(sourceInt());
    }

    /**
     * The destination address.
     *
     * @return a new address object
     */
    public Inet4Address destination() {
        return toInet4Address(destinationInt());
    }

    /**
     * The source address as dotted-quad text, e.g. {@code "192.168.0.1"}.
     *
     * @return the text
     */
    @Override
    public String sourceText() {
        return toDottedQuad(sourceInt());
    }

    /**
     * The destination address as dotted-quad text.
     *
     * @return the text
     */
    @Override
    public String destinationText() {
        return toDottedQuad(destinationInt());
    }

    /**
     * Absolute index in {@link #buffer()} of the payload, i.e. of the TCP/UDP/ICMP header.
     *
     * @return {@code offset() + headerLength()}
     */
    public int payloadOffset() {
        return off + headerLength;
    }

    /**
     * Length of the payload after the IPv4 header.
     *
     * @return {@code totalLength() - headerLength()}
     */
    public int payloadLength() {
        return totalLength() - headerLength;
    }

    /**
     * One line as {@code tcpdump -nn -S} prints it, e.g.
     * {@code IP 192.168.0.1.41234 > 192.168.0.5.80: Flags [S], seq 1, win 64240, length 0}, for TCP,
     * UDP, ICMP, other protocols and fragments. Never throws, also for a malformed transport header.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        return PacketFormat.ip(this);
    }

    /**
     * A new builder for a generic IPv4 packet with a raw payload.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The 32-bit value of an address, first octet in the high byte.
     *
     * @param address an IPv4 address
     * @return e.g. {@code 0xC0A80001} for 192.168.0.1
     */
    public static int toInt(Inet4Address address) {
        byte[] a = address.getAddress();
        return (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
    }

    /**
     * The address of a 32-bit value, first octet in the high byte. No name lookup is done.
     *
     * @param address e.g. {@code 0xC0A80001}
     * @return e.g. 192.168.0.1
     */
    public static Inet4Address toInet4Address(int address) {
        byte[] a = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    /**
     * The dotted-quad text of a 32-bit address, without allocating an address object.
     *
     * @param address e.g. {@code 0xC0A80001}
     * @return e.g. {@code "192.168.0.1"}
     */
    public static String toDottedQuad(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }

    /** Throws the builders' "does not fit" exception unless {@code length} bytes fit at {@code dst[offset]}. */
    static void checkFits(ByteBuffer dst, int offset, int length) {
        if (offset < 0 || offset > dst.limit() || length > dst.limit() - offset) {
            throw new IllegalArgumentException("packet of " + length + " bytes does not fit in "
                    + Math.max(0, dst.limit() - Math.max(offset, 0)) + " bytes at offset " + offset
                    + " (buffer limit " + dst.limit() + ")");
        }
    }

    /**
     * Builds IPv4 packets with any protocol and a raw payload (no transport checksum is computed), e.g.
     * UDP datagrams, fragments and packets with IP options for tests. Defaults: TTL 64, TOS 0,
     * identification 0, DF set, no options, empty payload. Reusable: {@link #reset()} restores them.
     *
     * <pre>{@code
     * byte[] fragment = Ipv4Packet.builder().protocol(IpProtocol.UDP).source(a).destination(b)
     *         .identification(7).dontFragment(false).moreFragments(true).payload(firstEightBytes).build();
     * }</pre>
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int protocol;
        private boolean moreFragments;
        private int fragmentOffset;
        private byte[] options;

        private Builder() {
            reset();
        }

        /**
         * Restores every field to its default, so one builder can serve many packets.
         *
         * @return this builder
         */
        public Builder reset() {
            resetIp();
            protocol = 0;
            moreFragments = false;
            fragmentOffset = 0;
            options = EMPTY;
            return this;
        }

        /**
         * Sets the protocol field.
         *
         * @param protocol 0..255, see {@link IpProtocol}
         * @return this builder
         */
        public Builder protocol(int protocol) {
            this.protocol = checkRange("protocol", protocol, 0xFF);
            return this;
        }

        /**
         * Sets the more-fragments flag (default clear).
         *
         * @param moreFragments whether MF is set
         * @return this builder
         */
        public Builder moreFragments(boolean moreFragments) {
            this.moreFragments = moreFragments;
            return this;
        }

        /**
         * Sets the fragment offset in bytes (default 0).
         *
         * @param fragmentOffset a multiple of 8, at most 65528
         * @return this builder
         */
        public Builder fragmentOffset(int fragmentOffset) {
            if (fragmentOffset % 8 != 0) {
                throw new IllegalArgumentException("fragment offset must be a multiple of 8 bytes, was "
                        + fragmentOffset);
            }
            this.fragmentOffset = checkRange("fragment offset", fragmentOffset, OFFSET_MASK * 8);
            return this;
        }

        /**
         * Sets the IP options, copied as given and padded with zero (end-of-list) bytes to a multiple of 4.
         *
         * @param options at most 40 bytes; empty for none (the default)
         * @return this builder
         */
        public Builder options(byte[] options) {
            checkRange("options length", options.length, 40);
            this.options = options.clone();
            return this;
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return header, padded options and payload, in bytes
         */
        @Override
        public int length() {
            return MIN_HEADER_LENGTH + padded(options.length) + payloadLength();
        }

        /**
         * Writes the packet, header checksum included, at {@code dst[offset]} with absolute puts; the
         * buffer's position and limit are not changed. The payload is written as given (no transport
         * checksum is computed).
         *
         * @param dst the destination, any byte order
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()} or is
         *     longer than 65535 bytes
         * @throws IllegalStateException if an address is not an IPv4 one (see {@link Ipv6Packet.Builder})
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            requireFamily(4, "Ipv4Packet.Builder");
            int optionsLength = padded(options.length);
            int headerLength = MIN_HEADER_LENGTH + optionsLength;
            int length = length();
            ByteBuffer b = writeIpHeader(dst, offset, length, protocol,
                    (moreFragments ? MF : 0) | fragmentOffset / 8);
            b.put(offset, (byte) (0x40 | headerLength / 4));
            putPadded(b, offset + MIN_HEADER_LENGTH, options, optionsLength);
            writePayload(b, offset + headerLength);
            b.putShort(offset + 10, (short) 0);
            b.putShort(offset + 10, (short) Checksum.compute(b, offset, headerLength));
            return length;
        }
    }
}
