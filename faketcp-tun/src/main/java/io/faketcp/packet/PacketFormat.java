package io.faketcp.packet;

import java.nio.ByteBuffer;

/**
 * The tcpdump-style lines ({@code tcpdump -nn -S}, tcpdump 4.99) behind the {@code toString} methods and
 * {@link Tcpdump}. Nothing here throws for any bytes that passed {@link Ipv4Packet#wrap}.
 */
final class PacketFormat {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** tcpdump's flag letters, by bit: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR. */
    private static final String FLAG_LETTERS = "FSRP.UEW";

    /** tcpdump's wording for destination-unreachable codes 5..15 (RFC 1122, RFC 1812); 0..4 are in code. */
    private static final String[] UNREACHABLE = {null, null, null, null, null,
        "%s unreachable - source route failed",
        "net %s unreachable - unknown",
        "host %s unreachable - unknown",
        "%s unreachable - source host isolated",
        "net %s unreachable - admin prohibited",
        "host %s unreachable - admin prohibited",
        "net %s unreachable - tos prohibited",
        "host %s unreachable - tos prohibited",
        "host %s unreachable - admin prohibited filter",
        "host %s unreachable - host precedence violation",
        "host %s unreachable - precedence cutoff"};

    private PacketFormat() {
    }

    /** The line for any wrapped IPv4 packet. */
    static String ip(Ipv4Packet ip) {
        StringBuilder sb = new StringBuilder(128);
        int protocol = ip.protocol();
        if (ip.fragmentOffset() != 0) {
            // Later fragments carry no transport header; tcpdump names the protocol only.
            addresses(sb, ip).append(" ip-proto-").append(protocol);
            fragment(sb, ip);
            return sb.toString();
        }
        switch (protocol) {
            case IpProtocol.TCP:
                tcpLine(sb, ip);
                break;
            case IpProtocol.ICMP:
                icmpLine(sb, ip);
                break;
            case IpProtocol.UDP:
                udp(sb, ip);
                break;
            default:
                // tcpdump prints two spaces here.
                addresses(sb, ip).append("  ip-proto-").append(protocol).append(' ').append(ip.payloadLength());
                break;
        }
        if (ip.isFragment()) {
            fragment(sb, ip);
        }
        return sb.toString();
    }

    private static void tcpLine(StringBuilder sb, Ipv4Packet ip) {
        TcpSegment tcp;
        try {
            tcp = TcpSegment.parse(ip, false);
        } catch (MalformedPacketException e) {
            bad(sb, ip, "tcp", e);
            return;
        }
        tcp(sb, tcp);
        if (!ip.isFragment() && Checksum.tcpUdp(ip.buffer(), ip.offset(), IpProtocol.TCP, ip.payloadOffset(),
                ip.payloadLength()) != 0) {
            badChecksum(sb, "tcp", tcp.checksum(), TcpSegment.expectedChecksum(ip));
        }
    }

    private static void icmpLine(StringBuilder sb, Ipv4Packet ip) {
        IcmpMessage icmp;
        try {
            icmp = IcmpMessage.parse(ip, false);
        } catch (MalformedPacketException e) {
            bad(sb, ip, "icmp", e);
            return;
        }
        icmp(sb, icmp);
        if (!ip.isFragment() && Checksum.compute(ip.buffer(), ip.payloadOffset(), ip.payloadLength()) != 0) {
            badChecksum(sb, "icmp", icmp.checksum(), IcmpMessage.expectedChecksum(ip));
        }
    }

    /** e.g. {@code IP 1.2.3.4.5 > 6.7.8.9.10: tcp 12 [bad tcp: <reason>]}: ports when there are any. */
    private static void bad(StringBuilder sb, Ipv4Packet ip, String protocol, MalformedPacketException e) {
        if (ip.payloadLength() >= 4 && !protocol.equals("icmp")) {
            endpoints(sb, ip, ip.buffer().getShort(ip.payloadOffset()) & 0xFFFF,
                    ip.buffer().getShort(ip.payloadOffset() + 2) & 0xFFFF);
        } else {
            addresses(sb, ip);
        }
        sb.append(' ').append(protocol).append(' ').append(ip.payloadLength())
                .append(" [bad ").append(protocol).append(": ").append(e.reason()).append(']');
    }

    private static void badChecksum(StringBuilder sb, String protocol, int stored, int expected) {
        sb.append(" [bad ").append(protocol).append(" cksum ");
        hex16(sb, stored).append(" -> ");
        hex16(sb, expected).append("!]");
    }

