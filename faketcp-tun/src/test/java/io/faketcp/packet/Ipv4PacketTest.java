package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {

    private static final int CLIENT = 0xC0A80001; // 192.168.0.1
    private static final int SERVER = 0xC0A80005; // 192.168.0.5

    private static MalformedPacketException rejection(byte[] packet) {
        return catchThrowableOfType(MalformedPacketException.class, () -> Ipv4Packet.wrap(packet));
    }

    @Test
    void capturedSynHeaderFieldsMatchTheirByteOffsets() throws Exception {
        byte[] raw = bytes(LinuxCapture.SYN);
        Ipv4Packet ip = Ipv4Packet.wrap(raw);

        assertThat(raw[0]).isEqualTo((byte) 0x45);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.tos()).isEqualTo(raw[1]).isZero();
        assertThat(ip.totalLength()).isEqualTo(((raw[2] & 0xFF) << 8) | (raw[3] & 0xFF)).isEqualTo(60);
        assertThat(ip.identification()).isEqualTo(0xb909);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.ttl()).isEqualTo(raw[8]).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(raw[9]).isEqualTo(IpProtocol.TCP);
        assertThat(ip.headerChecksum()).isEqualTo(0x005c);
        assertThat(ip.sourceInt()).isEqualTo(CLIENT);
        assertThat(ip.destinationInt()).isEqualTo(SERVER);
        assertThat(ip.source()).isEqualTo(InetAddress.getByName("192.168.0.1"));
        assertThat(ip.destination()).isEqualTo(InetAddress.getByName("192.168.0.5"));
        assertThat(ip.offset()).isZero();
        assertThat(ip.payloadOffset()).isEqualTo(20);
        assertThat(ip.payloadLength()).isEqualTo(40);
    }

    @Test
    void capturedEchoReplyHasNoDontFragmentFlag() throws Exception {
        Ipv4Packet ip = Ipv4Packet.wrap(bytes(LinuxCapture.ECHO_REPLY));

        assertThat(ip.dontFragment()).isFalse();
        assertThat(ip.identification()).isEqualTo(0xb844);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
    }

    @Test
    void capturedIpOptionsMoveThePayload() throws Exception {
        Ipv4Packet ip = Ipv4Packet.wrap(bytes(LinuxCapture.UDP_WITH_IP_OPTIONS));

        assertThat(ip.headerLength()).isEqualTo(28);
        assertThat(ip.payloadOffset()).isEqualTo(28);
        assertThat(ip.payloadLength()).isEqualTo(11);
        assertThat(ip.toString()).isEqualTo("IP 192.168.0.1.40001 > 192.168.0.5.4245: UDP, length 3");
    }

    @Test
    void capturedFragmentsReportIdOffsetAndMoreFragments() throws Exception {
        List<byte[]> packets = LinuxCapture.ipv4Packets();
        Ipv4Packet first = Ipv4Packet.wrap(packets.get(15));
        Ipv4Packet last = Ipv4Packet.wrap(packets.get(16));

        assertThat(first.identification()).isEqualTo(last.identification());
        assertThat(first.moreFragments()).isTrue();
        assertThat(first.fragmentOffset()).isZero();
        assertThat(first.isFragment()).isTrue();
        assertThat(first.dontFragment()).isFalse();
        assertThat(last.moreFragments()).isFalse();
        assertThat(last.fragmentOffset()).isEqualTo(1480);
        assertThat(last.isFragment()).isTrue();
        assertThat(first.payloadLength() + last.payloadLength()).isEqualTo(8 + 2001);
        assertThat(first.toString()).isEqualTo("IP 192.168.0.1.40000 > 192.168.0.5.4244: UDP, length 2001 (frag "
                + first.identification() + ":1480@0+)");
        assertThat(last.toString()).isEqualTo("IP 192.168.0.1 > 192.168.0.5: ip-proto-17 (frag "
                + last.identification() + ":529@1480)");
    }

    @Test
    void wrapsInPlaceInADirectBufferWithoutMovingPositionOrLimit() throws Exception {
        ByteBuffer buf = LinuxCapture.direct(LinuxCapture.SYN, 100);

        Ipv4Packet ip = Ipv4Packet.wrap(buf);

        assertThat(ip.buffer()).isSameAs(buf);
        assertThat(ip.offset()).isEqualTo(100);
        assertThat(ip.payloadOffset()).isEqualTo(120);
        assertThat(ip.sourceInt()).isEqualTo(CLIENT);
        assertThat(buf.position()).isEqualTo(100);
        assertThat(buf.limit()).isEqualTo(160);
    }

    @Test
    void viewReadsAbsoluteIndexesSoTheCallerMayMoveThePosition() throws Exception {
        ByteBuffer buf = LinuxCapture.direct(LinuxCapture.SYN, 8);
        Ipv4Packet ip = Ipv4Packet.wrap(buf);

        buf.position(0).limit(buf.capacity());

        assertThat(ip.totalLength()).isEqualTo(60);
        assertThat(ip.destinationInt()).isEqualTo(SERVER);
    }

    @Test
    void littleEndianBufferIsReadThroughABigEndianDuplicate() throws Exception {
        ByteBuffer little = LinuxCapture.buffer(LinuxCapture.SYN).order(ByteOrder.LITTLE_ENDIAN);

        Ipv4Packet ip = Ipv4Packet.wrap(little);

        assertThat(ip.totalLength()).isEqualTo(60);
        assertThat(ip.sourceInt()).isEqualTo(CLIENT);
        assertThat(ip.buffer().order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(little.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void emptyInputIsRejected() {
        assertThat(rejection(new byte[0]).reason()).isEqualTo("empty packet (0 bytes)");
    }

    @Test
    void inputShorterThanAHeaderIsRejectedWithItsLength() {
        byte[] packet = Arrays.copyOf(bytes(LinuxCapture.SYN), 19);

        assertThat(rejection(packet).reason())
                .isEqualTo("packet of 19 bytes is shorter than the minimum IPv4 header of 20 bytes");
    }

    @Test
    void ipv6IsRejectedAsIpv6() {
        byte[] packet = new byte[40];
        packet[0] = 0x60;

        assertThat(rejection(packet).reason()).contains("IPv6").contains("version 6");
    }

    @Test
    void otherVersionsAreRejectedWithTheVersion() {
        byte[] packet = bytes(LinuxCapture.SYN);
        packet[0] = 0x55;

        assertThat(rejection(packet).reason()).isEqualTo("IP version 5, expected 4");
    }

    @Test
    void headerLengthBelowTwentyIsRejected() {
        byte[] packet = LinuxCapture.fixIpChecksum(bytes(LinuxCapture.SYN));
        packet[0] = 0x44;

        assertThat(rejection(packet).reason()).isEqualTo("header length 16 bytes (IHL 4) is below the minimum 20");
    }

    @Test
    void headerLengthBeyondTheBytesReadIsRejected() {
        byte[] packet = Arrays.copyOf(bytes(LinuxCapture.RST), 40);
        packet[0] = 0x4F;

        assertThat(rejection(packet).reason()).isEqualTo("header length 60 (IHL 15) but 40 bytes read");
    }

    @Test
    void truncatedPacketIsRejectedWithBothLengths() {
        byte[] packet = Arrays.copyOf(bytes(LinuxCapture.SYN), 52);

        assertThat(rejection(packet).reason()).isEqualTo("total length 60 but 52 bytes read");
    }

    @Test
    void trailingBytesAreRejectedWithBothLengths() {
        byte[] packet = Arrays.copyOf(bytes(LinuxCapture.SYN), 64);

        assertThat(rejection(packet).reason()).isEqualTo("total length 60 but 64 bytes read");
    }

    @Test
    void badHeaderChecksumIsRejectedWithStoredAndExpectedValues() {
        byte[] packet = bytes(LinuxCapture.SYN);
        packet[8] = 63; // TTL 64 -> 63 without fixing the checksum

        MalformedPacketException e = rejection(packet);

        // One less in the TTL/protocol word (0x4006 -> 0x3f06) raises the complement by 0x0100.
        assertThat(e.reason()).isEqualTo("bad header checksum 0x005c (expected 0x015c)");
        byte[] fixed = LinuxCapture.fixIpChecksum(packet.clone());
        assertThat(((fixed[10] & 0xFF) << 8) | (fixed[11] & 0xFF)).isEqualTo(0x015c);
    }

    @Test
    void rejectionIsCheapWithoutStackTrace() {
        MalformedPacketException e = rejection(new byte[0]);

        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getMessage()).isEqualTo(e.reason());
    }

    @Test
    void builderReproducesTheCapturedUdpDatagramByteForByte() throws Exception {
        Inet4Address client = (Inet4Address) InetAddress.getByName("192.168.0.1");
        byte[] udp = Arrays.copyOfRange(bytes(LinuxCapture.UDP), 20, 39);

        byte[] built = Ipv4Packet.builder().protocol(IpProtocol.UDP).source(client).destination(SERVER)
                .identification(0xcbae).payload(udp).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.UDP);
    }

    @Test
    void builderReproducesTheCapturedIpOptionsByteForByte() {
        byte[] captured = bytes(LinuxCapture.UDP_WITH_IP_OPTIONS);

        byte[] built = Ipv4Packet.builder().protocol(IpProtocol.UDP).source(CLIENT).destination(SERVER)
                .identification(0xcbd1).options(Arrays.copyOfRange(captured, 20, 28))
                .payload(Arrays.copyOfRange(captured, 28, 39)).build();

        assertThat(built).isEqualTo(captured);
    }

    @Test
    void builderReproducesTheCapturedLastFragmentByteForByte() {
        byte[] captured = LinuxCapture.ipv4Packets().get(16);
        int id = ((captured[4] & 0xFF) << 8) | (captured[5] & 0xFF);

        byte[] built = Ipv4Packet.builder().protocol(IpProtocol.UDP).source(CLIENT).destination(SERVER)
                .identification(id).dontFragment(false).fragmentOffset(1480)
                .payload(ByteBuffer.wrap(captured, 20, captured.length - 20)).build();

        assertThat(built).isEqualTo(captured);
    }

    @Test
    void builderRoundTripsEveryFieldIncludingPaddedOptions() throws Exception {
        byte[] payload = {1, 2, 3, 4, 5, 6, 7};
        byte[] built = Ipv4Packet.builder().protocol(99).source(0x0A000001).destination(0x0A0000FE).ttl(3)
                .tos(0xB8).identification(0xBEEF).dontFragment(false).moreFragments(true).fragmentOffset(8 * 100)
                .options(new byte[] {1, 1, 1}).payload(payload).build();

        Ipv4Packet ip = Ipv4Packet.wrap(built);

        assertThat(ip.protocol()).isEqualTo(99);
        assertThat(ip.sourceInt()).isEqualTo(0x0A000001);
        assertThat(ip.destinationInt()).isEqualTo(0x0A0000FE);
        assertThat(ip.ttl()).isEqualTo(3);
        assertThat(ip.tos()).isEqualTo(0xB8);
        assertThat(ip.identification()).isEqualTo(0xBEEF);
        assertThat(ip.dontFragment()).isFalse();
        assertThat(ip.moreFragments()).isTrue();
        assertThat(ip.fragmentOffset()).isEqualTo(800);
        assertThat(ip.headerLength()).isEqualTo(24);
        assertThat(built[23]).as("options padded with end-of-list").isZero();
        assertThat(ip.payloadLength()).isEqualTo(7);
        assertThat(Arrays.copyOfRange(built, ip.payloadOffset(), built.length)).isEqualTo(payload);
        assertThat(Checksum.compute(ByteBuffer.wrap(built), 0, 24)).isZero();
    }

    @Test
    void builderDefaultsAreTtl64DontFragmentAndZeroes() throws Exception {
        Ipv4Packet ip = Ipv4Packet.wrap(Ipv4Packet.builder().protocol(IpProtocol.UDP).build());

        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.tos()).isZero();
        assertThat(ip.identification()).isZero();
        assertThat(ip.totalLength()).isEqualTo(20);
    }

    @Test
    void builderResetRestoresDefaults() throws Exception {
        Ipv4Packet.Builder builder = Ipv4Packet.builder().protocol(IpProtocol.TCP).ttl(1).dontFragment(false)
                .options(new byte[] {1}).payload(new byte[9]);

        builder.reset().protocol(IpProtocol.UDP);

        assertThat(builder.build()).isEqualTo(Ipv4Packet.builder().protocol(IpProtocol.UDP).build());
    }

    @Test
    void builderRefusesFieldsOutOfRange() {
        Ipv4Packet.Builder builder = Ipv4Packet.builder();

        assertThatThrownBy(() -> builder.ttl(256)).hasMessage("ttl must be 0..255, was 256");
        assertThatThrownBy(() -> builder.fragmentOffset(12)).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> builder.options(new byte[41])).hasMessageContaining("0..40, was 41");
        assertThatThrownBy(() -> builder.payload(new byte[65535 - 19]).build()).hasMessageContaining("65535");
    }

    @Test
    void writeToRefusesABufferTooSmallNamingBothLengths() {
        ByteBuffer small = ByteBuffer.allocate(30);

        assertThatThrownBy(() -> Ipv4Packet.builder().payload(new byte[12]).writeTo(small, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("packet of 32 bytes does not fit in 30 bytes at offset 0 (buffer limit 30)");
    }

    @Test
    void addressHelpersConvertBothWays() throws Exception {
        Inet4Address address = (Inet4Address) InetAddress.getByName("192.168.0.254");

        assertThat(Ipv4Packet.toInt(address)).isEqualTo(0xC0A800FE);
        assertThat(Ipv4Packet.toInet4Address(0xC0A800FE)).isEqualTo(address);
        assertThat(Ipv4Packet.toDottedQuad(0xC0A800FE)).isEqualTo("192.168.0.254");
        assertThat(Ipv4Packet.toDottedQuad(0xFFFFFFFF)).isEqualTo("255.255.255.255");
    }
}
