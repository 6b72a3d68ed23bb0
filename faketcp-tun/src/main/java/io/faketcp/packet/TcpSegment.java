package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * A read-only view of a TCP segment (RFC 9293) inside an {@link Ipv4Packet} or an {@link Ipv6Packet},
 * without copying. The builder builds either family, chosen by the addresses it is given.
 *
 * <pre>{@code
 * TcpSegment syn = TcpSegment.wrap(ip);
 * if (syn.syn() && !syn.ack()) {
 *     int length = TcpSegment.builder()
 *             .source(ip.destinationInt()).destination(ip.sourceInt())
 *             .sourcePort(syn.destinationPort()).destinationPort(syn.sourcePort())
 *             .sequenceNumber(isn).acknowledgmentNumber(syn.sequenceNumber() + 1)
 *             .flags(TcpSegment.SYN | TcpSegment.ACK).mss(1460)
 *             .writeTo(out, 0);
 * }
 * }</pre>
 */
public final class TcpSegment {

    /** FIN flag: no more data from the sender. */
    public static final int FIN = 0x01;
    /** SYN flag: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** RST flag: reset the connection. */
    public static final int RST = 0x04;
    /** PSH flag: push function. */
    public static final int PSH = 0x08;
    /** ACK flag: the acknowledgment number is significant. */
    public static final int ACK = 0x10;
    /** URG flag: the urgent pointer is significant. */
    public static final int URG = 0x20;
    /** ECE flag: ECN echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** CWR flag: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    static final int MIN_HEADER_LENGTH = 20;

    // Set by bind(): once for a view from wrap(), once per packet for the view of a PacketViews.
    private IpPacket ip;
    private ByteBuffer buf;
    private int off;
    private int length;
    private int dataOffset;
    private TcpOptions options;
    /** Non-null for a PacketViews' segment: the options object its {@link #options()} re-parses. */
    private final TcpOptions reusedOptions;

    TcpSegment() {
        this(null);
    }

    TcpSegment(TcpOptions reusedOptions) {
        this.reusedOptions = reusedOptions;
    }

    /**
     * Wraps the TCP segment carried by {@code ip} after checking: protocol TCP, not a fragment, at
     * least 20 bytes, data offset at least 20 bytes and within the segment, a well-formed option list
     * (see {@link TcpOptions}), and the checksum over the pseudo-header.
     *
     * @param ip a wrapped IPv4 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static TcpSegment wrap(Ipv4Packet ip) throws MalformedPacketException {
        return parse(ip, true);
    }

    /**
     * Wraps the TCP segment carried by an IPv4 or IPv6 packet, with the checks of
     * {@link #wrap(Ipv4Packet)} and the pseudo-header of the packet's family.
     *
     * @param ip a wrapped IPv4 or IPv6 packet
     * @return the view
     * @throws MalformedPacketException if any check fails; the reason names the numbers
     */
    public static TcpSegment wrap(IpPacket ip) throws MalformedPacketException {
        return parse(ip, true);
    }

    /**
     * Parses the segment; {@code strict} false skips the fragment and checksum checks, for printing what
     * tcpdump would print.
     */
    static TcpSegment parse(IpPacket ip, boolean strict) throws MalformedPacketException {
        return new TcpSegment().bind(ip, strict);
    }

