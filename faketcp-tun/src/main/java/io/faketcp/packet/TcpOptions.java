package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * The options of a TCP segment, parsed: MSS (RFC 9293), window scale, timestamps (RFC 7323), SACK and
 * SACK-permitted (RFC 2018). Absent values read as -1 or {@code false}.
 *
 * <p>Obtained from {@link TcpSegment#options()}, which parses them on first use only: the option list
 * was already checked by {@link TcpSegment#wrap(Ipv4Packet)}, and most segments' options are never
 * looked at.
 */
public final class TcpOptions {

    static final int EOL = 0;
    static final int NOP = 1;
    static final int MSS = 2;
    static final int WINDOW_SCALE = 3;
    static final int SACK_PERMITTED = 4;
    static final int SACK = 5;
    static final int TIMESTAMPS = 8;

    // Set by parse(): once for the options of a TcpSegment from wrap(), once per SYN for those of a
    // PacketViews' segment.
    private ByteBuffer buf;
    private int off;
    private int length;
    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private long tsVal = -1;
    private long tsEcr = -1;
    private int sackOffset = -1;
    private int sackBlocks;

    /** Parses the option bytes {@code buf[off, off + length)}, already validated by {@link #validate}. */
    TcpOptions(ByteBuffer buf, int off, int length) {
        parse(buf, off, length);
    }

    /** Options to {@link #parse} later. */
    TcpOptions() {}

    /** Parses {@code buf[off, off + length)} (validated) into this object, forgetting what it held. */
    TcpOptions parse(ByteBuffer buf, int off, int length) {
        this.buf = buf;
        this.off = off;
        this.length = length;
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = -1;
        tsEcr = -1;
        sackOffset = -1;
        sackBlocks = 0;
        int end = off + length;
        for (int i = off; i < end; ) {
            int kind = buf.get(i) & 0xFF;
            if (kind == EOL) {
                break;
            }
            if (kind == NOP) {
                i++;
                continue;
            }
            int len = buf.get(i + 1) & 0xFF;
            switch (kind) {
                case MSS:
                    mss = buf.getShort(i + 2) & 0xFFFF;
                    break;
                case WINDOW_SCALE:
                    windowScale = buf.get(i + 2) & 0xFF;
                    break;
                case SACK_PERMITTED:
                    sackPermitted = true;
                    break;
                case TIMESTAMPS:
                    timestamps = true;
                    tsVal = buf.getInt(i + 2) & 0xFFFF_FFFFL;
                    tsEcr = buf.getInt(i + 6) & 0xFFFF_FFFFL;
                    break;
                case SACK:
                    sackOffset = i + 2;
                    sackBlocks = (len - 2) / 8;
                    break;
                default:
                    break;
            }
            i += len;
        }
        return this;
    }

    /**
     * Checks an option list: lengths at least 2 (except end-of-list and no-operation) and not running past
     * the header, and the known options at their fixed lengths (MSS 4, window scale 3, SACK-permitted 2,
     * timestamps 10, SACK 2 + 8n with n at least 1). Bytes after end-of-list are padding.
     *
     * @param headerOffset absolute index of the TCP header, for positions in the message
     */
    static void validate(ByteBuffer b, int off, int length, int headerOffset) throws MalformedPacketException {
        int end = off + length;
        for (int i = off; i < end; ) {
            int kind = b.get(i) & 0xFF;
            if (kind == EOL) {
                return;
            }
            if (kind == NOP) {
                i++;
                continue;
            }
            int at = i - headerOffset;
            if (end - i < 2) {
                throw new MalformedPacketException(
                        "TCP option kind " + kind + " at header byte " + at + " has no length byte");
            }
            int len = b.get(i + 1) & 0xFF;
            if (len < 2) {
                throw new MalformedPacketException("TCP option kind " + kind + " at header byte " + at
                        + " has length " + len + ", below the minimum 2");
            }
            if (len > end - i) {
                throw new MalformedPacketException("TCP option kind " + kind + " at header byte " + at
                        + " has length " + len + " but only " + (end - i) + " option bytes are left");
            }
            switch (kind) {
                case MSS:
                    expectLength("MSS", len, 4, at);
                    break;
                case WINDOW_SCALE:
                    expectLength("window scale", len, 3, at);
                    break;
                case SACK_PERMITTED:
                    expectLength("SACK-permitted", len, 2, at);
                    break;
                case TIMESTAMPS:
                    expectLength("timestamps", len, 10, at);
                    break;
                case SACK:
                    if (len < 10 || (len - 2) % 8 != 0) {
                        throw new MalformedPacketException("TCP SACK option at header byte " + at + " has length "
                                + len + ", expected 2 + 8 per block (10, 18, 26 or 34)");
                    }
                    break;
                default:
                    break;
            }
            i += len;
        }
    }

    private static void expectLength(String name, int len, int expected, int at) throws MalformedPacketException {
        if (len != expected) {
            throw new MalformedPacketException("TCP " + name + " option at header byte " + at + " has length "
                    + len + ", expected " + expected);
        }
    }

    /**
     * The maximum segment size.
     *
     * @return 0..65535, or -1 if absent
     */
    public int mss() {
        return mss;
    }

    /**
     * The window scale shift count.
     *
     * @return 0..255 as sent (RFC 7323 caps its use at 14), or -1 if absent
     */
    public int windowScale() {
        return windowScale;
    }

    /**
     * Whether the SACK-permitted option is present.
     *
     * @return true if present
     */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /**
     * Whether the timestamps option is present.
     *
     * @return true if present
     */
    public boolean hasTimestamps() {
        return timestamps;
    }

    /**
     * The timestamp value TSval.
     *
     * @return unsigned 32-bit value, or -1 if absent
     */
    public long tsVal() {
        return tsVal;
    }

    /**
     * The timestamp echo reply TSecr.
     *
     * @return unsigned 32-bit value, or -1 if absent
     */
    public long tsEcr() {
        return tsEcr;
    }

    /**
     * The number of blocks in the SACK option.
     *
     * @return 0 if absent, else 1..4
     */
    public int sackBlockCount() {
        return sackBlocks;
    }

    /**
     * The left edge of a SACK block.
     *
     * @param block 0 .. {@link #sackBlockCount()} - 1
     * @return unsigned 32-bit sequence number
     */
    public long sackLeft(int block) {
        return buf.getInt(sackBlockOffset(block)) & 0xFFFF_FFFFL;
    }

    /**
     * The right edge of a SACK block (the sequence number after the last byte received).
     *
     * @param block 0 .. {@link #sackBlockCount()} - 1
     * @return unsigned 32-bit sequence number
     */
    public long sackRight(int block) {
        return buf.getInt(sackBlockOffset(block) + 4) & 0xFFFF_FFFFL;
    }

    private int sackBlockOffset(int block) {
        if (block < 0 || block >= sackBlocks) {
            throw new IndexOutOfBoundsException("SACK block " + block + " of " + sackBlocks);
        }
        return sackOffset + block * 8;
    }

    /**
     * The length of the option bytes, padding included.
     *
     * @return data offset minus 20
     */
    public int length() {
        return length;
    }

    /**
     * The options as tcpdump prints them between the brackets, in wire order, e.g.
     * {@code mss 1460,sackOK,TS val 123 ecr 0,nop,wscale 7}; SACK as {@code sack 1 {100:200}}; other
     * kinds as {@code unknown-KIND} plus their data in hex. Printing stops after {@code eol}.
     *
     * @return the list, empty if there are no options
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int end = off + length;
        for (int i = off; i < end; ) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            int kind = buf.get(i) & 0xFF;
            if (kind == EOL) {
                sb.append("eol");
                break;
            }
            if (kind == NOP) {
                sb.append("nop");
                i++;
                continue;
            }
            int len = buf.get(i + 1) & 0xFF;
            switch (kind) {
                case MSS:
                    sb.append("mss ").append(buf.getShort(i + 2) & 0xFFFF);
                    break;
                case WINDOW_SCALE:
                    sb.append("wscale ").append(buf.get(i + 2) & 0xFF);
                    break;
                case SACK_PERMITTED:
                    sb.append("sackOK");
                    break;
                case TIMESTAMPS:
                    sb.append("TS val ").append(buf.getInt(i + 2) & 0xFFFF_FFFFL)
                            .append(" ecr ").append(buf.getInt(i + 6) & 0xFFFF_FFFFL);
                    break;
                case SACK:
                    sb.append("sack ").append((len - 2) / 8).append(' ');
                    for (int s = i + 2; s < i + len; s += 8) {
                        sb.append('{').append(buf.getInt(s) & 0xFFFF_FFFFL).append(':')
                                .append(buf.getInt(s + 4) & 0xFFFF_FFFFL).append('}');
                    }
                    break;
                default:
                    sb.append("unknown-").append(kind);
                    if (len > 2) {
                        sb.append(" 0x");
                        PacketFormat.hex(sb, buf, i + 2, len - 2);
                    }
                    break;
            }
            i += len;
        }
        return sb.toString();
    }
}
