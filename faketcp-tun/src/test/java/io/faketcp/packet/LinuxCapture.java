package io.faketcp.packet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Known-good packets sent by a real Linux kernel (6.x), captured with tcpdump 4.99.3.
 *
 * <p>How: {@code unshare --net sh capture/run.sh} in {@code src/test/resources/io/faketcp/packet}. It
 * makes two private network namespaces joined by a veth pair (192.168.0.1 and 192.168.0.5), turns tx
 * checksum offload off on both ends (on loopback it cannot be turned off, and offloaded TCP/UDP
 * checksums are captured unfinished), runs {@code tcpdump -i veth0 -w linux-veth.pcap -U}, and drives
 * traffic with Python sockets: a raw-socket ICMP echo (id 1234, seq 1, 56 data bytes 0..55, like ping),
 * a TCP connection 41234 -> 4242 sending "hello" and closing, a connect to closed port 9 (RST), UDP
 * "hello world" 40000 -> 4243, a 2001-byte UDP datagram (fragmented), UDP with IP options (NOP + record
 * route) and a raw IP packet of protocol 253. {@code linux-veth.txt} is
 * {@code tcpdump -nn -S -r linux-veth.pcap ip | cut -d' ' -f2-}. The hex below is the IPv4 packets of
 * that pcap with the 14-byte Ethernet header stripped.
 */
final class LinuxCapture {

    /** {@code IP 192.168.0.1 > 192.168.0.5: ICMP echo request, id 1234, seq 1, length 64}. */
    static final String ECHO_REQUEST = "45000054a2fb400040011657c0a80001c0a800050800fc1904d20001"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f3031323334353637";
    /** {@code IP 192.168.0.5 > 192.168.0.1: ICMP echo reply, id 1234, seq 1, length 64}. */
    static final String ECHO_REPLY = "45000054b84400004001410ec0a80005c0a800010000041a04d20001"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f3031323334353637";
    /** The client's SYN with Linux's options {@code mss 1460,sackOK,TS val 2680087271 ecr 0,nop,wscale 10}. */
    static final String SYN = "4500003cb90940004006005cc0a80001c0a80005"
            + "a11210929f292b5b00000000a002faf0cce50000020405b40402080a9fbee2e7000000000103030a";
    /** The server's SYN+ACK. */
    static final String SYN_ACK = "4500003c000040004006b965c0a80005c0a80001"
            + "1092a112f745ee109f292b5ca012fe8839d30000020405b40402080a1a468fcc9fbee2e70103030a";
    /** The client's ACK completing the handshake, options {@code nop,nop,TS}. */
    static final String ACK = "45000034b90a400040060063c0a80001c0a80005"
            + "a11210929f292b5cf745ee118010003f66ec00000101080a9fbee2e71a468fcc";
    /** "hello": PSH+ACK with 5 data bytes (an odd length). */
    static final String DATA = "45000039b90b40004006005dc0a80001c0a80005"
            + "a11210929f292b5cf745ee118018003f224500000101080a9fbee3af1a468fcc68656c6c6f";
    /** The client's FIN+ACK. */
    static final String FIN = "45000034b90c400040060061c0a80001c0a80005"
            + "a11210929f292b61f745ee118011003f648d00000101080a9fbee4781a469094";
    /** RST+ACK from the server for a SYN to closed port 9. */
    static final String RST = "45000028000040004006b979c0a80005c0a80001"
            + "0009a1130000000003a404fe5014000084bb0000";
    /** {@code IP 192.168.0.1.40000 > 192.168.0.5.4243: UDP, length 11} ("hello world"). */
    static final String UDP = "45000027cbae40004011edc0c0a80001c0a80005"
            + "9c40109300133fcf68656c6c6f20776f726c64";
    /** UDP "opt" with IP options NOP + record route (filled in by the kernel): IHL 7. */
    static final String UDP_WITH_IP_OPTIONS = "47000027cbd14000401122e5c0a80001c0a80005"
            + "01070708c0a80001" + "9c411095000bee396f7074";
    /** Raw IP, protocol 253, payload "xyz": {@code IP 192.168.0.1 > 192.168.0.5:  ip-proto-253 3}. */
    static final String PROTOCOL_253 = "45000017fb5a400040fdbd38c0a80001c0a8000578797a";

