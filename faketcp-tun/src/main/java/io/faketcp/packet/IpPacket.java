package io.faketcp.packet;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * What an {@link Ipv4Packet} and an {@link Ipv6Packet} have in common: where the packet is, how long its
 * headers are, which upper-layer protocol it carries and where that starts. {@link TcpSegment},
 * {@link UdpDatagram} and the {@link PacketViews} read a segment or datagram through this interface,
 * so one code path serves both families; {@link #version()} (or {@code instanceof}) tells them apart.
 *
 * <pre>{@code
 * IpPacket ip = views.ip(in);                       // an Ipv4Packet or an Ipv6Packet, by the first nibble
 * if (ip.protocol() == IpProtocol.TCP) { TcpSegment tcp = views.tcp(ip); ... }
 * }</pre>
 */
public sealed interface IpPacket permits Ipv4Packet, Ipv6Packet {

    /**
     * The buffer the packet is read from (big-endian).
     *
     * @return the buffer, not a copy
     */
    ByteBuffer buffer();

    /**
     * Absolute index in {@link #buffer()} where the IP header starts.
     *
     * @return the offset
     */
    int offset();

    /**
     * The version field.
     *
     * @return 4 or 6
     */
    int version();

    /**
     * The length of everything before the upper-layer header: the IPv4 header with its options, or the
     * IPv6 header with the extension headers it skipped.
     *
     * @return {@code payloadOffset() - offset()}
     */
    int headerLength();

    /**
     * The whole packet's length, equal to the bytes wrapped.
     *
     * @return header and payload, in bytes
     */
    int totalLength();

    /**
     * The upper-layer protocol, see {@link IpProtocol}: IPv4's protocol field, IPv6's last next-header
     * value after the extension headers.
     *
     * @return 0..255
     */
    int protocol();

    /**
     * Absolute index in {@link #buffer()} of the upper-layer header (TCP, UDP, ICMP, ICMPv6).
     *
     * @return {@code offset() + headerLength()}
     */
    int payloadOffset();

    /**
     * The length of the upper-layer header and data.
     *
     * @return {@code totalLength() - headerLength()}
     */
    int payloadLength();

    /**
     * Whether this is a fragment of a larger packet (not an atomic fragment: IPv6 fragment offset 0
     * without more fragments counts as whole).
     *
     * @return true for any real fragment, including the first
     */
    boolean isFragment();

    /**
     * The source address.
     *
     * @return a new address object
     */
    InetAddress source();

    /**
     * The destination address.
     *
     * @return a new address object
     */
    InetAddress destination();

    /**
     * The source address as text: dotted quad, or IPv6 in RFC 5952 form as tcpdump prints it.
     *
     * @return e.g. {@code "192.168.0.1"} or {@code "fd00:fa:ce::1"}
     */
    String sourceText();

    /**
     * The destination address as text; see {@link #sourceText()}.
     *
     * @return e.g. {@code "192.168.0.5"} or {@code "fd00:fa:ce::5"}
     */
    String destinationText();
}