    /** {@code IP src.sport > dst.dport: Flags [S.], seq 1, ack 2, win 3, options [...], length 0}. */
    static void tcp(StringBuilder sb, TcpSegment tcp) {
        endpoints(sb, tcp.ip(), tcp.sourcePort(), tcp.destinationPort());
        int flags = tcp.flags();
        sb.append(" Flags [");
        flags(sb, flags);
        sb.append(']');
        int length = tcp.payloadLength();
        long seq = tcp.sequenceNumber();
        if (length > 0 || (flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) != 0) {
            sb.append(", seq ").append(seq);
            if (length > 0) {
                sb.append(':').append((seq + length) & 0xFFFF_FFFFL);
            }
        }
        if ((flags & TcpSegment.ACK) != 0) {
            sb.append(", ack ").append(tcp.acknowledgmentNumber());
        }
        sb.append(", win ").append(tcp.window());
        if ((flags & TcpSegment.URG) != 0) {
            sb.append(", urg ").append(tcp.urgentPointer());
        }
        if (tcp.dataOffset() > TcpSegment.MIN_HEADER_LENGTH) {
            sb.append(", options [").append(tcp.options()).append(']');
        }
        sb.append(", length ").append(length);
    }

    /**
     * tcpdump's letters, in its order: F S R P . (ACK) U E W (CWR); {@code none} for no flags. The order is
     * that of the bits, FIN (0x01) to CWR (0x80), so letter {@code i} stands for bit {@code 1 << i}.
     */
    static void flags(StringBuilder sb, int flags) {
        if ((flags & 0xFF) == 0) {
            sb.append("none");
            return;
        }
        for (int i = 0; i < FLAG_LETTERS.length(); i++) {
            if ((flags & 1 << i) != 0) {
                sb.append(FLAG_LETTERS.charAt(i));
            }
        }
    }

    /** {@code IP src > dst: ICMP <what>, length N} with tcpdump's wording for the common types. */
    static void icmp(StringBuilder sb, IcmpMessage icmp) {
        Ipv4Packet ip = icmp.ip();
        addresses(sb, ip).append(" ICMP ");
        int type = icmp.type();
        int code = icmp.code();
        switch (type) {
            case IcmpMessage.ECHO_REQUEST:
            case IcmpMessage.ECHO_REPLY:
                sb.append(type == IcmpMessage.ECHO_REQUEST ? "echo request" : "echo reply")
                        .append(", id ").append(icmp.identifier()).append(", seq ").append(icmp.sequenceNumber());
                break;
            case IcmpMessage.DEST_UNREACHABLE:
                if (!unreachable(sb, icmp)) {
                    sb.append("type ").append(type).append(" code ").append(code);
                }
                break;
            case IcmpMessage.TIME_EXCEEDED:
                sb.append(code == 0 ? "time exceeded in-transit"
                        : code == 1 ? "ip reassembly time exceeded" : "time exceeded-#" + code);
                break;
            default:
                sb.append("type ").append(type).append(" code ").append(code);
                break;
        }
        sb.append(", length ").append(ip.payloadLength());
    }

    /** Describes a destination unreachable from the datagram it quotes; false if too little is quoted. */
    private static boolean unreachable(StringBuilder sb, IcmpMessage icmp) {
        ByteBuffer b = icmp.ip().buffer();
        int quoted = icmp.payloadOffset();
        int available = icmp.payloadLength();
        if (available < Ipv4Packet.MIN_HEADER_LENGTH) {
            return false;
        }
        String target = Ipv4Packet.toDottedQuad(b.getInt(quoted + 16));
        int protocol = b.get(quoted + 9) & 0xFF;
        switch (icmp.code()) {
            case 0:
                sb.append("net ").append(target).append(" unreachable");
                return true;
            case 1:
                sb.append("host ").append(target).append(" unreachable");
                return true;
            case 2:
                sb.append(target).append(" protocol ").append(protocol).append(" unreachable");
                return true;
            case 3:
                int quotedHeader = (b.get(quoted) & 0xF) * 4;
                if (quotedHeader < Ipv4Packet.MIN_HEADER_LENGTH || available < quotedHeader + 4) {
                    return false;
                }
                int port = b.getShort(quoted + quotedHeader + 2) & 0xFFFF;
                if (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) {
                    sb.append(target).append(protocol == IpProtocol.TCP ? " tcp" : " udp").append(" port ")
                            .append(port).append(" unreachable");
                } else {
                    sb.append(target).append(" protocol ").append(protocol).append(" port ").append(port)
                            .append(" unreachable");
                }
                return true;
            case 4:
                int mtu = icmp.sequenceNumber();
                sb.append(target).append(" unreachable - need to frag");
                if (mtu != 0) {
                    sb.append(" (mtu ").append(mtu).append(')');
                }
                return true;
            default:
                int code = icmp.code();
                if (code < UNREACHABLE.length) {
                    sb.append(UNREACHABLE[code].replace("%s", target));
                } else {
                    sb.append('#').append(code).append(' ').append(target).append(" unreachable");
                }
                return true;
        }
    }

