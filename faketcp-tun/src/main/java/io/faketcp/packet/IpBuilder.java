package io.faketcp.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The IP part shared by {@link Ipv4Packet.Builder}, {@link Ipv6Packet.Builder}, {@link TcpSegment.Builder},
 * {@link UdpDatagram.Builder}, {@link IcmpMessage.Builder} and {@link Icmpv6Message.Builder}: addresses,
 * TTL (hop limit), TOS (traffic class), the IPv4 identification and don't-fragment flag, the IPv6 flow
 * label and the payload, with their setters, the checks before writing and the 20-byte IPv4 or 40-byte
 * IPv6 header.
 *
 * <p>The addresses choose the family: IPv4 ones ({@code int} or {@link Inet4Address}) build an IPv4
 * packet, IPv6 ones (two {@code long}s, see {@link Ipv6Packet}, or {@link Inet6Address}) an IPv6 packet,
 * with the IPv6 pseudo-header in the TCP and UDP checksums. Source and destination must be of one
 * family. IPv4-only fields (identification, don't-fragment) are ignored for IPv6, the flow label for
 * IPv4.
 *
 * <p>Self-typed, so that the setters declared here return the concrete builder and calls chain across
 * both levels ({@code TcpSegment.builder().source(a).sourcePort(80)}). Package-private: the public
 * builders are the API, and they show these setters as their own.
 *
 * <p>Nothing here allocates, boxes or dispatches virtually on the way from {@code reset()} through the
 * setters to {@code writeTo}: the setters return {@code this} through an unchecked cast, and the
 * helpers the subclasses call are final. {@link #build()} is the one method that calls into the
 * subclass, and it allocates the packet anyway.
 *
 * @param <B> the concrete builder, which extends {@code IpBuilder<B>}
 */
abstract class IpBuilder<B extends IpBuilder<B>> {

    /** The empty payload (and the empty option list of {@link Ipv4Packet.Builder}). */
    static final byte[] EMPTY = new byte[0];

    private int source;
    private int destination;
    private boolean source6;
    private boolean destination6;
    private long sourceHigh;
    private long sourceLow;
    private long destinationHigh;
    private long destinationLow;
    private int flowLabel;
    private int ttl;
    private int tos;
    private int identification;
    private boolean dontFragment;
    private byte[] payloadArray;
    private ByteBuffer payloadBuffer;

    IpBuilder() {
    }

    /**
     * Restores the fields of this class to their defaults: IPv4 addresses 0.0.0.0, TTL 64, TOS 0,
     * identification 0, DF set, flow label 0.
     */
    final void resetIp() {
        source = 0;
        destination = 0;
        source6 = false;
        destination6 = false;
        sourceHigh = 0;
        sourceLow = 0;
        destinationHigh = 0;
        destinationLow = 0;
        flowLabel = 0;
        ttl = 64;
        tos = 0;
        identification = 0;
        dontFragment = true;
        payloadArray = EMPTY;
        payloadBuffer = null;
    }

    @SuppressWarnings("unchecked") // every subclass is declared as C extends IpBuilder<C>
    private B self() {
        return (B) this;
    }

    /**
     * Sets the IPv4 source address.
     *
     * @param source the address
     * @return this builder
     */
    public B source(Inet4Address source) {
        this.source = Ipv4Packet.toInt(Objects.requireNonNull(source, "source"));
        this.source6 = false;
        return self();
    }

    /**
     * Sets the IPv4 source address as a 32-bit value (first octet high).
     *
     * @param source the address
     * @return this builder
     */
    public B source(int source) {
        this.source = source;
        this.source6 = false;
        return self();
    }

    /**
     * Sets an IPv6 source address, making this an IPv6 packet.
     *
     * @param source the address
     * @return this builder
     */
    public B source(Inet6Address source) {
        Objects.requireNonNull(source, "source");
        return source(Ipv6Packet.high(source), Ipv6Packet.low(source));
    }

    /**
     * Sets an IPv6 source address as two halves (see {@link Ipv6Packet}), making this an IPv6 packet.
     *
     * @param high the first eight bytes, first byte in the high bits
     * @param low the last eight bytes
     * @return this builder
     */
    public B source(long high, long low) {
        this.sourceHigh = high;
        this.sourceLow = low;
        this.source6 = true;
        return self();
    }

    /**
     * Sets the source address of either family; see {@link #source(Inet4Address)} and
     * {@link #source(Inet6Address)}.
     *
     * @param source the address
     * @return this builder
     */
    public B source(InetAddress source) {
        Objects.requireNonNull(source, "source");
        return source instanceof Inet6Address ? source((Inet6Address) source) : source((Inet4Address) source);
    }

    /**
     * Sets the IPv4 destination address.
     *
     * @param destination the address
     * @return this builder
     */
    public B destination(Inet4Address destination) {
        this.destination = Ipv4Packet.toInt(Objects.requireNonNull(destination, "destination"));
        this.destination6 = false;
        return self();
    }

    /**
     * Sets the IPv4 destination address as a 32-bit value (first octet high).
     *
     * @param destination the address
     * @return this builder
     */
    public B destination(int destination) {
        this.destination = destination;
        this.destination6 = false;
        return self();
    }

    /**
     * Sets an IPv6 destination address, making this an IPv6 packet.
     *
     * @param destination the address
     * @return this builder
     */
    public B destination(Inet6Address destination) {
        Objects.requireNonNull(destination, "destination");
        return destination(Ipv6Packet.high(destination), Ipv6Packet.low(destination));
    }

    /**
     * Sets an IPv6 destination address as two halves (see {@link Ipv6Packet}), making this an IPv6 packet.
     *
     * @param high the first eight bytes, first byte in the high bits
     * @param low the last eight bytes
     * @return this builder
     */
    public B destination(long high, long low) {
        this.destinationHigh = high;
        this.destinationLow = low;
        this.destination6 = true;
        return self();
    }

    /**
     * Sets the destination address of either family; see {@link #destination(Inet4Address)} and
     * {@link #destination(Inet6Address)}.
     *
     * @param destination the address
     * @return this builder
     */
    public B destination(InetAddress destination) {
        Objects.requireNonNull(destination, "destination");
        return destination instanceof Inet6Address ? destination((Inet6Address) destination)
                : destination((Inet4Address) destination);
    }

    /**
     * Sets the IPv4 time-to-live (default 64).
     *
     * @param ttl 0..255
     * @return this builder
     */
    public B ttl(int ttl) {
        this.ttl = checkRange("ttl", ttl, 0xFF);
        return self();
    }

    /**
     * Sets the IPv6 hop limit (default 64); the same field as {@link #ttl(int)}.
     *
     * @param hopLimit 0..255
     * @return this builder
     */
    public B hopLimit(int hopLimit) {
        this.ttl = checkRange("hop limit", hopLimit, 0xFF);
        return self();
    }

    /**
     * Sets the IPv6 traffic class (default 0); the same field as {@link #tos(int)}.
     *
     * @param trafficClass 0..255
     * @return this builder
     */
    public B trafficClass(int trafficClass) {
        this.tos = checkRange("traffic class", trafficClass, 0xFF);
        return self();
    }

    /**
     * Sets the IPv6 flow label (default 0; ignored for IPv4).
     *
     * @param flowLabel 0..0xFFFFF
     * @return this builder
     */
    public B flowLabel(int flowLabel) {
        this.flowLabel = checkRange("flow label", flowLabel, 0xFFFFF);
        return self();
    }

    /**
     * Sets the IPv4 type-of-service byte (default 0).
     *
     * @param tos 0..255
     * @return this builder
     */
    public B tos(int tos) {
        this.tos = checkRange("tos", tos, 0xFF);
        return self();
    }

    /**
     * Sets the IPv4 identification field (default 0).
     *
     * @param identification 0..65535
     * @return this builder
     */
    public B identification(int identification) {
        this.identification = checkRange("identification", identification, 0xFFFF);
        return self();
    }

    /**
     * Sets the IPv4 don't-fragment flag (default set).
     *
     * @param dontFragment whether DF is set
     * @return this builder
     */
    public B dontFragment(boolean dontFragment) {
        this.dontFragment = dontFragment;
        return self();
    }

    /**
     * Sets the payload, written as given after the headers this builder writes: the transport header
     * and data for {@link Ipv4Packet.Builder}, the data after the TCP or ICMP header for
     * {@link TcpSegment.Builder} and {@link IcmpMessage.Builder}. The array is read when the packet is
     * written, not copied now.
     *
     * @param payload the bytes (default: none)
     * @return this builder
     */
    public B payload(byte[] payload) {
        this.payloadArray = Objects.requireNonNull(payload, "payload");
        this.payloadBuffer = null;
        return self();
    }

    /**
     * Sets the payload (see {@link #payload(byte[])}) to the remaining bytes of {@code payload}, read
     * when the packet is written without changing the buffer's position.
     *
     * @param payload the bytes between position and limit
     * @return this builder
     */
    public B payload(ByteBuffer payload) {
        this.payloadBuffer = Objects.requireNonNull(payload, "payload");
        this.payloadArray = EMPTY;
        return self();
    }

    /**
     * The length {@link #writeTo} will write.
     *
     * @return the whole packet, in bytes
     */
    public abstract int length();

    /**
     * Writes the whole packet, checksums included, at {@code dst[offset]} with absolute puts; the
     * buffer's position and limit are not changed.
     *
     * @param dst the destination, any byte order
     * @param offset absolute index of the first byte
     * @return the number of bytes written
     * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()} or is
     *     longer than 65535 bytes (IPv6: its payload)
     * @throws IllegalStateException if the source and destination addresses are of different families,
     *     or of the family this builder cannot build
     */
    public abstract int writeTo(ByteBuffer dst, int offset);

    /**
     * Writes the packet into a new array.
     *
     * @return the packet's bytes
     */
    public byte[] build() {
        byte[] packet = new byte[length()];
        writeTo(ByteBuffer.wrap(packet), 0);
        return packet;
    }

    /** The number of payload bytes {@code writeTo} will copy. */
    final int payloadLength() {
        return payloadBuffer != null ? payloadBuffer.remaining() : payloadArray.length;
    }

    /** Copies the payload to {@code b[at]} without touching the source buffer's position. */
    final void writePayload(ByteBuffer b, int at) {
        if (payloadBuffer != null) {
            b.put(at, payloadBuffer, payloadBuffer.position(), payloadBuffer.remaining());
        } else {
            b.put(at, payloadArray);
        }
    }

    /** Whether the addresses make this an IPv6 packet; throws if they disagree. */
    final boolean isIpv6() {
        if (source6 != destination6) {
            throw new IllegalStateException("the source address is " + (source6 ? "IPv6" : "IPv4")
                    + " but the destination address is " + (destination6 ? "IPv6" : "IPv4")
                    + ": set both addresses of one family");
        }
        return source6;
    }

    /** Throws unless the addresses are of {@code family} (4 or 6), for builders of one family. */
    final void requireFamily(int family, String builder) {
        if (isIpv6() != (family == 6)) {
            throw new IllegalStateException(builder + " builds IPv" + family + " packets but the addresses are IPv"
                    + (family == 6 ? 4 : 6) + (family == 6 ? ": use IcmpMessage or Ipv4Packet builders for IPv4"
                    : ": use Icmpv6Message or Ipv6Packet builders for IPv6"));
        }
    }

    /** The IP header length {@link #writeIpHeader} writes: 20 for IPv4, 40 for IPv6. */
    final int ipHeaderLength() {
        return isIpv6() ? Ipv6Packet.HEADER_LENGTH : Ipv4Packet.MIN_HEADER_LENGTH;
    }

    /**
     * The TCP, UDP or ICMPv6 checksum of {@code b[l4Offset, l4Offset + l4Length)} with the pseudo-header
     * of the IPv4 or IPv6 header at {@code ipOffset}.
     */
    final int upperLayerChecksum(ByteBuffer b, int ipOffset, int protocol, int l4Offset, int l4Length) {
        return source6 ? Checksum.ipv6(b, ipOffset, protocol, l4Offset, l4Length)
                : Checksum.tcpUdp(b, ipOffset, protocol, l4Offset, l4Length);
    }

    /**
     * Checks that a packet of {@code totalLength} bytes is a valid length and fits at {@code dst[offset]},
     * then writes the IP header: for IPv4 the 20-byte header (no options), checksum included, for IPv6
     * the 40-byte header with {@code protocol} as next header ({@code fragment} is ignored).
     *
     * @param fragment the more-fragments flag and the fragment offset field, ORed with DF if set
     * @return {@code dst}, or a big-endian view of it, for writing the rest of the packet
     */
    final ByteBuffer writeIpHeader(ByteBuffer dst, int offset, int totalLength, int protocol, int fragment) {
        if (isIpv6()) {
            return writeIpv6Header(dst, offset, totalLength, protocol);
        }
        if (totalLength > 0xFFFF) {
            throw new IllegalArgumentException("packet of " + totalLength
                    + " bytes is longer than the IPv4 maximum of 65535");
        }
        Ipv4Packet.checkFits(dst, offset, totalLength);
        ByteBuffer b = Checksum.bigEndian(dst);
        b.put(offset, (byte) 0x45);
        b.put(offset + 1, (byte) tos);
        b.putShort(offset + 2, (short) totalLength);
        b.putShort(offset + 4, (short) identification);
        b.putShort(offset + 6, (short) ((dontFragment ? Ipv4Packet.DF : 0) | fragment));
        b.put(offset + 8, (byte) ttl);
        b.put(offset + 9, (byte) protocol);
        b.putShort(offset + 10, (short) 0);
        b.putInt(offset + 12, source);
        b.putInt(offset + 16, destination);
        b.putShort(offset + 10, (short) Checksum.compute(b, offset, Ipv4Packet.MIN_HEADER_LENGTH));
        return b;
    }

    private ByteBuffer writeIpv6Header(ByteBuffer dst, int offset, int totalLength, int nextHeader) {
        int payloadLength = totalLength - Ipv6Packet.HEADER_LENGTH;
        if (payloadLength > 0xFFFF) {
            throw new IllegalArgumentException("IPv6 payload of " + payloadLength
                    + " bytes is longer than the maximum of 65535 (jumbograms are not built)");
        }
        Ipv4Packet.checkFits(dst, offset, totalLength);
        ByteBuffer b = Checksum.bigEndian(dst);
        b.putInt(offset, 6 << 28 | tos << 20 | flowLabel);
        b.putShort(offset + 4, (short) payloadLength);
        b.put(offset + 6, (byte) nextHeader);
        b.put(offset + 7, (byte) ttl);
        b.putLong(offset + 8, sourceHigh);
        b.putLong(offset + 16, sourceLow);
        b.putLong(offset + 24, destinationHigh);
        b.putLong(offset + 32, destinationLow);
        return b;
    }

    /** Throws the setters' message unless {@code 0 <= value <= max}. */
    static int checkRange(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0.." + max + ", was " + value);
        }
        return (int) value;
    }

    /** {@code length} rounded up to a multiple of 4, the unit of IPv4 and TCP header lengths. */
    static int padded(int length) {
        return (length + 3) / 4 * 4;
    }

    /** Puts {@code options} at {@code b[at]} followed by zero (end-of-list) bytes up to {@code paddedLength}. */
    static void putPadded(ByteBuffer b, int at, byte[] options, int paddedLength) {
        b.put(at, options);
        for (int i = options.length; i < paddedLength; i++) {
            b.put(at + i, (byte) 0);
        }
    }
}
