package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpdumpTest {

    @Test
    void everyCapturedPacketIsPrintedAsTcpdumpPrintedIt() {
        List<byte[]> packets = LinuxCapture.ipv4Packets();
        List<String> transcript = LinuxCapture.transcript();
        assertThat(packets).hasSize(transcript.size()).hasSize(22);

        for (int i = 0; i < packets.size(); i++) {
            String ours = Tcpdump.format(packets.get(i));
            String theirs = transcript.get(i);
            if (theirs.equals("IP 192.168.0.1.40000 > 192.168.0.5.4244: UDP, length 2001")
                    || theirs.equals("IP 192.168.0.1 > 192.168.0.5: ip-proto-17")) {
                // Fragments: we add the note older tcpdumps printed without -v.
                assertThat(ours).as("packet %d", i).startsWith(theirs + " (frag ");
            } else {
                assertThat(ours).as("packet %d", i).isEqualTo(theirs);
            }
        }
    }

    @Test
    void unknownProtocolIsPrintedWithTcpdumpsTwoSpaces() {
        assertThat(Tcpdump.format(bytes(LinuxCapture.PROTOCOL_253)))
                .isEqualTo("IP 192.168.0.1 > 192.168.0.5:  ip-proto-253 3");
    }

    @Test
    void badPacketShowsTheReasonAndItsBytes() {
        byte[] truncated = Arrays.copyOf(bytes(LinuxCapture.SYN), 52);

        assertThat(Tcpdump.format(truncated)).isEqualTo(
                "bad packet (total length 60 but 52 bytes read): " + LinuxCapture.SYN.substring(0, 104));
    }

    @Test
    void badPacketHexStopsAfterSixtyFourBytes() {
        byte[] echo = bytes(LinuxCapture.ECHO_REQUEST);
        echo[10] ^= 1;

        assertThat(Tcpdump.format(echo)).isEqualTo("bad packet (bad header checksum 0x1757 (expected 0x1657)): "
                + HexFormat.of().formatHex(echo, 0, 64) + "...");
    }

    @Test
    void emptyInputIsABadPacket() {
        assertThat(Tcpdump.format(new byte[0])).isEqualTo("bad packet (empty packet (0 bytes)): ");
    }

    @Test
    void ipv6IsPrintedWithCompressedAddresses() {
        // A router solicitation Linux sent on a tun device with fd00:fa:ce::1/64 (read from the device).
        byte[] ipv6 = bytes("6000000000083afffe800000000000000da5afd185ea9c66ff020000000000000000000000000002"
                + "85009d6f00000000");

        assertThat(Tcpdump.format(ipv6))
                .isEqualTo("IP6 fe80::da5:afd1:85ea:9c66 > ff02::2: ICMP6, router solicitation, length 8");
    }

    @Test
    void everyIpv6PacketOfTheCaptureIsPrintedAsTcpdumpPrintsIt() {
        List<byte[]> packets = LinuxCapture.ipv6Packets();
        List<String> expected = LinuxCapture.transcript6();

        assertThat(packets).hasSize(expected.size()).hasSizeGreaterThan(15);
        for (int i = 0; i < packets.size(); i++) {
            assertThat(Tcpdump.format(packets.get(i))).as("packet %d", i).isEqualTo(expected.get(i));
        }
    }

    @Test
    void ipv6AddressesFollowRfc5952() {
        assertThat(ipv6Text("00000000000000000000000000000000")).isEqualTo("::");
        assertThat(ipv6Text("00000000000000000000000000000001")).isEqualTo("::1");
        assertThat(ipv6Text("00010000000000000000000000000000")).isEqualTo("1::");
        assertThat(ipv6Text("20010db8000000000001000000000001")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(ipv6Text("20010db8000000010000000000000001")).isEqualTo("2001:db8:0:1::1");
        assertThat(ipv6Text("00010000000200030004000500060007")).isEqualTo("1:0:2:3:4:5:6:7");
        assertThat(ipv6Text("fd0000fa00ce00000000000000000005")).isEqualTo("fd00:fa:ce::5");
        assertThat(ipv6Text("00000000000000000000ffffc0a80005")).isEqualTo("::ffff:192.168.0.5");
        assertThat(ipv6Text("20010db8000000000000000100000000")).isEqualTo("2001:db8::1:0:0");
    }

    private static String ipv6Text(String hex) {
        ByteBuffer b = ByteBuffer.wrap(bytes(hex));
        return Ipv6Packet.toText(b.getLong(0), b.getLong(8));
    }

    @Test
    void shortIpv6IsABadPacket() {
        assertThat(Tcpdump.format(bytes("6000000000")))
                .isEqualTo("bad packet (packet of 5 bytes is shorter than the IPv6 header of 40 bytes): 6000000000");
    }

    @Test
    void otherVersionsAreUnknownPackets() {
        byte[] packet = bytes(LinuxCapture.RST);
        packet[0] = 0x25;

        assertThat(Tcpdump.format(packet)).isEqualTo("unknown packet, version 2, length 40");
    }

    @Test
    void formatReadsBetweenPositionAndLimitAndLeavesThemAlone() {
        ByteBuffer buf = LinuxCapture.direct(LinuxCapture.RST, 5);

        String line = Tcpdump.format(buf);

        assertThat(line).isEqualTo("IP 192.168.0.5.9 > 192.168.0.1.41235: Flags [R.], seq 0, ack 61080830, win 0, length 0");
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(45);
    }

    @Test
    void hexDumpStartsAtThePositionAndMarksTruncation() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {0x00, 0x11, (byte) 0xab, 0x0c, 0x7f}).position(1);

        assertThat(Tcpdump.hexDump(buf, 10)).isEqualTo("11ab0c7f");
        assertThat(Tcpdump.hexDump(buf, 2)).isEqualTo("11ab...");
        assertThat(Tcpdump.hexDump(buf, 0)).isEqualTo("...");
        assertThat(buf.position()).isEqualTo(1);
    }
}
