package io.faketcp.packet;

/**
 * IANA protocol numbers, carried in the IPv4 protocol field and the IPv6 next-header field, that this
 * package knows about: the upper-layer protocols and the IPv6 extension headers (RFC 8200 §4).
 */
public final class IpProtocol {

    /** IPv6 Hop-by-Hop Options header (RFC 8200 §4.3); only directly after the IPv6 header. */
    public static final int HOP_BY_HOP = 0;
    /** Internet Control Message Protocol (RFC 792). */
    public static final int ICMP = 1;
    /** Transmission Control Protocol (RFC 9293). */
    public static final int TCP = 6;
    /** User Datagram Protocol (RFC 768). */
    public static final int UDP = 17;
    /** IPv6 Routing header (RFC 8200 §4.4). */
    public static final int ROUTING = 43;
    /** IPv6 Fragment header (RFC 8200 §4.5). */
    public static final int FRAGMENT = 44;
    /** Internet Control Message Protocol for IPv6 (RFC 4443). */
    public static final int ICMPV6 = 58;
    /** IPv6 No Next Header (RFC 8200 §4.7): nothing follows. */
    public static final int NO_NEXT_HEADER = 59;
    /** IPv6 Destination Options header (RFC 8200 §4.6). */
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol() {
    }
}
