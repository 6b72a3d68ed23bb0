package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UdpDatagramTest {

    private static final int CLIENT = 0xC0A80001; // 192.168.0.1
    private static final int SERVER = 0xC0A80005; // 192.168.0.5

    private static String rejection(byte[] packet) throws MalformedPacketException {
        Ipv4Packet ip = Ipv4Packet.wrap(packet);
        return catchThrowableOfType(MalformedPacketException.class, () -> UdpDatagram.wrap(ip)).reason();
    }

    /** The captured datagram with its UDP length field set to {@code length}, checksum 0 (none). */
    private static byte[] withLength(int length) {
        byte[] packet = bytes(LinuxCapture.UDP);
        ByteBuffer.wrap(packet).putShort(24, (short) length).putShort(26, (short) 0);
        return packet;
    }

    @Test
    void capturedDatagramFieldsMatchTheirByteOffsets() throws Exception {
        UdpDatagram udp = UdpDatagram.wrap(Ipv4Packet.wrap(bytes(LinuxCapture.UDP)));

        assertThat(udp.sourcePort()).isEqualTo(40000);
        assertThat(udp.destinationPort()).isEqualTo(4243);
        assertThat(udp.length()).isEqualTo(19);
        assertThat(udp.checksum()).isEqualTo(0x3fcf);
        assertThat(udp.payloadOffset()).isEqualTo(28);
        assertThat(udp.payloadLength()).isEqualTo(11);
        assertThat(new String(udp.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
        assertThat(udp.payload().isReadOnly()).isTrue();
        assertThat(udp.payload().remaining()).isEqualTo(11);
        assertThat(udp).hasToString("IP 192.168.0.1.40000 > 192.168.0.5.4243: UDP, length 11");
    }

    @Test
    void datagramAfterIpOptionsStartsAfterThem() throws Exception {
        UdpDatagram udp = UdpDatagram.wrap(Ipv4Packet.wrap(bytes(LinuxCapture.UDP_WITH_IP_OPTIONS)));

        assertThat(udp.sourcePort()).isEqualTo(40001);
        assertThat(udp.destinationPort()).isEqualTo(4245);
        assertThat(udp.payloadOffset()).isEqualTo(36);
        assertThat(new String(udp.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("opt");
    }

    @Test
    void builderWritesTheCapturedBytes() {
        byte[] built = UdpDatagram.builder().source(CLIENT).destination(SERVER).identification(0xcbae)
                .sourcePort(40000).destinationPort(4243).payload("hello world".getBytes(StandardCharsets.US_ASCII))
                .build();

        assertThat(built).isEqualTo(bytes(LinuxCapture.UDP));
    }

    @Test
    void builderWritesAtAnOffsetAndResets() throws Exception {
        UdpDatagram.Builder builder = UdpDatagram.builder().source(SERVER).destination(CLIENT).sourcePort(7)
                .destinationPort(40000).payload(new byte[] {1, 2, 3});
        ByteBuffer out = ByteBuffer.allocate(100);
        int length = builder.writeTo(out, 10);

        assertThat(length).isEqualTo(31).isEqualTo(builder.length());
        UdpDatagram udp = UdpDatagram.wrap(Ipv4Packet.wrap(out.slice(10, length)));
        assertThat(udp.sourcePort()).isEqualTo(7);
        assertThat(udp.payloadBytes()).containsExactly(1, 2, 3);
        assertThat(builder.reset().length()).isEqualTo(28);
    }

    @Test
    void aChecksumComputedAsZeroIsSentAsAllOnes() throws Exception {
        UdpDatagram.Builder builder = UdpDatagram.builder().source(CLIENT).destination(SERVER).sourcePort(1)
                .destinationPort(2);
        int sum = UdpDatagram.wrap(Ipv4Packet.wrap(builder.payload(new byte[2]).build())).checksum();
        // The data word equal to that checksum makes the one's complement sum all ones: checksum 0.
        byte[] packet = builder.payload(new byte[] {(byte) (sum >> 8), (byte) sum}).build();

        assertThat(ByteBuffer.wrap(packet).getShort(26) & 0xFFFF).isEqualTo(0xFFFF);
        assertThat(UdpDatagram.wrap(Ipv4Packet.wrap(packet)).checksum()).isEqualTo(0xFFFF);
    }

    @Test
    void zeroChecksumMeansNoneAndIsAccepted() throws Exception {
        byte[] packet = withLength(19);

        assertThat(UdpDatagram.wrap(Ipv4Packet.wrap(packet)).checksum()).isZero();
    }

    @Test
    void bytesAfterTheLengthFieldArePaddingAndIgnored() throws Exception {
        UdpDatagram udp = UdpDatagram.wrap(Ipv4Packet.wrap(withLength(13)));

        assertThat(new String(udp.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }

    @Test
    void malformedDatagramsAreRefusedWithTheirNumbers() throws Exception {
        byte[] badSum = bytes(LinuxCapture.UDP);
        badSum[27] ^= 1;
        assertThat(rejection(badSum)).isEqualTo("bad UDP checksum 0x3fce (expected 0x3fcf)");
        assertThat(rejection(withLength(7))).isEqualTo("UDP length 7 is below the 8-byte header");
        assertThat(rejection(withLength(20)))
                .isEqualTo("UDP length 20 but the IPv4 packet carries 19 bytes after its header");
        byte[] shortOne = Ipv4Packet.builder().source(CLIENT).destination(SERVER).protocol(IpProtocol.UDP)
                .payload(new byte[7]).build();
        assertThat(rejection(shortOne)).isEqualTo("UDP datagram of 7 bytes is shorter than the 8-byte header");
        assertThat(rejection(bytes(LinuxCapture.ECHO_REQUEST))).isEqualTo("protocol 1 is not UDP (17)");
        byte[] fragment = Ipv4Packet.builder().source(CLIENT).destination(SERVER).protocol(IpProtocol.UDP)
                .moreFragments(true).payload(new byte[16]).build();
        assertThat(rejection(fragment)).startsWith("fragment (id 0, offset 0, more fragments) cannot be parsed as UDP");
    }

    @Test
    void packetViewsShowEachDatagramInTurn() throws Exception {
        PacketViews views = new PacketViews();
        UdpDatagram first = views.udp(views.ipv4(ByteBuffer.wrap(bytes(LinuxCapture.UDP))));
        assertThat(first.destinationPort()).isEqualTo(4243);

        UdpDatagram second = views.udp(views.ipv4(ByteBuffer.wrap(bytes(LinuxCapture.UDP_WITH_IP_OPTIONS))));
        assertThat(second).isSameAs(first);
        assertThat(first.destinationPort()).isEqualTo(4245);
    }
}
