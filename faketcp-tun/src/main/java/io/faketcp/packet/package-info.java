/**
 * IPv4, IPv6, TCP, UDP, ICMP and ICMPv6 packets as zero-copy views over byte buffers and as reusable
 * builders, with RFC 1071 checksums (and the IPv6 pseudo-header of RFC 8200) and tcpdump-style lines.
 * {@link io.faketcp.packet.IpPacket} is what the IPv4 and IPv6 views share; TCP and UDP views read
 * either family, and the builders build the family of the addresses they are given.
 *
 * <p>The fake peer's loop reads a packet into a direct buffer, wraps it in place, and writes its reply
 * into another buffer with a per-thread builder:
 *
 * <pre>{@code
 * in.clear().limit(tun.read(in));
 * try {
 *     Ipv4Packet ip = Ipv4Packet.wrap(in);
 *     if (ip.protocol() == IpProtocol.ICMP && IcmpMessage.wrap(ip).isEchoRequest()) {
 *         tun.write(out, IcmpMessage.writeEchoReply(ip, out, 0));
 *     } else if (ip.protocol() == IpProtocol.TCP) {
 *         TcpSegment tcp = TcpSegment.wrap(ip);
 *         int length = reply.reset().source(ip.destinationInt()).destination(ip.sourceInt())
 *                 .sourcePort(tcp.destinationPort()).destinationPort(tcp.sourcePort())
 *                 .acknowledgmentNumber(tcp.sequenceNumber() + 1).flags(TcpSegment.RST | TcpSegment.ACK)
 *                 .writeTo(out, 0);
 *         tun.write(out, length);
 *     }
 * } catch (MalformedPacketException e) {
 *     log(Tcpdump.format(in)); // "bad packet (total length 60 but 52 bytes read): 4500003c..."
 * }
 * }</pre>
 *
 * <p>Views read the buffer with absolute gets and never move its position or limit; they are valid until
 * the buffer is refilled. Builders write with absolute puts and are not thread-safe: keep one per thread.
 * A loop that must not allocate per packet parses with a {@link io.faketcp.packet.PacketViews}, whose views
 * are re-pointed at each packet.
 */
package io.faketcp.packet;
