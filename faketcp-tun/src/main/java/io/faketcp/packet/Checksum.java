package io.faketcp.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Objects;

/**
 * The internet checksum of RFC 1071, over byte buffer regions, read with absolute gets.
 *
 * <p>To fill in a checksum, zero the checksum field, compute over the region and store the result as
 * an unsigned 16-bit value. To verify one, compute over the region including the stored checksum:
 * the result is 0 when it is correct.
 *
 * <pre>{@code
 * buf.putShort(ipOffset + 10, (short) 0);
 * buf.putShort(ipOffset + 10, (short) Checksum.compute(buf, ipOffset, 20));
 * assert Checksum.compute(buf, ipOffset, 20) == 0;
 * }</pre>
 */
public final class Checksum {

    private Checksum() {
    }

    /**
     * Computes the internet checksum of {@code buf[offset, offset + length)}. An odd length is summed as
     * if padded with one zero byte. The buffer's position, limit and order are not changed.
     *
     * @param buf the bytes, of any byte order (words are always read big-endian, as on the wire)
     * @param offset absolute index of the first byte
     * @param length number of bytes
     * @return the one's complement of the one's complement sum, 0..0xFFFF, ready to store
     * @throws IndexOutOfBoundsException if the region is not within {@code [0, buf.limit())}
     */
    public static int compute(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        return finish(sum(bigEndian(buf), offset, length));
    }

    /**
     * Computes the internet checksum of {@code bytes[offset, offset + length)}, as
     * {@link #compute(ByteBuffer, int, int)} does over a buffer wrapping the array.
     *
     * @param bytes the bytes (words are read big-endian, as on the wire)
     * @param offset index of the first byte
     * @param length number of bytes
     * @return the one's complement of the one's complement sum, 0..0xFFFF, ready to store
     * @throws IndexOutOfBoundsException if the region is not within {@code [0, bytes.length)}
     */
    public static int compute(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return finish(sum(bytes, offset, length));
    }

    /**
     * Computes the TCP or UDP checksum of {@code buf[l4Offset, l4Offset + l4Length)} including the IPv4
     * pseudo-header (source and destination address read from the IPv4 header at {@code ipOffset}, a
     * zero byte, {@code protocol}, {@code l4Length}). An odd length is padded with one zero byte.
     *
     * @param buf the bytes, of any byte order
     * @param ipOffset absolute index of the IPv4 header (addresses at +12 and +16)
     * @param protocol the protocol number for the pseudo-header, e.g. {@link IpProtocol#TCP}
     * @param l4Offset absolute index of the TCP/UDP header
     * @param l4Length length of TCP/UDP header plus data
     * @return the checksum to store; 0 when verifying a segment whose checksum is correct
     * @throws IndexOutOfBoundsException if a region is not within {@code [0, buf.limit())}
     */
    public static int tcpUdp(ByteBuffer buf, int ipOffset, int protocol, int l4Offset, int l4Length) {
        Objects.checkFromIndexSize(ipOffset, 20, buf.limit());
        Objects.checkFromIndexSize(l4Offset, l4Length, buf.limit());
        ByteBuffer b = bigEndian(buf);
        return finish(pseudoHeader(b, ipOffset, protocol, l4Length) + sum(b, l4Offset, l4Length));
    }

    /**
     * Computes the TCP, UDP or ICMPv6 checksum of {@code buf[l4Offset, l4Offset + l4Length)} including the
     * IPv6 pseudo-header of RFC 8200 §8.1 (source and destination address read from the IPv6 header at
     * {@code ipOffset}, the 32-bit upper-layer length, three zero bytes, {@code nextHeader}). An odd length
     * is padded with one zero byte. A UDP sender stores a computed 0 as 0xFFFF: over IPv6 the UDP checksum
     * is mandatory.
     *
     * @param buf the bytes, of any byte order
     * @param ipOffset absolute index of the IPv6 header (addresses at +8 and +24)
     * @param nextHeader the upper-layer protocol for the pseudo-header, e.g. {@link IpProtocol#ICMPV6}
     * @param l4Offset absolute index of the upper-layer header (after any extension headers)
     * @param l4Length length of the upper-layer header plus data
     * @return the checksum to store; 0 when verifying a packet whose checksum is correct
     * @throws IndexOutOfBoundsException if a region is not within {@code [0, buf.limit())}
     */
    public static int ipv6(ByteBuffer buf, int ipOffset, int nextHeader, int l4Offset, int l4Length) {
        Objects.checkFromIndexSize(ipOffset, 40, buf.limit());
        Objects.checkFromIndexSize(l4Offset, l4Length, buf.limit());
        ByteBuffer b = bigEndian(buf);
        return finish(pseudoHeader6(b, ipOffset, nextHeader, l4Length) + sum(b, l4Offset, l4Length));
    }

    /** Sum of the IPv6 pseudo-header's 16-bit words, not folded. */
    static long pseudoHeader6(ByteBuffer b, int ipOffset, int nextHeader, int l4Length) {
        return sum(b, ipOffset + 8, 32) + (l4Length >>> 16) + (l4Length & 0xFFFF) + nextHeader;
    }

    /** Sum of the pseudo-header of either family's packet, not folded. */
    static long pseudoHeader(IpPacket ip, int protocol, int l4Length) {
        ByteBuffer b = ip.buffer();
        return ip instanceof Ipv6Packet ? pseudoHeader6(b, ip.offset(), protocol, l4Length)
                : pseudoHeader(b, ip.offset(), protocol, l4Length);
    }

    /** The upper-layer checksum over {@code ip}'s payload with its pseudo-header; 0 when it is correct. */
    static int upperLayer(IpPacket ip, int protocol) {
        ByteBuffer b = ip.buffer();
        return finish(pseudoHeader(ip, protocol, ip.payloadLength()) + sum(b, ip.payloadOffset(), ip.payloadLength()));
    }

