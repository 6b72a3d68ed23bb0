package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ICMPv6 views and writers against Linux's own messages (see {@link LinuxCapture#ipv6Packets()}). */
class Icmpv6MessageTest {

    private static final long PREFIX = 0xfd0000fa00ce0000L;
    private static final List<byte[]> CAPTURE = LinuxCapture.ipv6Packets();
    private static final byte[] ECHO_REQUEST = CAPTURE.get(2);
    private static final byte[] ECHO_REPLY = CAPTURE.get(3);
    private static final byte[] UDP = CAPTURE.get(15);
    private static final byte[] PORT_UNREACHABLE = CAPTURE.get(16);
    private static final byte[] BIG_PORT_UNREACHABLE = CAPTURE.get(19);

    /** The packet with the flow label (which Linux picks per flow) replaced by that of {@code like}. */
    private static byte[] withFlowLabelOf(byte[] packet, byte[] like) {
        byte[] p = packet.clone();
        System.arraycopy(like, 1, p, 1, 3);
        return p;
    }

    @Test
    void capturedEchoRequestIsViewed() throws Exception {
        Icmpv6Message icmp = Icmpv6Message.wrap(Ipv6Packet.wrap(ECHO_REQUEST));

        assertThat(icmp.isEchoRequest()).isTrue();
        assertThat(icmp.identifier()).isEqualTo(1234);
        assertThat(icmp.sequenceNumber()).isEqualTo(1);
        assertThat(icmp.payloadLength()).isEqualTo(56);
        assertThat(icmp.isError()).isFalse();
        assertThat(icmp.toString()).isEqualTo("IP6 fd00:fa:ce::1 > fd00:fa:ce::5: ICMP6, echo request, id 1234, seq 1, length 64");
    }

    @Test
    void theEchoReplyIsLinuxsReply() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(200);
        int n = Icmpv6Message.writeEchoReply(Ipv6Packet.wrap(ECHO_REQUEST), out, 0);