    /** {@code IP src.sport > dst.dport: UDP, length N}, N from the UDP length field. */
    private static void udp(StringBuilder sb, Ipv4Packet ip) {
        ByteBuffer b = ip.buffer();
        int off = ip.payloadOffset();
        int available = ip.payloadLength();
        if (available < 8) {
            addresses(sb, ip).append(" udp ").append(available).append(" [bad udp: datagram of ").append(available)
                    .append(" bytes is shorter than the 8-byte header]");
            return;
        }
        endpoints(sb, ip, b.getShort(off) & 0xFFFF, b.getShort(off + 2) & 0xFFFF);
        int udpLength = b.getShort(off + 4) & 0xFFFF;
        if (udpLength < 8) {
            sb.append(" UDP, bad length ").append(udpLength).append(" < 8");
        } else if (udpLength > available && !ip.moreFragments()) {
            sb.append(" UDP, bad length ").append(udpLength).append(" > ").append(available);
        } else if (!dns(sb, ip, off, udpLength)) {
            sb.append(" UDP, length ").append(udpLength - 8);
        }
    }

    /** A DNS message to or from port 53, as tcpdump prints it; false when it is not one. */
    private static boolean dns(StringBuilder sb, Ipv4Packet ip, int off, int udpLength) {
        ByteBuffer b = ip.buffer();
        if (ip.isFragment() || ((b.getShort(off) & 0xFFFF) != 53 && (b.getShort(off + 2) & 0xFFFF) != 53)) {
            return false;
        }
        try {
            DnsMessage message = DnsMessage.parse(b.slice(off + 8, udpLength - 8));
            sb.append(' ').append(message);
            return true;
        } catch (MalformedPacketException | RuntimeException e) {
            return false;
        }
    }

    /** The old tcpdump fragment note, e.g. {@code (frag 49349:1480@0+)}: id, payload bytes, offset, MF. */
    private static void fragment(StringBuilder sb, Ipv4Packet ip) {
        sb.append(" (frag ").append(ip.identification()).append(':').append(ip.payloadLength()).append('@')
                .append(ip.fragmentOffset());
        if (ip.moreFragments()) {
            sb.append('+');
        }
        sb.append(')');
    }

    static String fragmentReason(Ipv4Packet ip, String protocol) {
        return "fragment (id " + ip.identification() + ", offset " + ip.fragmentOffset()
                + (ip.moreFragments() ? ", more fragments" : ", last") + ") cannot be parsed as " + protocol
                + "; fragments are not reassembled";
    }

    private static StringBuilder addresses(StringBuilder sb, Ipv4Packet ip) {
        return sb.append("IP ").append(Ipv4Packet.toDottedQuad(ip.sourceInt())).append(" > ")
                .append(Ipv4Packet.toDottedQuad(ip.destinationInt())).append(':');
    }

    private static void endpoints(StringBuilder sb, Ipv4Packet ip, int sourcePort, int destinationPort) {
        sb.append("IP ").append(Ipv4Packet.toDottedQuad(ip.sourceInt())).append('.').append(sourcePort)
                .append(" > ").append(Ipv4Packet.toDottedQuad(ip.destinationInt())).append('.')
                .append(destinationPort).append(':');
    }

    static StringBuilder hex16(StringBuilder sb, int value) {
        sb.append("0x");
        for (int shift = 12; shift >= 0; shift -= 4) {
            sb.append(HEX[(value >> shift) & 0xF]);
        }
        return sb;
    }

    /** Appends {@code b[off, off + length)} as lowercase hex without separators. */
    static void hex(StringBuilder sb, ByteBuffer b, int off, int length) {
        for (int i = off; i < off + length; i++) {
            int v = b.get(i);
            sb.append(HEX[(v >> 4) & 0xF]).append(HEX[v & 0xF]);
        }
    }
}
