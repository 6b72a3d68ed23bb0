package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static io.faketcp.packet.LinuxCapture.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The IPv6 view and builders against packets a real Linux kernel sent (see {@link LinuxCapture#ipv6Packets()}). */
class Ipv6PacketTest {

    /** fd00:fa:ce::1 and fd00:fa:ce::5 as two halves. */
    private static final long PREFIX = 0xfd0000fa00ce0000L;

    private static final List<byte[]> CAPTURE = LinuxCapture.ipv6Packets();
    private static final byte[] MLD_REPORT = CAPTURE.get(0);
    private static final byte[] ECHO_REQUEST = CAPTURE.get(2);
    private static final byte[] ECHO_REPLY = CAPTURE.get(3);
    private static final byte[] SYN = CAPTURE.get(4);
    private static final byte[] DATA = CAPTURE.get(7);
    private static final byte[] RST = CAPTURE.get(14);
    private static final byte[] UDP = CAPTURE.get(15);
    private static final byte[] PORT_UNREACHABLE = CAPTURE.get(16);
    private static final byte[] FIRST_FRAGMENT = CAPTURE.get(17);
    private static final byte[] LAST_FRAGMENT = CAPTURE.get(18);
    private static final byte[] BIG_PORT_UNREACHABLE = CAPTURE.get(19);

    private static MalformedPacketException rejection(byte[] packet) {
        return catchThrowableOfType(MalformedPacketException.class, () -> Ipv6Packet.wrap(packet));
    }

    @Test
    void capturedSynHeaderFieldsMatchTheirByteOffsets() throws Exception {
        Ipv6Packet ip = Ipv6Packet.wrap(SYN);

        assertThat(ip.version()).isEqualTo(6);
        assertThat(ip.trafficClass()).isZero();
        assertThat(ip.flowLabel()).isEqualTo(0x12b5c);
        assertThat(ip.totalLength()).isEqualTo(80);
        assertThat(ip.headerLength()).isEqualTo(40);
        assertThat(ip.payloadOffset()).isEqualTo(40);
        assertThat(ip.payloadLength()).isEqualTo(40);
        assertThat(ip.nextHeader()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.hopLimit()).isEqualTo(64);
        assertThat(ip.sourceHigh()).isEqualTo(PREFIX);
        assertThat(ip.sourceLow()).isEqualTo(1);
        assertThat(ip.destinationHigh()).isEqualTo(PREFIX);
        assertThat(ip.destinationLow()).isEqualTo(5);
        assertThat(ip.source()).isEqualTo(InetAddress.getByName("fd00:fa:ce::1"));
        assertThat(ip.destination()).isEqualTo(InetAddress.getByName("fd00:fa:ce::5"));
        assertThat(ip.sourceText()).isEqualTo("fd00:fa:ce::1");
        assertThat(ip.destinationText()).isEqualTo("fd00:fa:ce::5");
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.hasFragmentHeader()).isFalse();
        assertThat(ip.payload().remaining()).isEqualTo(40);
    }

    @Test
    void everyCapturedPacketIsWellFormed() {
        for (byte[] packet : CAPTURE) {
            assertThat(rejection(packet)).as(hex(packet)).isNull();
        }
    }

    @Test
    void capturedTcpAndUdpChecksumsVerifyOverThePseudoHeader() throws Exception {
        for (byte[] packet : List.of(SYN, DATA, RST, UDP)) {
            Ipv6Packet ip = Ipv6Packet.wrap(packet);
            assertThat(Checksum.ipv6(ip.buffer(), 0, ip.protocol(), 40, ip.payloadLength())).isZero();
        }
        TcpSegment data = TcpSegment.wrap(Ipv6Packet.wrap(DATA));
        assertThat(data.sourcePort()).isEqualTo(41234);
        assertThat(data.destinationPort()).isEqualTo(4242);
        assertThat(data.psh()).isTrue();
        assertThat(data.payloadLength()).isEqualTo(5);
        assertThat(data.ipv6().sourceLow()).isEqualTo(1);
        assertThat(data.packet().version()).isEqualTo(6);
        UdpDatagram udp = UdpDatagram.wrap(Ipv6Packet.wrap(UDP));
        assertThat(new String(udp.payloadBytes(), "US-ASCII")).isEqualTo("hello world");
    }

    @Test
    void aSegmentCarriedByIpv6SaysSoWhenAskedForItsIpv4Packet() throws Exception {
        TcpSegment syn = TcpSegment.wrap(Ipv6Packet.wrap(SYN));

        assertThatThrownBy(syn::ip).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("carried by IPv6 (fd00:fa:ce::1 > fd00:fa:ce::5)").hasMessageContaining("packet()");
    }

    @Test
    void aCorruptedTcpChecksumIsRefusedWithTheExpectedValue() {
        byte[] bad = SYN.clone();
        bad[40 + 16] ^= 1;

        assertThatThrownBy(() -> TcpSegment.wrap(Ipv6Packet.wrap(bad))).isInstanceOf(MalformedPacketException.class)
                .hasMessage("bad TCP checksum 0xa27d (expected 0xa37d)");
    }

    @Test
    void udpWithoutChecksumIsRefusedOverIpv6() throws Exception {
        byte[] none = UDP.clone();
        none[46] = 0;
        none[47] = 0;

        assertThatThrownBy(() -> UdpDatagram.wrap(Ipv6Packet.wrap(none))).isInstanceOf(MalformedPacketException.class)
                .hasMessage("UDP checksum 0 over IPv6, where it is mandatory (expected 0xc38e)");
    }

    @Test
    void theBuilderRebuildsLinuxsSynByteForByte() {
        byte[] built = TcpSegment.builder().source(PREFIX, 1).destination(PREFIX, 5).flowLabel(0x12b5c)
                .sourcePort(41234).destinationPort(4242).sequenceNumber(3768345925L).flags(TcpSegment.SYN)
                .window(64800).mss(1440).sackPermitted(true).timestamps(4176853342L, 0).windowScale(10).build();

        assertThat(hex(built)).isEqualTo(hex(SYN));
    }

    @Test
    void theBuilderRebuildsLinuxsUdpDatagramByteForByte() throws Exception {
        byte[] built = UdpDatagram.builder().source((Inet6Address) InetAddress.getByName("fd00:fa:ce::1"))
                .destination((Inet6Address) InetAddress.getByName("fd00:fa:ce::5")).flowLabel(0x9b11d)
                .sourcePort(40000).destinationPort(4243).payload("hello world".getBytes("US-ASCII")).build();

        assertThat(hex(built)).isEqualTo(hex(UDP));
    }

    @Test
    void aUdpChecksumComputedAsZeroIsSentAsAllOnes() throws Exception {
        // Find a payload whose checksum comes out as 0, then check the builder sends 0xFFFF instead.
        UdpDatagram.Builder b = UdpDatagram.builder().source(PREFIX, 1).destination(PREFIX, 5).sourcePort(1)
                .destinationPort(2);
        byte[] sent = null;
        for (int v = 0; v <= 0xFFFF && sent == null; v++) {
            byte[] packet = b.payload(new byte[] {(byte) (v >> 8), (byte) v}).build();
            ByteBuffer p = ByteBuffer.wrap(packet);
            p.putShort(46, (short) 0);
            if (Checksum.ipv6(p, 0, IpProtocol.UDP, 40, 10) == 0) {
                sent = b.build();
            }
        }
        assertThat(sent).isNotNull();
        assertThat(ByteBuffer.wrap(sent).getShort(46)).isEqualTo((short) 0xFFFF);
        assertThat(UdpDatagram.wrap(Ipv6Packet.wrap(sent)).checksum()).isEqualTo(0xFFFF);
    }

    @Test
    void addressesOfTwoFamiliesInOneBuilderAreRefused() {
        TcpSegment.Builder b = TcpSegment.builder().source(PREFIX, 1).destination(0xC0A80005);

        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessage(
                "the source address is IPv6 but the destination address is IPv4: set both addresses of one family");
        assertThatThrownBy(() -> Ipv4Packet.builder().source(PREFIX, 1).destination(PREFIX, 5).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Ipv6Packet builders for IPv6");
        assertThatThrownBy(() -> Icmpv6Message.builder().source(1).destination(5).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("builds IPv6 packets");
    }

    @Test
    void hopByHopOptionsAreSkippedToTheUpperLayer() throws Exception {
        Ipv6Packet ip = Ipv6Packet.wrap(MLD_REPORT);

        assertThat(ip.nextHeader()).isEqualTo(IpProtocol.HOP_BY_HOP);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.headerLength()).isEqualTo(48);
        assertThat(ip.payloadLength()).isEqualTo(48);
        Icmpv6Message mld = Icmpv6Message.wrap(ip);
        assertThat(mld.type()).isEqualTo(Icmpv6Message.MLD_V2_REPORT);
        assertThat(mld.isNeighborDiscovery()).isTrue();
    }

    @Test
    void fragmentsAreViewedButNotParsedAsTcpOrUdp() throws Exception {
        Ipv6Packet first = Ipv6Packet.wrap(FIRST_FRAGMENT);
        Ipv6Packet last = Ipv6Packet.wrap(LAST_FRAGMENT);

        assertThat(first.hasFragmentHeader()).isTrue();
        assertThat(first.isFragment()).isTrue();
        assertThat(first.moreFragments()).isTrue();
        assertThat(first.fragmentOffset()).isZero();
        assertThat(first.identification()).isEqualTo(0x183188d4L);
        assertThat(first.protocol()).isEqualTo(IpProtocol.UDP);
        assertThat(first.headerLength()).isEqualTo(48);
        assertThat(last.fragmentOffset()).isEqualTo(1448);
        assertThat(last.moreFragments()).isFalse();
        assertThat(last.identification()).isEqualTo(0x183188d4L);
        assertThatThrownBy(() -> UdpDatagram.wrap(first)).isInstanceOf(MalformedPacketException.class)
                .hasMessage("fragment (id 405899476, offset 0, more fragments) cannot be parsed as UDP;"
                        + " fragments are not reassembled");
    }

    @Test
    void anAtomicFragmentIsAWholePacket() throws Exception {
        byte[] atomic = Ipv6Packet.builder().source(PREFIX, 1).destination(PREFIX, 5).nextHeader(IpProtocol.FRAGMENT)
                .payload(concat(bytes("1100000000000007"), slice(UDP, 40, UDP.length))).build();

        Ipv6Packet ip = Ipv6Packet.wrap(atomic);
        assertThat(ip.hasFragmentHeader()).isTrue();
        assertThat(ip.isFragment()).isFalse();
        assertThat(UdpDatagram.wrap(ip).destinationPort()).isEqualTo(4243);
    }

    @Test
    void aRoutingHeaderWithSegmentsLeftIsRefused() {
        byte[] routed = Ipv6Packet.builder().source(PREFIX, 1).destination(PREFIX, 5).nextHeader(IpProtocol.ROUTING)
                .payload(bytes("3b02000200000000" + "00000000000000000000000000000000")).build();
        byte[] arrived = routed.clone();
        arrived[43] = 0;

        assertThat(rejection(routed).reason()).isEqualTo("routing header type 0 with 2 segments left: the packet"
                + " is to be forwarded, and a fake host does not forward");
        assertThat(rejection(arrived)).isNull();
    }

    @Test
    void malformedHeadersAreRefusedWithTheNumbers() {
        assertThat(rejection(new byte[0]).reason()).isEqualTo("empty packet (0 bytes)");
        assertThat(rejection(bytes("60000000")).reason())
                .isEqualTo("packet of 4 bytes is shorter than the IPv6 header of 40 bytes");
        assertThat(rejection(bytes(LinuxCapture.RST)).reason())
                .isEqualTo("IPv4 packet (version 4): wrap it with Ipv4Packet");
        assertThat(rejection(slice(SYN, 0, 79)).reason())
                .isEqualTo("payload length 40 but 39 bytes read after the 40-byte header");
        byte[] jumbo = SYN.clone();
        jumbo[4] = 0;
        jumbo[5] = 0;
        assertThat(rejection(jumbo).reason()).startsWith("payload length 0 with 40 bytes after the header: jumbograms");
        byte[] hopByHopLater = Ipv6Packet.builder().source(PREFIX, 1).destination(PREFIX, 5)
                .nextHeader(IpProtocol.DESTINATION_OPTIONS).payload(bytes("0000000000000000" + "3b00000000000000"))
                .build();
        assertThat(rejection(hopByHopLater).reason()).isEqualTo(
                "hop-by-hop options header at byte 48: it may only follow the IPv6 header directly (RFC 8200 section 4.1)");
        byte[] truncated = Ipv6Packet.builder().source(PREFIX, 1).destination(PREFIX, 5)
                .nextHeader(IpProtocol.DESTINATION_OPTIONS).payload(bytes("3b01000000000000")).build();
        assertThat(rejection(truncated).reason()).isEqualTo("destination options header at byte 40 is 16 bytes but 8 are left");
    }

    @Test
    void aLittleEndianBufferAtAnOffsetIsReadBigEndian() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        b.put(7, SYN).position(7).limit(7 + SYN.length);

        Ipv6Packet ip = Ipv6Packet.wrap(b);
        assertThat(ip.offset()).isEqualTo(7);
        assertThat(ip.sourceHigh()).isEqualTo(PREFIX);
        assertThat(TcpSegment.wrap(ip).sequenceNumber()).isEqualTo(3768345925L);
    }

    @Test
    void packetViewsDispatchOnTheVersionNibble() throws Exception {
        PacketViews views = new PacketViews();

        IpPacket v6 = views.ip(ByteBuffer.wrap(SYN));
        assertThat(v6).isInstanceOf(Ipv6Packet.class).isSameAs(views.ip(ByteBuffer.wrap(DATA)));
        assertThat(views.tcp(v6).payloadLength()).isEqualTo(5);
        IpPacket v4 = views.ip(ByteBuffer.wrap(bytes(LinuxCapture.SYN)));
        assertThat(v4).isInstanceOf(Ipv4Packet.class);
        assertThat(views.tcp(v4).sourcePort()).isEqualTo(41234);
        assertThat(PacketViews.version(ByteBuffer.wrap(SYN))).isEqualTo(6);
        assertThat(PacketViews.version(ByteBuffer.allocate(0))).isEqualTo(-1);
        assertThat(views.icmpv6(views.ipv6(ByteBuffer.wrap(ECHO_REQUEST))).isEchoRequest()).isTrue();
        assertThat(views.udp(views.ip(ByteBuffer.wrap(UDP))).destinationPort()).isEqualTo(4243);
    }

    @Test
    void addressHalvesConvertBothWays() throws Exception {
        Inet6Address a = (Inet6Address) InetAddress.getByName("fd00:fa:ce::5");

        assertThat(Ipv6Packet.high(a)).isEqualTo(PREFIX);
        assertThat(Ipv6Packet.low(a)).isEqualTo(5);
        assertThat(Ipv6Packet.toInet6Address(PREFIX, 5)).isEqualTo(a);
        assertThat(Ipv6Packet.toText(a)).isEqualTo("fd00:fa:ce::5");
        assertThat(Ipv6Packet.toInet6Address(0, 0xFFFF_C0A8_0005L)).isInstanceOf(Inet6Address.class);
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
