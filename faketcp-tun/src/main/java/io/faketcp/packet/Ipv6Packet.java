package io.faketcp.packet;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A read-only view of an IPv6 packet (RFC 8200) in a byte buffer, without copying; the IPv6 twin of
 * {@link Ipv4Packet}, with the same names where the fields mean the same.
 *
 * <p>{@link #wrap(ByteBuffer)} validates the fixed header and walks the extension headers to the
 * upper-layer header, so {@link #protocol()}, {@link #payloadOffset()} and {@link #payloadLength()} mean
 * what they mean for IPv4 (the TCP, UDP or ICMPv6 header and what follows), and {@link #nextHeader()}
 * is the fixed header's own field. The extension headers:
 * <ul>
 *   <li>Hop-by-Hop Options (0, only directly after the fixed header, as RFC 8200 §4.1 requires) and
 *       Destination Options (60) are skipped; their options are not read (Linux puts a router alert in
 *       the Hop-by-Hop header of its MLD reports).</li>
 *   <li>A Routing header (43) is skipped when no segments are left; with segments left the packet is
 *       refused: a fake host is not a router and would have to forward it.</li>
 *   <li>A Fragment header (44) is skipped and remembered, as the IPv4 fragment fields are:
 *       {@link #isFragment()}, {@link #fragmentOffset()}, {@link #moreFragments()},
 *       {@link #identification()}. Fragments are not reassembled; {@link TcpSegment#wrap(IpPacket)} and
 *       the other upper-layer views refuse a real fragment, as they do for IPv4. An atomic fragment
 *       (offset 0, no more fragments) is a whole packet. In a later fragment (offset not 0) the walk
 *       stops after the Fragment header.</li>
 *   <li>Anything else (upper-layer protocols, No Next Header 59, ESP 50, AH 51) ends the walk and is
 *       the {@link #protocol()}.</li>
 * </ul>
 *
 * <p><b>Addresses without allocation.</b> An IPv6 address is two {@code long}s: {@link #sourceHigh()}
 * holds the first eight bytes (the first byte in the high bits, as {@link ByteBuffer#getLong} reads
 * them), {@link #sourceLow()} the last eight; so fd00:fa:ce::5 is {@code high = 0xfd0000fa00ce0000L,
 * low = 5}. Compare, hash and store the pair; builders take it ({@code source(high, low)}). At the edges
 * {@link #toInet6Address(long, long)}, {@link #high(Inet6Address)}, {@link #low(Inet6Address)} and
 * {@link #toText(long, long)} (RFC 5952, as tcpdump prints) convert.
 *
 * <pre>{@code
 * ByteBuffer in = ByteBuffer.allocateDirect(65535);
 * in.limit(tun.read(in));
 * if (PacketViews.version(in) == 6) {
 *     Ipv6Packet ip = Ipv6Packet.wrap(in);          // MalformedPacketException: drop it, log the reason
 *     if (ip.protocol() == IpProtocol.TCP) { TcpSegment tcp = TcpSegment.wrap(ip); ... }
 * }
 * }</pre>
 */
public final class Ipv6Packet implements IpPacket {

    /** Length of the fixed IPv6 header. */
    public static final int HEADER_LENGTH = 40;
    /** The minimum link MTU of IPv6 (RFC 8200 §5): no ICMPv6 error is longer. */
    public static final int MINIMUM_MTU = 1280;

    private static final int MORE_FRAGMENTS = 1;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private ByteBuffer buf;
    private int off;
    private int headerLength;
    private int protocol;
    /** The fragment header's offset-and-flags word, or -1 without a fragment header. */
    private int fragmentWord;
    private int fragmentId;

    Ipv6Packet() {}

    /**
     * Wraps the packet in {@code buffer[position, limit)} after checking: version 6, at least the 40-byte
     * header, a payload length field equal to the bytes after the header (jumbograms are refused), and
     * well-formed extension headers as the class comment says. The buffer's position and limit are not
     * changed; a little-endian buffer is read through a big-endian duplicate, which {@link #buffer()}
     * then returns.
     *
     * @param buffer holds exactly one packet between position and limit, as read from a tun device
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static Ipv6Packet wrap(ByteBuffer buffer) throws MalformedPacketException {
        return new Ipv6Packet().bind(buffer);
    }

    /**
     * Wraps a packet held in a whole array; see {@link #wrap(ByteBuffer)}.
     *
     * @param packet exactly one packet
     * @return the view over {@code ByteBuffer.wrap(packet)}
     * @throws MalformedPacketException if the packet is not well-formed
     */
    public static Ipv6Packet wrap(byte[] packet) throws MalformedPacketException {
        return wrap(ByteBuffer.wrap(packet));
    }

    /** Checks the packet as {@link #wrap(ByteBuffer)} does and makes this view show it. */
    Ipv6Packet bind(ByteBuffer buffer) throws MalformedPacketException {
        ByteBuffer b = Checksum.bigEndian(buffer);
        int off = b.position();
        int n = b.remaining();
        if (n == 0) {
            throw new MalformedPacketException("empty packet (0 bytes)");
        }
        int version = (b.get(off) >> 4) & 0xF;
        if (version != 6) {
            throw new MalformedPacketException(version == 4
                    ? "IPv4 packet (version 4): wrap it with Ipv4Packet"
                    : "IP version " + version + ", expected 6");
        }
        if (n < HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "packet of " + n + " bytes is shorter than the IPv6 header of 40 bytes");
        }
        int payloadLength = b.getShort(off + 4) & 0xFFFF;
        if (payloadLength + HEADER_LENGTH != n) {
            throw new MalformedPacketException(payloadLength == 0 && n > HEADER_LENGTH
                    ? "payload length 0 with " + (n - HEADER_LENGTH) + " bytes after the header: jumbograms"
                            + " (RFC 2675) are not supported"
                    : "payload length " + payloadLength + " but " + (n - HEADER_LENGTH)
                            + " bytes read after the 40-byte header");
        }
        int next = b.get(off + 6) & 0xFF;
        int at = off + HEADER_LENGTH;
        int end = off + n;
        int fragmentWord = -1;
        int fragmentId = 0;
        walk:
        while (true) {
            switch (next) {
                case IpProtocol.HOP_BY_HOP:
                case IpProtocol.ROUTING:
                case IpProtocol.DESTINATION_OPTIONS: {
                    if (next == IpProtocol.HOP_BY_HOP && at != off + HEADER_LENGTH) {
                        throw new MalformedPacketException("hop-by-hop options header at byte " + (at - off)
                                + ": it may only follow the IPv6 header directly (RFC 8200 section 4.1)");
                    }
                    if (end - at < 8) {
                        throw new MalformedPacketException(extensionName(next) + " header at byte " + (at - off)
                                + " needs 8 bytes but " + (end - at) + " are left");
                    }
                    int length = ((b.get(at + 1) & 0xFF) + 1) * 8;
                    if (length > end - at) {
                        throw new MalformedPacketException(extensionName(next) + " header at byte " + (at - off)
                                + " is " + length + " bytes but " + (end - at) + " are left");
                    }
                    if (next == IpProtocol.ROUTING && (b.get(at + 3) & 0xFF) != 0) {
                        throw new MalformedPacketException("routing header type " + (b.get(at + 2) & 0xFF) + " with "
                                + (b.get(at + 3) & 0xFF) + " segments left: the packet is to be forwarded,"
                                + " and a fake host does not forward");
                    }
                    next = b.get(at) & 0xFF;
                    at += length;
                    break;
                }
                case IpProtocol.FRAGMENT: {
                    if (fragmentWord >= 0) {
                        throw new MalformedPacketException("second fragment header at byte " + (at - off));
                    }
                    if (end - at < 8) {
                        throw new MalformedPacketException("fragment header at byte " + (at - off)
                                + " needs 8 bytes but " + (end - at) + " are left");
                    }
                    fragmentWord = b.getShort(at + 2) & 0xFFFF;
                    fragmentId = b.getInt(at + 4);
                    next = b.get(at) & 0xFF;
                    at += 8;
                    if ((fragmentWord & ~7) != 0) {
                        break walk; // a later fragment: what follows is data, not a header
                    }
                    break;
                }
                default:
                    break walk;
            }
        }
        this.buf = b;
        this.off = off;
        this.headerLength = at - off;
        this.protocol = next;
        this.fragmentWord = fragmentWord;
        this.fragmentId = fragmentId;
        return this;
    }

    private static String extensionName(int next) {
        return next == IpProtocol.HOP_BY_HOP ? "hop-by-hop options"
                : next == IpProtocol.ROUTING ? "routing" : "destination options";
    }

    /**
     * The buffer the packet is read from (big-endian; see {@link #wrap(ByteBuffer)}).
     *
     * @return the buffer, not a copy
     */
    @Override
    public ByteBuffer buffer() {
        return buf;
    }

    /**
     * Absolute index in {@link #buffer()} where the IPv6 header starts.
     *
     * @return the offset
     */
    @Override
    public int offset() {
        return off;
    }

    /**
     * The version field.
     *
     * @return always 6 for a wrapped packet
     */
    @Override
    public int version() {
        return (buf.get(off) >> 4) & 0xF;
    }

    /**
     * The traffic class byte (DSCP and ECN), IPv6's type of service.
     *
     * @return 0..255
     */
    public int trafficClass() {
        return (buf.getShort(off) >> 4) & 0xFF;
    }

    /**
     * The flow label.
     *
     * @return 0..0xFFFFF
     */
    public int flowLabel() {
        return buf.getInt(off) & 0xFFFFF;
    }

    /**
     * The next-header field of the fixed header: the upper-layer protocol or the first extension header.
     * See {@link #protocol()} for the protocol after the extension headers.
     *
     * @return 0..255
     */
    public int nextHeader() {
        return buf.get(off + 6) & 0xFF;
    }

    /**
     * The upper-layer protocol after the extension headers; see {@link IpProtocol}.
     *
     * @return 0..255, e.g. {@link IpProtocol#TCP}
     */
    @Override
    public int protocol() {
        return protocol;
    }

    /**
     * The hop limit, IPv6's time-to-live.
     *
     * @return 0..255
     */
    public int hopLimit() {
        return buf.get(off + 7) & 0xFF;
    }

    /**
     * The fixed header and the extension headers before the upper-layer header.
     *
     * @return 40 without extension headers
     */
    @Override
    public int headerLength() {
        return headerLength;
    }

    /**
     * The whole packet: the 40-byte header plus the payload length field (which counts the extension
     * headers too).
     *
     * @return 40..65575, equal to the bytes wrapped
     */
    @Override
    public int totalLength() {
        return HEADER_LENGTH + (buf.getShort(off + 4) & 0xFFFF);
    }

    /**
     * Absolute index in {@link #buffer()} of the upper-layer header (TCP, UDP, ICMPv6), after the
     * extension headers.
     *
     * @return {@code offset() + headerLength()}
     */
    @Override
    public int payloadOffset() {
        return off + headerLength;
    }

    /**
     * Length of the upper-layer header and data: the payload length field minus the extension headers.
     *
     * @return {@code totalLength() - headerLength()}
     */
    @Override
    public int payloadLength() {
        return totalLength() - headerLength;
    }

    /**
     * The upper-layer header and data, as a read-only big-endian slice sharing the packet's bytes.
     *
     * @return position 0, limit {@link #payloadLength()}
     */
    public ByteBuffer payload() {
        return buf.slice(payloadOffset(), payloadLength()).asReadOnlyBuffer();
    }

    /**
     * Whether the packet has a Fragment header, atomic fragments included.
     *
     * @return true with a Fragment header
     */
    public boolean hasFragmentHeader() {
        return fragmentWord >= 0;
    }

    /**
     * Whether this is a fragment of a larger packet: a Fragment header with more fragments set or an
     * offset other than 0 (an atomic fragment is not one).
     *
     * @return true for any real fragment, including the first
     */
    @Override
    public boolean isFragment() {
        return fragmentWord > 0 && (fragmentWord & ~6) != 0;
    }

    /**
     * The more-fragments flag of the Fragment header.
     *
     * @return false without a Fragment header
     */
    public boolean moreFragments() {
        return fragmentWord > 0 && (fragmentWord & MORE_FRAGMENTS) != 0;
    }

    /**
     * The fragment offset of the Fragment header, in bytes.
     *
     * @return 0..65528; 0 without a Fragment header
     */
    public int fragmentOffset() {
        return fragmentWord > 0 ? fragmentWord & ~7 : 0;
    }

    /**
     * The identification of the Fragment header.
     *
     * @return unsigned 32-bit value; 0 without a Fragment header
     */
    public long identification() {
        return fragmentId & 0xFFFF_FFFFL;
    }

    /**
     * The first eight bytes of the source address (first byte in the high bits); no allocation.
     *
     * @return e.g. {@code 0xfd0000fa00ce0000L} for fd00:fa:ce::1
     */
    public long sourceHigh() {
        return buf.getLong(off + 8);
    }

    /**
     * The last eight bytes of the source address; no allocation.
     *
     * @return e.g. {@code 1} for fd00:fa:ce::1
     */
    public long sourceLow() {
        return buf.getLong(off + 16);
    }

    /**
     * The first eight bytes of the destination address; no allocation.
     *
     * @return the high half
     */
    public long destinationHigh() {
        return buf.getLong(off + 24);
    }

    /**
     * The last eight bytes of the destination address; no allocation.
     *
     * @return the low half
     */
    public long destinationLow() {
        return buf.getLong(off + 32);
    }

    /**
     * The source address.
     *
     * @return a new address object (an {@link Inet6Address} also for IPv4-mapped addresses)
     */
    @Override
    public Inet6Address source() {
        return toInet6Address(sourceHigh(), sourceLow());
    }

    /**
     * The destination address.
     *
     * @return a new address object
     */
    @Override
    public Inet6Address destination() {
        return toInet6Address(destinationHigh(), destinationLow());
    }

    /**
     * The source address in RFC 5952 text.
     *
     * @return e.g. {@code "fd00:fa:ce::1"}
     */
    @Override
    public String sourceText() {
        return toText(sourceHigh(), sourceLow());
    }

    /**
     * The destination address in RFC 5952 text.
     *
     * @return e.g. {@code "fd00:fa:ce::5"}
     */
    @Override
    public String destinationText() {
        return toText(destinationHigh(), destinationLow());
    }

    /**
     * One line as {@code tcpdump -nn -S} prints it, e.g.
     * {@code IP6 fd00:fa:ce::1.54321 > fd00:fa:ce::5.80: Flags [S], seq 1, win 64800, length 0}, for TCP,
     * UDP, ICMPv6 and other protocols. Never throws, also for a malformed upper-layer header.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        return PacketFormat.ip(this);
    }

    /**
     * A new builder for a generic IPv6 packet with a raw payload.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The first eight bytes of an address, first byte in the high bits.
     *
     * @param address an IPv6 address
     * @return the high half
     */
    public static long high(Inet6Address address) {
        return ByteBuffer.wrap(address.getAddress()).getLong(0);
    }

    /**
     * The last eight bytes of an address.
     *
     * @param address an IPv6 address
     * @return the low half
     */
    public static long low(Inet6Address address) {
        return ByteBuffer.wrap(address.getAddress()).getLong(8);
    }

    /**
     * The address of two halves. No name lookup is done; no scope is set. Always an {@link Inet6Address},
     * also for an IPv4-mapped address (which {@code InetAddress.getByAddress} would turn into IPv4).
     *
     * @param high the first eight bytes
     * @param low the last eight bytes
     * @return the address
     */
    public static Inet6Address toInet6Address(long high, long low) {
        byte[] a = new byte[16];
        ByteBuffer.wrap(a).putLong(high).putLong(low);
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an IPv6 address", e);
        }
    }

    /**
     * The RFC 5952 text of an address, as tcpdump and {@code inet_ntop} print it: lowercase hex, no
     * leading zeros, the longest run of two or more zero groups (the first of equal runs) as {@code ::},
     * and an IPv4-mapped address as {@code ::ffff:192.168.0.5}. Java's {@link Inet6Address#toString()}
     * prints every group instead ({@code fd00:fa:ce:0:0:0:0:1}).
     *
     * @param high the first eight bytes
     * @param low the last eight bytes
     * @return e.g. {@code "fd00:fa:ce::1"}
     */
    public static String toText(long high, long low) {
        StringBuilder sb = new StringBuilder(39);
        appendText(sb, high, low);
        return sb.toString();
    }

    /**
     * The RFC 5952 text of an address; see {@link #toText(long, long)}.
     *
     * @param address the address
     * @return e.g. {@code "fd00:fa:ce::1"}
     */
    public static String toText(Inet6Address address) {
        Objects.requireNonNull(address, "address");
        return toText(high(address), low(address));
    }

    /** Appends the RFC 5952 text of an address to {@code sb}. */
    static void appendText(StringBuilder sb, long high, long low) {
        if (high == 0 && (low >>> 32) == 0xFFFF) {
            sb.append("::ffff:").append(Ipv4Packet.toDottedQuad((int) low));
            return;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(high, low, i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(high, low, j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(high, low, i)));
        }
    }

    /** The 16-bit group {@code i} (0..7) of an address. */
    private static int group(long high, long low, int i) {
        long half = i < 4 ? high : low;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xFFFF;
    }

    /**
     * Builds IPv6 packets with any next header and a raw payload (no upper-layer checksum is computed),
     * for example packets with extension headers for tests: put them at the start of the payload and
     * set {@link #nextHeader(int)} to the first one. Defaults: hop limit 64, traffic class 0, flow label
     * 0, next header {@link IpProtocol#NO_NEXT_HEADER}, empty payload. The addresses must be IPv6 ones.
     * Reusable: {@link #reset()} restores the defaults.
     *
     * <pre>{@code
     * byte[] packet = Ipv6Packet.builder().source(a).destination(b).nextHeader(IpProtocol.UDP)
     *         .payload(udpHeaderAndData).build();
     * }</pre>
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int nextHeader;

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
            nextHeader = IpProtocol.NO_NEXT_HEADER;
            return this;
        }

        /**
         * Sets the next-header field.
         *
         * @param nextHeader 0..255, see {@link IpProtocol}
         * @return this builder
         */
        public Builder nextHeader(int nextHeader) {
            this.nextHeader = checkRange("next header", nextHeader, 0xFF);
            return this;
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return the 40-byte header and the payload, in bytes
         */
        @Override
        public int length() {
            return HEADER_LENGTH + payloadLength();
        }

        /**
         * Writes the packet at {@code dst[offset]} with absolute puts; the buffer's position and limit are
         * not changed. The payload is written as given.
         *
         * @param dst the destination, any byte order
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()} or its
         *     payload is longer than 65535 bytes
         * @throws IllegalStateException if an address is not an IPv6 one
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            requireFamily(6, "Ipv6Packet.Builder");
            int length = length();
            ByteBuffer b = writeIpHeader(dst, offset, length, nextHeader, 0);
            writePayload(b, offset + HEADER_LENGTH);
            return length;
        }
    }
}
