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
     * A valid IPv4 packet gives its {@link Ipv4Packet#toString()}, a valid IPv6 packet its
     * {@link Ipv6Packet#toString()}; another version {@code unknown packet, version N, length L}; anything
     * else {@code bad packet (<reason>): <hex of up to the first 64 bytes>}.
     *
     * @param buf the packet
     * @return one line without a newline
     */
    public static String format(ByteBuffer buf) {
        int n = buf.remaining();
        int version = n > 0 ? (buf.get(buf.position()) >> 4) & 0xF : 4;
        if (version != 4 && version != 6) {
            return "unknown packet, version " + version + ", length " + n;
        }
        try {
            return version == 6 ? Ipv6Packet.wrap(buf).toString() : Ipv4Packet.wrap(buf).toString();
        } catch (MalformedPacketException e) {
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
}
