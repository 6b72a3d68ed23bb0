package io.faketcp.packet;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The IPv4 part shared by {@link Ipv4Packet.Builder}, {@link TcpSegment.Builder} and
 * {@link IcmpMessage.Builder}: addresses, TTL, TOS, identification, the don't-fragment flag and the
 * payload, with their setters, the checks before writing and the 20-byte header.
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
    private int ttl;
    private int tos;
    private int identification;
    private boolean dontFragment;
    private byte[] payloadArray;
    private ByteBuffer payloadBuffer;

    IpBuilder() {
    }

    /** Restores the fields of this class to their defaults: TTL 64, TOS 0, identification 0, DF set. */
    final void resetIp() {
        source = 0;
        destination = 0;
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
        return self();
    }

    /**
     * Sets the IPv4 destination address.
     *
     * @param destination the address
     * @return this builder
     */
    public B destination(Inet4Address destination) {
        this.destination = Ipv4Packet.toInt(Objects.requireNonNull(destination, "destination"));
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
        return self();
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
     *     longer than 65535 bytes
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

    /**
     * Checks that a packet of {@code totalLength} bytes is a valid IPv4 length and fits at
     * {@code dst[offset]}, then writes the 20-byte header (no options), checksum included.
     *
     * @param fragment the more-fragments flag and the fragment offset field, ORed with DF if set
     * @return {@code dst}, or a big-endian view of it, for writing the rest of the packet
     */
    final ByteBuffer writeIpHeader(ByteBuffer dst, int offset, int totalLength, int protocol, int fragment) {
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
