package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * Formats any bytes read from a tun device as one tcpdump-style line, without ever throwing: for
 * transcripts, logs and the command-line program.
 *
 * <pre>{@code
 * System.out.println(Tcpdump.format(packetBytes));
 * // IP 192.168.0.1.41234 > 192.168.0.5.80: Flags [S], seq 3183120372, win 64240, options [...], length 0
 * // bad packet (total length 60 but 52 bytes read): 4500003c...
 * }</pre>
 */
public final class Tcpdump {

    /** How many bytes of a bad packet are shown in hex. */
    static final int BAD_PACKET_HEX_BYTES = 64;

    private Tcpdump() {
    }

    /**
     * Formats the packet in {@code buf[position, limit)}; the buffer's position and limit are not changed.
     * A valid IPv4 packet gives its {@link Ipv4Packet#toString()}; an IPv6 packet a short {@code IP6 ...}
     * line; another version {@code unknown packet, version N, length L}; anything else
     * {@code bad packet (<reason>): <hex of up to the first 64 bytes>}.
     *
     * @param buf the packet
     * @return one line without a newline
     */
    public static String format(ByteBuffer buf) {
        try {
            return Ipv4Packet.wrap(buf).toString();
        } catch (MalformedPacketException e) {
            int n = buf.remaining();
            if (n > 0) {
                int version = (buf.get(buf.position()) >> 4) & 0xF;
                if (version == 6) {
                    return ipv6(buf);
                }
                if (version != 4) {
                    return "unknown packet, version " + version + ", length " + n;
                }
            }
            return bad(e.reason(), buf);
        } catch (RuntimeException e) {
            // Not expected; but a transcript line must never take the caller down.
            return bad("unexpected " + e, buf);
        }
    }

    /**
     * Formats a packet held in a whole array; see {@link #format(ByteBuffer)}.
     *
     * @param bytes the packet
     * @return one line without a newline
     */
    public static String format(byte[] bytes) {
        return format(ByteBuffer.wrap(bytes));
    }

    /**
     * Lowercase hex of the first {@code max} bytes of {@code buf[position, limit)}, without separators,
     * followed by {@code ...} if there were more. The buffer's position and limit are not changed.
     *
     * @param buf the bytes
     * @param max how many bytes to show at most
     * @return e.g. {@code "4500003c..."}
     */
    public static String hexDump(ByteBuffer buf, int max) {
        int n = Math.min(buf.remaining(), Math.max(max, 0));
        StringBuilder sb = new StringBuilder(n * 2 + 3);
        PacketFormat.hex(sb, buf, buf.position(), n);
        if (buf.remaining() > n) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String bad(String reason, ByteBuffer buf) {
        return "bad packet (" + reason + "): " + hexDump(buf, BAD_PACKET_HEX_BYTES);
    }

    /** {@code IP6 src > dst: next-header N, payload length L} from the fixed 40-byte header. */
    private static String ipv6(ByteBuffer buf) {
        int off = buf.position();
        int n = buf.remaining();
        if (n < 40) {
            return bad("IPv6 packet of " + n + " bytes is shorter than the 40-byte header", buf);
        }
        ByteBuffer b = Checksum.bigEndian(buf);
        StringBuilder sb = new StringBuilder(96).append("IP6 ");
        ipv6Address(sb, b, off + 8);
        sb.append(" > ");
        ipv6Address(sb, b, off + 24);
        return sb.append(": next-header ").append(b.get(off + 6) & 0xFF)
                .append(", payload length ").append(b.getShort(off + 4) & 0xFFFF).toString();
    }

    /** RFC 5952 text: lowercase, leading zeros dropped, the longest run (2+) of zero groups as "::". */
    static void ipv6Address(StringBuilder sb, ByteBuffer b, int off) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (b.getShort(off + 2 * i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && b.getShort(off + 2 * j) == 0) {
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
            sb.append(Integer.toHexString(b.getShort(off + 2 * i) & 0xFFFF));
        }
    }
}
