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

    /** The line for any wrapped IPv6 packet, as tcpdump 4.99 prints it ({@code IP6 ...}). */
    static String ip(Ipv6Packet ip) {
        StringBuilder sb = new StringBuilder(128);
        if (ip.fragmentOffset() != 0) {
            addresses(sb, ip); // ends with tcpdump's "frag (offset|length)": no upper-layer header here
            return sb.toString();
        }
        int protocol = ip.protocol();
        switch (protocol) {
            case IpProtocol.TCP:
                tcpLine(sb, ip);
                break;
            case IpProtocol.UDP:
                udp(sb, ip);
                break;
            case IpProtocol.ICMPV6:
                icmpv6Line(sb, ip);
                break;
            case IpProtocol.NO_NEXT_HEADER:
                addresses(sb, ip).append(" no next header");
                break;
            default:
                // tcpdump prints two spaces here, as for IPv4.
                addresses(sb, ip).append("  ip-proto-").append(protocol).append(' ').append(ip.payloadLength());
                break;
        }
        return sb.toString();
    }

    private static void tcpLine(StringBuilder sb, IpPacket ip) {
        TcpSegment tcp;
        try {
            tcp = TcpSegment.parse(ip, false);
        } catch (MalformedPacketException e) {
            bad(sb, ip, "tcp", e);
            return;
        }
        tcp(sb, tcp);
        if (!ip.isFragment() && Checksum.upperLayer(ip, IpProtocol.TCP) != 0) {
            badChecksum(sb, "tcp", tcp.checksum(), TcpSegment.expectedChecksum(ip));
        }
    }

    private static void icmpv6Line(StringBuilder sb, Ipv6Packet ip) {
        Icmpv6Message icmp;
        try {
            icmp = new Icmpv6Message().bind(ip, false);
        } catch (MalformedPacketException e) {
            bad(sb, ip, "icmp6", e);
            return;
        }
        icmpv6(sb, icmp);
        if (!ip.isFragment() && Checksum.upperLayer(ip, IpProtocol.ICMPV6) != 0) {
            badChecksum(sb, "icmp6", icmp.checksum(), Icmpv6Message.expectedChecksum(ip));
        }
    }

    /** tcpdump's names of the ICMPv6 types it knows without -v, by type; null where it has none. */
    private static String icmpv6TypeName(int type) {
        switch (type) {
            case Icmpv6Message.DESTINATION_UNREACHABLE: return "destination unreachable";
            case Icmpv6Message.PACKET_TOO_BIG: return "packet too big";
            case Icmpv6Message.TIME_EXCEEDED: return "time exceeded in-transit";
            case Icmpv6Message.PARAMETER_PROBLEM: return "parameter problem";
            case Icmpv6Message.ECHO_REQUEST: return "echo request";
            case Icmpv6Message.ECHO_REPLY: return "echo reply";
            case 130: return "multicast listener query";
            case 131: return "multicast listener report";
            case 132: return "multicast listener done";
            case Icmpv6Message.ROUTER_SOLICITATION: return "router solicitation";
            case 134: return "router advertisement";
            case Icmpv6Message.NEIGHBOR_SOLICITATION: return "neighbor solicitation";
            case Icmpv6Message.NEIGHBOR_ADVERTISEMENT: return "neighbor advertisement";
            case 137: return "redirect";
            case Icmpv6Message.MLD_V2_REPORT: return "multicast listener report v2";
            default: return null;
        }
    }

    /** {@code IP6 src > dst: ICMP6, <what>, length N} with tcpdump's wording for the common types. */
    static void icmpv6(StringBuilder sb, Icmpv6Message icmp) {
        Ipv6Packet ip = icmp.ip();
        addresses(sb, ip).append(" ICMP6, ");
        int type = icmp.type();
        int code = icmp.code();
        int length = ip.payloadLength();
        String name = icmpv6TypeName(type);
        if (name == null) {
            sb.append("unknown icmp6 type (").append(type).append("), length ").append(length);
            return;
        }
        sb.append(name);
        ByteBuffer b = ip.buffer();
        int quoted = icmp.payloadOffset();
        boolean quotesHeader = icmp.payloadLength() >= Ipv6Packet.HEADER_LENGTH;
        switch (type) {
            case Icmpv6Message.DESTINATION_UNREACHABLE:
                if (!quotesHeader) {
                    break;
                }
                String target = Ipv6Packet.toText(b.getLong(quoted + 24), b.getLong(quoted + 32));
                switch (code) {
                    case Icmpv6Message.UNREACHABLE_NO_ROUTE:
                        sb.append(", unreachable route ").append(target);
                        break;
                    case Icmpv6Message.UNREACHABLE_ADMIN_PROHIBITED:
                        sb.append(",  unreachable prohibited ").append(target); // tcpdump's two spaces
                        break;
                    case 2:
                        sb.append(", beyond scope ").append(target).append(", source address ")
                                .append(Ipv6Packet.toText(b.getLong(quoted + 8), b.getLong(quoted + 16)));
                        break;
                    case Icmpv6Message.UNREACHABLE_ADDRESS:
                        sb.append(", unreachable address ").append(target);
                        break;
                    case Icmpv6Message.UNREACHABLE_PORT:
                        sb.append(", unreachable port");
                        quotedPort(sb, b, quoted, icmp.payloadLength(), target);
                        break;
                    default:
                        // tcpdump ends the line here and hex-dumps the message on the next ones.
                        sb.append(", unknown unreach code (").append(code).append(')');
                        return;
                }
                break;
            case Icmpv6Message.PACKET_TOO_BIG:
                sb.append(", mtu ").append(icmp.mtu());
                break;
            case Icmpv6Message.TIME_EXCEEDED:
                if (code == 0 && quotesHeader) {
                    sb.append(" for ").append(Ipv6Packet.toText(b.getLong(quoted + 24), b.getLong(quoted + 32)));
                } else if (code == 1) {
                    sb.append(" (reassembly)");
                } else if (code != 0) {
                    sb.append(", unknown code (").append(code).append(')');
                }
                break;
            case Icmpv6Message.ECHO_REQUEST:
            case Icmpv6Message.ECHO_REPLY:
                sb.append(", id ").append(icmp.identifier()).append(", seq ").append(icmp.sequenceNumber());
                break;
            case Icmpv6Message.NEIGHBOR_SOLICITATION:
            case Icmpv6Message.NEIGHBOR_ADVERTISEMENT:
                if (icmp.payloadLength() >= 20) {
                    sb.append(type == Icmpv6Message.NEIGHBOR_SOLICITATION ? ", who has " : ", tgt is ")
                            .append(Ipv6Packet.toText(b.getLong(quoted + 4), b.getLong(quoted + 12)));
                }
                break;
            case Icmpv6Message.MLD_V2_REPORT:
                sb.append(", ").append(icmp.sequenceNumber()).append(" group record(s)");
                break;
            default:
                break;
        }
        sb.append(", length ").append(length);
    }

    /** {@code , <target> udp port 53}: the port of the datagram or segment a port unreachable quotes. */
    private static void quotedPort(StringBuilder sb, ByteBuffer b, int quoted, int available, String target) {
        int next = b.get(quoted + 6) & 0xFF;
        int at = quoted + Ipv6Packet.HEADER_LENGTH;
        int end = quoted + available;
        while ((next == IpProtocol.HOP_BY_HOP || next == IpProtocol.ROUTING || next == IpProtocol.DESTINATION_OPTIONS
                || next == IpProtocol.FRAGMENT) && end - at >= 8) {
            int length = next == IpProtocol.FRAGMENT ? 8 : ((b.get(at + 1) & 0xFF) + 1) * 8;
            next = b.get(at) & 0xFF;
            at += length;
        }
        if (end - at < 4) {
            return;
        }
        int port = b.getShort(at + 2) & 0xFFFF;
        if (next == IpProtocol.TCP || next == IpProtocol.UDP) {
            sb.append(", ").append(target).append(next == IpProtocol.TCP ? " tcp port " : " udp port ").append(port);
        } else {
            sb.append(", ").append(target).append(" protocol ").append(next).append(" port ").append(port)
                    .append(" unreachable");
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
    private static void bad(StringBuilder sb, IpPacket ip, String protocol, MalformedPacketException e) {
        if (ip.payloadLength() >= 4 && !protocol.startsWith("icmp")) {
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
        endpoints(sb, tcp.packet(), tcp.sourcePort(), tcp.destinationPort());
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
    private static void udp(StringBuilder sb, IpPacket ip) {
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
        } else if (udpLength > available && !ip.isFragment()) {
            sb.append(" UDP, bad length ").append(udpLength).append(" > ").append(available);
        } else if (!dns(sb, ip, off, udpLength)) {
            sb.append(" UDP, length ").append(udpLength - 8);
        }
    }

    /** A DNS message to or from port 53, as tcpdump prints it; false when it is not one. */
    private static boolean dns(StringBuilder sb, IpPacket ip, int off, int udpLength) {
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

    static String fragmentReason(IpPacket ip, String protocol) {
        long id;
        boolean more;
        int offset;
        if (ip instanceof Ipv6Packet) {
            Ipv6Packet v6 = (Ipv6Packet) ip;
            id = v6.identification();
            more = v6.moreFragments();
            offset = v6.fragmentOffset();
        } else {
            Ipv4Packet v4 = (Ipv4Packet) ip;
            id = v4.identification();
            more = v4.moreFragments();
            offset = v4.fragmentOffset();
        }
        return "fragment (id " + id + ", offset " + offset + (more ? ", more fragments" : ", last")
                + ") cannot be parsed as " + protocol + "; fragments are not reassembled";
    }

    /** {@code IP a > b:} or {@code IP6 a > b:}, for IPv6 followed by tcpdump's notes on extension headers. */
    private static StringBuilder addresses(StringBuilder sb, IpPacket ip) {
        sb.append(ip instanceof Ipv6Packet ? "IP6 " : "IP ").append(ip.sourceText()).append(" > ")
                .append(ip.destinationText()).append(':');
        if (ip instanceof Ipv6Packet && ip.headerLength() > Ipv6Packet.HEADER_LENGTH) {
            extensionHeaders(sb, (Ipv6Packet) ip);
        }
        return sb;
    }

    /** tcpdump's words for the extension headers: {@code HBH}, {@code DSTOPT}, {@code srcrt}, {@code frag (o|n)}. */
    private static void extensionHeaders(StringBuilder sb, Ipv6Packet ip) {
        ByteBuffer b = ip.buffer();
        int next = ip.nextHeader();
        int at = ip.offset() + Ipv6Packet.HEADER_LENGTH;
        int end = ip.payloadOffset();
        while (at < end) {
            int length;
            switch (next) {
                case IpProtocol.HOP_BY_HOP:
                    sb.append(" HBH");
                    length = ((b.get(at + 1) & 0xFF) + 1) * 8;
                    break;
                case IpProtocol.DESTINATION_OPTIONS:
                    sb.append(" DSTOPT");
                    length = ((b.get(at + 1) & 0xFF) + 1) * 8;
                    break;
                case IpProtocol.ROUTING:
                    sb.append(" srcrt (type=").append(b.get(at + 2) & 0xFF).append(", segleft=0)");
                    length = ((b.get(at + 1) & 0xFF) + 1) * 8;
                    break;
                default: // the fragment header, the only other one the view skips
                    length = 8;
                    sb.append(" frag (").append(b.getShort(at + 2) & 0xFFF8).append('|')
                            .append(ip.offset() + ip.totalLength() - at - length).append(')');
                    break;
            }
            next = b.get(at) & 0xFF;
            at += length;
        }
    }

    private static void endpoints(StringBuilder sb, IpPacket ip, int sourcePort, int destinationPort) {
        if (ip instanceof Ipv6Packet && ip.headerLength() > Ipv6Packet.HEADER_LENGTH) {
            // tcpdump prints the addresses before the extension headers and only the ports after them.
            addresses(sb, ip).append(' ').append(sourcePort).append(" > ").append(destinationPort).append(':');
            return;
        }
        sb.append(ip instanceof Ipv6Packet ? "IP6 " : "IP ").append(ip.sourceText()).append('.').append(sourcePort)
                .append(" > ").append(ip.destinationText()).append('.').append(destinationPort).append(':');
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