    /** Sum of the IPv4 pseudo-header's 16-bit words, not folded. */
    static long pseudoHeader(ByteBuffer b, int ipOffset, int protocol, int l4Length) {
        return (b.getInt(ipOffset + 12) & 0xFFFF_FFFFL) + (b.getInt(ipOffset + 16) & 0xFFFF_FFFFL)
                + protocol + l4Length;
    }

    /**
     * The value a checksum field at {@code fieldOffset} inside {@code [offset, offset + length)} should
     * hold, computed without touching the buffer (the field is skipped). For error messages.
     */
    static int expected(ByteBuffer buf, long initialSum, int offset, int length, int fieldOffset) {
        ByteBuffer b = bigEndian(buf);
        int end = offset + length;
        long s = initialSum + sum(b, offset, fieldOffset - offset) + sum(b, fieldOffset + 2, end - fieldOffset - 2);
        return finish(s);
    }

    /** Below this many bytes the words are read one long at a time; from here on, in chunks ({@link #littleEndianLongs}). */
    private static final int CHUNKED = 128;
    /** Longs per chunk: 4 KiB, which stays in the first-level cache between the copy and the sum. */
    private static final int CHUNK = 512;
    private static final ThreadLocal<long[]> CHUNKS = ThreadLocal.withInitial(() -> new long[CHUNK]);
    /**
     * A thread's direct buffer that an array's bytes pass through ({@link #sum(byte[], int, int)}), made
     * on first use there (no initial-value lambda: one spun at class initialization cost the first
     * connection of a JVM about a millisecond).
     */
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    /**
     * Sums {@code b[offset, offset + length)} as big-endian 16-bit words into a long without folding.
     * From {@value #CHUNKED} bytes on, the longs are copied in chunks into a long array and summed there
     * read little-endian: the one's complement sum does not depend on the byte order but for a byte
     * swap of the folded result (RFC 1071 §2(B)), so the bulk is summed without swapping each word and
     * swapped once. Since 2^16 = 1 (mod 2^16 - 1), adding the two 32-bit halves of a long is the same
     * sum as adding its four 16-bit words. A bulk copy and a plain loop over an array are what the JIT
     * makes fastest (about three times the speed of reading the buffer's longs one by one), and the
     * loop runs fast also in the code the JIT makes first (C1), in which a fresh JVM runs it for its
     * first hundreds of megabytes. The rest (under 8 bytes, at an even distance from {@code offset})
     * is summed big-endian. No overflow below 2^30 bytes.
     *
     * <p>Only direct buffers are read here: a heap buffer's bytes go through its array
     * ({@link #sum(byte[], int, int)}), so that the compiled code sees one class of buffer.
     */
    static long sum(ByteBuffer b, int offset, int length) {
        if (b.hasArray()) { // a final method: no call on the buffer's class before the split
            return sum(b.array(), b.arrayOffset() + offset, length);
        }
        int i = offset;
        int end = offset + length;
        long s = 0;
        if (length >= CHUNKED) {
            int longs = length >>> 3;
            long swapped = fold(littleEndianLongs(b, offset, longs));
            s = (swapped >>> 8) | ((swapped & 0xFF) << 8);
            i += longs << 3;
        }
        for (; end - i >= 8; i += 8) {
            long v = b.getLong(i);
            s += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (end - i >= 4) {
            s += b.getInt(i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            s += b.getShort(i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            s += (b.get(i) & 0xFF) << 8; // odd length: the last byte is the high half of a zero-padded word
        }
        return s;
    }

    /**
     * {@link #sum(ByteBuffer, int, int)} over an array: copied in 4 KiB pieces into a direct buffer of
     * the thread's and summed there, so that every sum runs the same code over the same class of
     * buffer. A heap buffer summed in a thread that ran only direct ones (a server's output beside the
     * peer's packets) then no longer invalidates compiled code with a class check, which in a fresh JVM
     * put both threads back into the interpreter for tens of milliseconds, again and again, until the
     * code was compiled anew.
     */
    static long sum(byte[] a, int offset, int length) {
        ByteBuffer staging = STAGING.get();
        if (staging == null) {
            staging = ByteBuffer.allocateDirect(CHUNK * 8);
            STAGING.set(staging);
        }
        long s = 0;
        for (int at = offset, end = offset + length; at < end; at += staging.capacity()) {
            int n = Math.min(staging.capacity(), end - at); // the capacity is even: each piece starts on a word
            staging.put(0, a, at, n);
            s += sum(staging, 0, n);
        }
        return s;
    }

    /** The sum of the 32-bit halves of the {@code count} longs from {@code offset}, read little-endian. */
    private static long littleEndianLongs(ByteBuffer b, int offset, int count) {
        LongBuffer view = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(offset).asLongBuffer();
        long[] chunk = CHUNKS.get();
        long s = 0;
        for (int at = 0; at < count; at += CHUNK) {
            int n = Math.min(CHUNK, count - at);
            view.get(at, chunk, 0, n);
            for (int k = 0; k < n; k++) {
                s += (chunk[k] >>> 32) + (chunk[k] & 0xFFFF_FFFFL);
            }
        }
        return s;
    }

    /** {@code s} folded to 16 bits with end-around carries (not complemented). */
    private static long fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    /** Folds the carries into 16 bits and complements. */
    static int finish(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) ~s & 0xFFFF;
    }

    /** Words must be read big-endian; a little-endian caller's buffer gets a big-endian duplicate. */
    static ByteBuffer bigEndian(ByteBuffer buf) {
        return buf.order() == ByteOrder.BIG_ENDIAN ? buf : buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    }
}