    static final String PCAP = "linux-veth.pcap";
    static final String TRANSCRIPT = "linux-veth.txt";
    static final String PCAP6 = "linux-veth6.pcap";
    static final String TRANSCRIPT6 = "linux-veth6.txt";

    private LinuxCapture() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex));
    }

    /** The packet copied into a direct buffer at {@code position}, limit right after it, like a tun read. */
    static ByteBuffer direct(String hex, int position) {
        byte[] b = bytes(hex);
        ByteBuffer buf = ByteBuffer.allocateDirect(position + b.length + 16);
        buf.put(position, b).position(position).limit(position + b.length);
        return buf;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The IPv4 packets of the capture, Ethernet headers stripped, in order (a minimal pcap reader). */
    static List<byte[]> ipv4Packets() {
        return packets(PCAP, 0x0800);
    }

    /**
     * The IPv6 packets of {@code linux-veth6.pcap} ({@code capture/run6.sh}: the same exchange as
     * {@link #PCAP} between fd00:fa:ce::1 and fd00:fa:ce::5, plus the kernel's MLD reports with a
     * hop-by-hop header and a UDP datagram in two fragments), Ethernet headers stripped, in order.
     */
    static List<byte[]> ipv6Packets() {
        return packets(PCAP6, 0x86DD);
    }

    /** tcpdump's lines for {@link #ipv6Packets()}, timestamps cut. */
    static List<String> transcript6() {
        return new String(resource(TRANSCRIPT6), StandardCharsets.UTF_8).lines().toList();
    }

    private static List<byte[]> packets(String file, int wantedEtherType) {
        byte[] pcap = resource(file);
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b2c3d4 || b.getInt(20) != 1) {
            throw new IllegalStateException("expected a little-endian microsecond pcap of Ethernet frames");
        }
        List<byte[]> packets = new ArrayList<>();
        for (int off = 24; off < pcap.length; ) {
            int captured = b.getInt(off + 8);
            int frame = off + 16;
            int etherType = ((pcap[frame + 12] & 0xFF) << 8) | (pcap[frame + 13] & 0xFF);
            if (etherType == wantedEtherType) {
                byte[] ip = new byte[captured - 14];
                System.arraycopy(pcap, frame + 14, ip, 0, ip.length);
                packets.add(ip);
            }
            off = frame + captured;
        }
        return packets;
    }

    /** tcpdump's lines for {@link #ipv4Packets()}, timestamps cut. */
    static List<String> transcript() {
        return new String(resource(TRANSCRIPT), StandardCharsets.UTF_8).lines().toList();
    }

    private static byte[] resource(String name) {
        try (InputStream in = LinuxCapture.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recomputes the IPv4 header checksum after a test changed header bytes. */
    static byte[] fixIpChecksum(byte[] packet) {
        ByteBuffer b = ByteBuffer.wrap(packet);
        int headerLength = (packet[0] & 0xF) * 4;
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Checksum.compute(b, 0, Math.min(headerLength, packet.length)));
        return packet;
    }

    /** Recomputes the TCP checksum (IPv4 header without options assumed checked by the caller). */
    static byte[] fixTcpChecksum(byte[] packet) {
        ByteBuffer b = ByteBuffer.wrap(packet);
        int l4 = (packet[0] & 0xF) * 4;
        b.putShort(l4 + 16, (short) 0);
        b.putShort(l4 + 16, (short) Checksum.tcpUdp(b, 0, IpProtocol.TCP, l4, packet.length - l4));
        return packet;
    }
}