    /** Checks the segment as {@link #parse} does and makes this view show it. */
    TcpSegment bind(IpPacket ip, boolean strict) throws MalformedPacketException {
        if (ip.protocol() != IpProtocol.TCP) {
            throw new MalformedPacketException("protocol " + ip.protocol() + " is not TCP (6)");
        }
        if (strict && ip.isFragment()) {
            throw new MalformedPacketException(PacketFormat.fragmentReason(ip, "TCP"));
        }
        ByteBuffer b = ip.buffer();
        int off = ip.payloadOffset();
        int length = ip.payloadLength();
        if (length < MIN_HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "TCP segment of " + length + " bytes is shorter than the minimum header of 20 bytes");
        }
        int words = (b.get(off + 12) >> 4) & 0xF;
        int dataOffset = words * 4;
        if (dataOffset < MIN_HEADER_LENGTH) {
            throw new MalformedPacketException(
                    "TCP data offset " + dataOffset + " bytes (" + words + " words) is below the minimum 20");
        }
        if (dataOffset > length) {
            throw new MalformedPacketException(
                    "TCP data offset " + dataOffset + " bytes but the segment is " + length + " bytes");
        }
        TcpOptions.validate(b, off + MIN_HEADER_LENGTH, dataOffset - MIN_HEADER_LENGTH, off);
        if (strict && Checksum.upperLayer(ip, IpProtocol.TCP) != 0) {
            throw new MalformedPacketException(String.format("bad TCP checksum 0x%04x (expected 0x%04x)",
                    b.getShort(off + 16) & 0xFFFF, expectedChecksum(ip)));
        }
        this.ip = ip;
        this.buf = b;
        this.off = off;
        this.length = length;
        this.dataOffset = dataOffset;
        this.options = null;
        return this;
    }

    /** The checksum the segment in {@code ip} should carry. */
    static int expectedChecksum(IpPacket ip) {
        ByteBuffer b = ip.buffer();
        int off = ip.payloadOffset();
        int length = ip.payloadLength();
        return Checksum.expected(b, Checksum.pseudoHeader(ip, IpProtocol.TCP, length), off, length, off + 16);
    }

    /**
     * The IPv4 packet carrying this segment.
     *
     * @return the packet view
     * @throws IllegalStateException if an IPv6 packet carries the segment; see {@link #packet()}
     */
    public Ipv4Packet ip() {
        if (ip instanceof Ipv4Packet) {
            return (Ipv4Packet) ip;
        }
        throw new IllegalStateException("the segment is carried by IPv6 (" + ip.sourceText() + " > "
                + ip.destinationText() + "): use packet() or ipv6()");
    }

    /**
     * The IPv6 packet carrying this segment.
     *
     * @return the packet view
     * @throws IllegalStateException if an IPv4 packet carries the segment; see {@link #packet()}
     */
    public Ipv6Packet ipv6() {
        if (ip instanceof Ipv6Packet) {
            return (Ipv6Packet) ip;
        }
        throw new IllegalStateException("the segment is carried by IPv4 (" + ip.sourceText() + " > "
                + ip.destinationText() + "): use packet() or ip()");
    }

    /**
     * The IPv4 or IPv6 packet carrying this segment.
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
     * The sequence number.
     *
     * @return unsigned 32-bit value
     */
    public long sequenceNumber() {
        return buf.getInt(off + 4) & 0xFFFF_FFFFL;
    }

    /**
     * The acknowledgment number (meaningful when {@link #ack()} is set).
     *
     * @return unsigned 32-bit value
     */
    public long acknowledgmentNumber() {
        return buf.getInt(off + 8) & 0xFFFF_FFFFL;
    }

    /**
     * The data offset: header length including options.
     *
     * @return 20..60 bytes
     */
    public int dataOffset() {
        return dataOffset;
    }

    /**
     * The eight flag bits CWR ECE URG ACK PSH RST SYN FIN, as the constants of this class.
     *
     * @return 0..255
     */
    public int flags() {
        return buf.get(off + 13) & 0xFF;
    }

    /**
     * The FIN flag.
     *
     * @return whether set
     */
    public boolean fin() {
        return (flags() & FIN) != 0;
    }

    /**
     * The SYN flag.
     *
     * @return whether set
     */
    public boolean syn() {
        return (flags() & SYN) != 0;
    }

    /**
     * The RST flag.
     *
     * @return whether set
     */
    public boolean rst() {
        return (flags() & RST) != 0;
    }

    /**
     * The PSH flag.
     *
     * @return whether set
     */
    public boolean psh() {
        return (flags() & PSH) != 0;
    }

    /**
     * The ACK flag.
     *
     * @return whether set
     */
    public boolean ack() {
        return (flags() & ACK) != 0;
    }

    /**
     * The URG flag.
     *
     * @return whether set
     */
    public boolean urg() {
        return (flags() & URG) != 0;
    }

    /**
     * The ECE flag.
     *
     * @return whether set
     */
    public boolean ece() {
        return (flags() & ECE) != 0;
    }

    /**
     * The CWR flag.
     *
     * @return whether set
     */
    public boolean cwr() {
        return (flags() & CWR) != 0;
    }

    /**
     * The window field, unscaled.
     *
     * @return 0..65535
     */
    public int window() {
        return buf.getShort(off + 14) & 0xFFFF;
    }

    /**
     * The checksum field as stored (verified by {@link #wrap(Ipv4Packet)}).
     *
     * @return 0..65535
     */
    public int checksum() {
        return buf.getShort(off + 16) & 0xFFFF;
    }

    /**
     * The urgent pointer field.
     *
     * @return 0..65535
     */
    public int urgentPointer() {
        return buf.getShort(off + 18) & 0xFFFF;
    }

    /**
     * The options, parsed on the first call.
     *
     * @return the options; all absent if the data offset is 20
     */
    public TcpOptions options() {
        TcpOptions o = options;
        if (o == null) {
            o = reusedOptions == null ? new TcpOptions(buf, off + MIN_HEADER_LENGTH, dataOffset - MIN_HEADER_LENGTH)
                    : reusedOptions.parse(buf, off + MIN_HEADER_LENGTH, dataOffset - MIN_HEADER_LENGTH);
            options = o;
        }
        return o;
    }

    /**
     * Absolute index in {@code ip().buffer()} of the first data byte.
     *
     * @return the offset after the header and options
     */
    public int payloadOffset() {
        return off + dataOffset;
    }

    /**
     * The number of data bytes.
     *
     * @return segment length minus data offset
     */
    public int payloadLength() {
        return length - dataOffset;
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
     * One line as {@code tcpdump -nn -S} prints it, e.g.
     * {@code IP 192.168.0.1.41234 > 192.168.0.5.80: Flags [P.], seq 1:6, ack 101, win 502, length 5}.
     *
     * @return the line, without a timestamp or newline
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(160);
        PacketFormat.tcp(sb, this);
        return sb.toString();
    }

    /**
     * A new builder for a complete IPv4 or IPv6 packet carrying a TCP segment.
     *
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds IPv4+TCP or IPv6+TCP packets (by the family of the addresses) with their checksums.
     * Defaults: TTL (hop limit) 64, TOS 0, identification 0, DF set,
     * window 65535, no flags, no options, no data. Options are laid out as Linux does and padded to 4
     * bytes: {@code mss,sackOK,TS,nop,wscale}, or without timestamps {@code mss,nop,nop,sackOK,nop,wscale}.
     *
     * <p>Reusable: keep one per thread and call {@link #reset()} before each packet. Sequence and
     * acknowledgment numbers are taken modulo 2^32, so {@code seq + length} needs no wrapping by hand.
     */
    public static final class Builder extends IpBuilder<Builder> {

        private int sourcePort;
        private int destinationPort;
        private int sequenceNumber;
        private int acknowledgmentNumber;
        private int flags;
        private int window;
        private int urgentPointer;
        private int mss;
        private int windowScale;
        private boolean sackPermitted;
        private boolean timestamps;
        private boolean checksumPending;
        private int tsVal;
        private int tsEcr;
        private byte[] rawOptions;

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
            sourcePort = 0;
            destinationPort = 0;
            sequenceNumber = 0;
            acknowledgmentNumber = 0;
            flags = 0;
            window = 0xFFFF;
            urgentPointer = 0;
            mss = -1;
            windowScale = -1;
            sackPermitted = false;
            timestamps = false;
            tsVal = 0;
            tsEcr = 0;
            rawOptions = null;
            checksumPending = false;
            return this;
        }

        /**
         * Whether {@link #writeTo} leaves the TCP checksum for the device to complete: the field then
         * holds only the pseudo-header's sum (folded, not complemented), as a host's stack hands a
         * segment to a network card with checksum offload. Default false; {@link #reset()} clears it.
         *
         * @param checksumPending true for a device that completes checksums
         * @return this builder
         */
        public Builder checksumPending(boolean checksumPending) {
            this.checksumPending = checksumPending;
            return this;
        }

        /**
         * Sets the source port.
         *
         * @param sourcePort 0..65535
         * @return this builder
         */
        public Builder sourcePort(int sourcePort) {
            this.sourcePort = checkRange("source port", sourcePort, 0xFFFF);
            return this;
        }

        /**
         * Sets the destination port.
         *
         * @param destinationPort 0..65535
         * @return this builder
         */
        public Builder destinationPort(int destinationPort) {
            this.destinationPort = checkRange("destination port", destinationPort, 0xFFFF);
            return this;
        }

        /**
         * Sets the sequence number, modulo 2^32.
         *
         * @param sequenceNumber the number; only the low 32 bits are used
         * @return this builder
         */
        public Builder sequenceNumber(long sequenceNumber) {
            this.sequenceNumber = (int) sequenceNumber;
            return this;
        }

        /**
         * Sets the acknowledgment number, modulo 2^32 (sent as is; set {@link TcpSegment#ACK} too).
         *
         * @param acknowledgmentNumber the number; only the low 32 bits are used
         * @return this builder
         */
        public Builder acknowledgmentNumber(long acknowledgmentNumber) {
            this.acknowledgmentNumber = (int) acknowledgmentNumber;
            return this;
        }

        /**
         * Sets the flags, e.g. {@code SYN | ACK} (default none).
         *
         * @param flags 0..255, from the constants of {@link TcpSegment}
         * @return this builder
         */
        public Builder flags(int flags) {
            this.flags = checkRange("flags", flags, 0xFF);
            return this;
        }

        /**
         * Sets the window field, unscaled (default 65535).
         *
         * @param window 0..65535
         * @return this builder
         */
        public Builder window(int window) {
            this.window = checkRange("window", window, 0xFFFF);
            return this;
        }

        /**
         * Sets the urgent pointer (default 0).
         *
         * @param urgentPointer 0..65535
         * @return this builder
         */
        public Builder urgentPointer(int urgentPointer) {
            this.urgentPointer = checkRange("urgent pointer", urgentPointer, 0xFFFF);
            return this;
        }

        /**
         * Adds the MSS option.
         *
         * @param mss 0..65535, or -1 for none (the default)
         * @return this builder
         */
        public Builder mss(int mss) {
            this.mss = mss == -1 ? -1 : checkRange("mss", mss, 0xFFFF);
            return this;
        }

        /**
         * Adds the window scale option.
         *
         * @param windowScale shift count 0..14, or -1 for none (the default)
         * @return this builder
         */
        public Builder windowScale(int windowScale) {
            this.windowScale = windowScale == -1 ? -1 : checkRange("window scale", windowScale, 14);
            return this;
        }

        /**
         * Adds or removes the SACK-permitted option (default absent).
         *
         * @param sackPermitted whether to send it
         * @return this builder
         */
        public Builder sackPermitted(boolean sackPermitted) {
            this.sackPermitted = sackPermitted;
            return this;
        }

        /**
         * Adds the timestamps option.
         *
         * @param tsVal TSval, modulo 2^32
         * @param tsEcr TSecr, modulo 2^32
         * @return this builder
         */
        public Builder timestamps(long tsVal, long tsEcr) {
            this.timestamps = true;
            this.tsVal = (int) tsVal;
            this.tsEcr = (int) tsEcr;
            return this;
        }

        /**
         * Removes the timestamps option (the default).
         *
         * @return this builder
         */
        public Builder noTimestamps() {
            this.timestamps = false;
            return this;
        }

        /**
         * Sends these option bytes instead of the ones built from {@link #mss}, {@link #windowScale},
         * {@link #sackPermitted} and {@link #timestamps}: copied as given, not checked, padded with zero
         * (end-of-list) bytes to a multiple of 4. For tests that need SACK blocks, unknown kinds or broken
         * options.
         *
         * @param options at most 40 bytes, or {@code null} to build options from the fields again
         * @return this builder
         */
        public Builder options(byte[] options) {
            if (options != null) {
                checkRange("options length", options.length, 40);
            }
            this.rawOptions = options == null ? null : options.clone();
            return this;
        }

        private int optionsLength() {
            if (rawOptions != null) {
                return padded(rawOptions.length);
            }
            int n = mss >= 0 ? 4 : 0;
            if (timestamps) {
                n += 12; // sackOK,TS or nop,nop,TS
            } else if (sackPermitted) {
                n += 4; // nop,nop,sackOK
            }
            return windowScale >= 0 ? n + 4 : n; // nop,wscale
        }

        /**
         * The length {@link #writeTo} will write.
         *
         * @return IPv4 or IPv6 header, TCP header, options and data, in bytes
         */
        @Override
        public int length() {
            return ipHeaderLength() + MIN_HEADER_LENGTH + optionsLength() + payloadLength();
        }

        /**
         * Writes the complete IPv4+TCP or IPv6+TCP packet, checksums included, at {@code dst[offset]} with absolute
         * puts; the buffer's position and limit are not changed.
         *
         * @param dst the destination, normally a direct big-endian buffer
         * @param offset absolute index of the first byte
         * @return the number of bytes written
         * @throws IllegalArgumentException if the packet does not fit before {@code dst.limit()}
         */
        @Override
        public int writeTo(ByteBuffer dst, int offset) {
            int optionsLength = optionsLength();
            int length = length();
            int ipHeaderLength = ipHeaderLength();
            ByteBuffer b = writeIpHeader(dst, offset, length, IpProtocol.TCP, 0);
            int t = offset + ipHeaderLength;
            b.putShort(t, (short) sourcePort);
            b.putShort(t + 2, (short) destinationPort);
            b.putInt(t + 4, sequenceNumber);
            b.putInt(t + 8, acknowledgmentNumber);
            b.put(t + 12, (byte) ((MIN_HEADER_LENGTH + optionsLength) / 4 << 4));
            b.put(t + 13, (byte) flags);
            b.putShort(t + 14, (short) window);
            b.putShort(t + 16, (short) 0);
            b.putShort(t + 18, (short) urgentPointer);
            writeOptions(b, t + MIN_HEADER_LENGTH, optionsLength);
            writePayload(b, t + MIN_HEADER_LENGTH + optionsLength);
            int tcpLength = length - ipHeaderLength;
            // a pending checksum (the device completes it) is an IPv4 thing: TunDevice refuses offload with IPv6
            b.putShort(t + 16, (short) (checksumPending && ipHeaderLength == Ipv4Packet.MIN_HEADER_LENGTH
                    ? ~Checksum.finish(Checksum.pseudoHeader(b, offset, IpProtocol.TCP, tcpLength))
                    : upperLayerChecksum(b, offset, IpProtocol.TCP, t, tcpLength)));
            return length;
        }

        private void writeOptions(ByteBuffer b, int at, int optionsLength) {
            if (rawOptions != null) {
                putPadded(b, at, rawOptions, optionsLength);
                return;
            }
            int i = at;
            if (mss >= 0) {
                b.putInt(i, TcpOptions.MSS << 24 | 4 << 16 | mss);
                i += 4;
            }
            if (timestamps) {
                b.putShort(i, (short) (sackPermitted ? TcpOptions.SACK_PERMITTED << 8 | 2
                        : TcpOptions.NOP << 8 | TcpOptions.NOP));
                b.putShort(i + 2, (short) (TcpOptions.TIMESTAMPS << 8 | 10));
                b.putInt(i + 4, tsVal);
                b.putInt(i + 8, tsEcr);
                i += 12;
            } else if (sackPermitted) {
                b.putInt(i, TcpOptions.NOP << 24 | TcpOptions.NOP << 16 | TcpOptions.SACK_PERMITTED << 8 | 2);
                i += 4;
            }
            if (windowScale >= 0) {
                b.putInt(i, TcpOptions.NOP << 24 | TcpOptions.WINDOW_SCALE << 16 | 3 << 8 | windowScale);
            }
        }
    }
}