        assertThat(hex(withFlowLabelOf(java.util.Arrays.copyOf(out.array(), n), ECHO_REPLY))).isEqualTo(hex(ECHO_REPLY));
    }

    @Test
    void theEchoReplyIsWrittenInPlace() throws Exception {
        byte[] packet = ECHO_REQUEST.clone();
        ByteBuffer b = ByteBuffer.wrap(packet);
        Icmpv6Message.writeEchoReply(Ipv6Packet.wrap(b), b, 0);

        assertThat(hex(withFlowLabelOf(packet, ECHO_REPLY))).isEqualTo(hex(ECHO_REPLY));
    }

    @Test
    void thePortUnreachableIsLinuxsOwn() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(2000);
        int n = Icmpv6Message.writeDestinationUnreachable(Ipv6Packet.wrap(UDP), Icmpv6Message.UNREACHABLE_PORT, out, 0);

        assertThat(hex(withFlowLabelOf(java.util.Arrays.copyOf(out.array(), n), PORT_UNREACHABLE)))
                .isEqualTo(hex(PORT_UNREACHABLE));
        Icmpv6Message icmp = Icmpv6Message.wrap(Ipv6Packet.wrap(PORT_UNREACHABLE));
        assertThat(icmp.isError()).isTrue();
        assertThat(icmp.code()).isEqualTo(Icmpv6Message.UNREACHABLE_PORT);
    }

    @Test
    void aLongOffendingPacketIsQuotedUpToTheMinimumMtuAsLinuxDoes() throws Exception {
        // Linux's error about the reassembled 2001-byte datagram quotes its first 1232 bytes: 1280 in all.
        byte[] quotedStart = java.util.Arrays.copyOfRange(BIG_PORT_UNREACHABLE, 48, 1280);
        byte[] offending = new byte[40 + 2009];
        System.arraycopy(quotedStart, 0, offending, 0, quotedStart.length);
        for (int i = 1232; i < offending.length; i++) {
            offending[i] = (byte) ((i - 48) % 251);
        }
        ByteBuffer out = ByteBuffer.allocate(2000);
        int n = Icmpv6Message.writeDestinationUnreachable(Ipv6Packet.wrap(offending), 4, out, 0);

        assertThat(n).isEqualTo(Ipv6Packet.MINIMUM_MTU);
        assertThat(hex(withFlowLabelOf(java.util.Arrays.copyOf(out.array(), n), BIG_PORT_UNREACHABLE)))
                .isEqualTo(hex(BIG_PORT_UNREACHABLE));
    }

    @Test
    void packetTooBigCarriesTheMtuAndIsPrintedAsTcpdumpDoes() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(2000);
        int n = Icmpv6Message.writePacketTooBig(Ipv6Packet.wrap(UDP), 1280, out, 0);

        Icmpv6Message icmp = Icmpv6Message.wrap(Ipv6Packet.wrap(out.duplicate().limit(n)));
        assertThat(icmp.type()).isEqualTo(Icmpv6Message.PACKET_TOO_BIG);
        assertThat(icmp.mtu()).isEqualTo(1280);
        assertThat(icmp.payloadLength()).isEqualTo(UDP.length);
        assertThat(icmp.toString()).isEqualTo("IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, packet too big, mtu 1280, length 67");
    }

    @Test
    void unreachableCodesArePrintedAsTcpdumpDoes() throws Exception {
        // Lines from tcpdump 4.99.3 -nn -r on these packets, written to a pcap by this builder.
        String[] expected = {
            "IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, destination unreachable, unreachable route fd00:fa:ce::5, length 67",
            "IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, destination unreachable,  unreachable prohibited fd00:fa:ce::5, length 67",
            "IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, destination unreachable, unreachable address fd00:fa:ce::5, length 67",
            "IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, destination unreachable, unreachable port, fd00:fa:ce::5 udp port 4243, length 67",
            "IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, destination unreachable, unknown unreach code (5)",
        };
        int[] codes = {0, 1, 3, 4, 5};
        for (int i = 0; i < codes.length; i++) {
            ByteBuffer out = ByteBuffer.allocate(2000);
            int n = Icmpv6Message.writeDestinationUnreachable(Ipv6Packet.wrap(UDP), codes[i], out, 0);
            assertThat(Tcpdump.format(out.duplicate().limit(n))).isEqualTo(expected[i]);
        }
    }

    @Test
    void ipv4UnreachableCodesMapToTheirIpv6Counterparts() {
        assertThat(Icmpv6Message.unreachableCodeFor(0)).isEqualTo(Icmpv6Message.UNREACHABLE_NO_ROUTE);
        assertThat(Icmpv6Message.unreachableCodeFor(1)).isEqualTo(Icmpv6Message.UNREACHABLE_ADDRESS);
        assertThat(Icmpv6Message.unreachableCodeFor(3)).isEqualTo(Icmpv6Message.UNREACHABLE_PORT);
        assertThat(Icmpv6Message.unreachableCodeFor(13)).isEqualTo(Icmpv6Message.UNREACHABLE_ADMIN_PROHIBITED);
        assertThatThrownBy(() -> Icmpv6Message.unreachableCodeFor(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Packet Too Big");
        assertThatThrownBy(() -> Icmpv6Message.unreachableCodeFor(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter problem");
    }

    @Test
    void theBuilderWritesAnEchoRequestLinuxAccepts() throws Exception {
        byte[] data = new byte[56];
        for (int i = 0; i < 56; i++) {
            data[i] = (byte) i;
        }
        byte[] built = Icmpv6Message.builder().source(PREFIX, 1).destination(PREFIX, 5).flowLabel(0xad96f)
                .identifier(1234).sequenceNumber(1).payload(data).build();

        assertThat(hex(built)).isEqualTo(hex(ECHO_REQUEST));
    }

    @Test
    void aCorruptedChecksumIsRefused() {
        byte[] bad = ECHO_REQUEST.clone();
        bad[42] ^= 1;

        assertThatThrownBy(() -> Icmpv6Message.wrap(Ipv6Packet.wrap(bad))).isInstanceOf(MalformedPacketException.class)
                .hasMessage("bad ICMPv6 checksum 0x8707 (expected 0x8607)");
    }

    @Test
    void otherIpv6LinesAreThoseOfTcpdump() {
        // Lines from tcpdump 4.99.3 -nn -S -r on these packets, written to a pcap by the builders.
        long p = PREFIX;
        assertThat(Tcpdump.format(Ipv6Packet.builder().source(p, 5).destination(p, 1).nextHeader(253)
                .payload(new byte[] {'x', 'y', 'z'}).build()))
                .isEqualTo("IP6 fd00:fa:ce::5 > fd00:fa:ce::1:  ip-proto-253 3");
        assertThat(Tcpdump.format(Ipv6Packet.builder().source(p, 5).destination(p, 1).build()))
                .isEqualTo("IP6 fd00:fa:ce::5 > fd00:fa:ce::1: no next header");
        assertThat(Tcpdump.format(Icmpv6Message.builder().source(p, 5).destination(p, 1)
                .type(Icmpv6Message.TIME_EXCEEDED).payload(UDP).build()))
                .isEqualTo("IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, time exceeded in-transit for fd00:fa:ce::5, length 67");
        byte[] tcp = TcpSegment.builder().source(p, 1).destination(p, 5).sourcePort(1).destinationPort(2)
                .flags(TcpSegment.SYN).build();
        byte[] withOptions = Ipv6Packet.builder().source(p, 1).destination(p, 5).nextHeader(IpProtocol.DESTINATION_OPTIONS)
                .payload(Ipv6PacketTest.concat(new byte[] {6, 0, 1, 4, 0, 0, 0, 0},
                        java.util.Arrays.copyOfRange(tcp, 40, tcp.length))).build();
        ByteBuffer b = ByteBuffer.wrap(withOptions);
        b.putShort(48 + 16, (short) 0);
        b.putShort(48 + 16, (short) Checksum.ipv6(b, 0, IpProtocol.TCP, 48, 20));
        assertThat(Tcpdump.format(withOptions))
                .isEqualTo("IP6 fd00:fa:ce::1 > fd00:fa:ce::5: DSTOPT 1 > 2: Flags [S], seq 0, win 65535, length 0");
    }
}
