package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpMessageTest {

    private static final int CLIENT = 0xC0A80001; // 192.168.0.1
    private static final int SERVER = 0xC0A80005; // 192.168.0.5

    private static byte[] pingData() {
        byte[] data = new byte[56];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    private static String rejection(byte[] packet) throws MalformedPacketException {
        Ipv4Packet ip = Ipv4Packet.wrap(packet);
        return catchThrowableOfType(MalformedPacketException.class, () -> IcmpMessage.wrap(ip)).reason();
    }

    /** An ICMP error of the given type/code from the server to the client, quoting {@code quoted}. */
    private static String error(int type, int code, int sequenceNumber, byte[] quoted) throws Exception {
        byte[] packet = IcmpMessage.builder().source(SERVER).destination(CLIENT).type(type).code(code)
                .sequenceNumber(sequenceNumber).payload(quoted).build();
        return IcmpMessage.wrap(Ipv4Packet.wrap(packet)).toString();
    }

    @Test
    void capturedEchoRequestFieldsMatchTheirByteOffsets() throws Exception {
        byte[] raw = bytes(LinuxCapture.ECHO_REQUEST);
        IcmpMessage ping = IcmpMessage.wrap(Ipv4Packet.wrap(raw));

        assertThat(ping.type()).isEqualTo(raw[20]).isEqualTo(IcmpMessage.ECHO_REQUEST);
        assertThat(ping.code()).isEqualTo(raw[21]).isZero();
        assertThat(ping.checksum()).isEqualTo(0xfc19);
        assertThat(ping.identifier()).isEqualTo(1234).isEqualTo(((raw[24] & 0xFF) << 8) | (raw[25] & 0xFF));
        assertThat(ping.sequenceNumber()).isEqualTo(1);
        assertThat(ping.isEchoRequest()).isTrue();
        assertThat(ping.isEchoReply()).isFalse();
        assertThat(ping.payloadOffset()).isEqualTo(28);
        assertThat(ping.payloadLength()).isEqualTo(56);
        byte[] data = new byte[56];
        ping.payload().get(data);
        assertThat(data).isEqualTo(pingData());
        assertThat(ping.payload().isReadOnly()).isTrue();
        assertThat(ping).hasToString("IP 192.168.0.1 > 192.168.0.5: ICMP echo request, id 1234, seq 1, length 64");
        assertThat(ping.ip()).hasToString(ping.toString());
    }

    @Test
    void capturedEchoReplyIsAnEchoReply() throws Exception {
        IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(bytes(LinuxCapture.ECHO_REPLY)));

        assertThat(reply.isEchoReply()).isTrue();
        assertThat(reply.checksum()).isEqualTo(0x041a);
        assertThat(reply).hasToString("IP 192.168.0.5 > 192.168.0.1: ICMP echo reply, id 1234, seq 1, length 64");
    }

    @Test
    void builderReproducesTheCapturedPingByteForByte() {
        byte[] built = IcmpMessage.builder().source(CLIENT).destination(SERVER).identification(0xa2fb)
                .identifier(1234).sequenceNumber(1).payload(pingData()).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.ECHO_REQUEST);
    }

    @Test
    void echoReplyMatchesLinuxApartFromIdentificationAndFlags() throws Exception {
        Ipv4Packet request = Ipv4Packet.wrap(LinuxCapture.direct(LinuxCapture.ECHO_REQUEST, 0));
        ByteBuffer out = ByteBuffer.allocateDirect(200);

        int length = IcmpMessage.writeEchoReply(request, out, 10);

        assertThat(length).isEqualTo(84);
        byte[] ours = new byte[length];
        out.get(10, ours);
        byte[] linux = bytes(LinuxCapture.ECHO_REPLY);
        // Linux picks a fresh IP id (0xb844) and clears DF on replies; we keep the request's.
        assertThat(Arrays.copyOfRange(ours, 20, 84)).isEqualTo(Arrays.copyOfRange(linux, 20, 84));
        assertThat(Arrays.copyOfRange(ours, 8, 10)).isEqualTo(Arrays.copyOfRange(linux, 8, 10));
        assertThat(Arrays.copyOfRange(ours, 12, 20)).isEqualTo(Arrays.copyOfRange(linux, 12, 20));
        IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(ours));
        assertThat(reply.isEchoReply()).isTrue();
        assertThat(reply.ip().ttl()).isEqualTo(64);
        assertThat(out.position()).isZero();
        assertThat(request.buffer().get(20)).as("request untouched").isEqualTo((byte) 8);
    }

    @Test
    void echoReplyCanBeWrittenInPlace() throws Exception {
        ByteBuffer buf = LinuxCapture.direct(LinuxCapture.ECHO_REQUEST, 4);
        IcmpMessage request = IcmpMessage.wrap(Ipv4Packet.wrap(buf));

        int length = request.writeEchoReply(buf, 4);

        IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(buf.duplicate().position(4).limit(4 + length)));
        assertThat(reply).hasToString("IP 192.168.0.5 > 192.168.0.1: ICMP echo reply, id 1234, seq 1, length 64");
    }

    @Test
    void echoReplyChecksumsAreRightForOddLengthsAndIpOptions() throws Exception {
        for (int dataLength = 0; dataLength < 40; dataLength++) {
            byte[] request = IcmpMessage.builder().source(CLIENT).destination(SERVER).identifier(dataLength)
                    .ttl(3).payload(Arrays.copyOf(pingData(), dataLength)).build();
            ByteBuffer out = ByteBuffer.allocate(100);

            int length = IcmpMessage.writeEchoReply(Ipv4Packet.wrap(request), out, 0);

            IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(out.limit(length)));
            assertThat(reply.isEchoReply()).isTrue();
            assertThat(reply.identifier()).isEqualTo(dataLength);
            assertThat(reply.ip().sourceInt()).isEqualTo(SERVER);
            assertThat(reply.ip().destinationInt()).isEqualTo(CLIENT);
        }
        // A request with IP options (IHL 6): the header checksum covers them.
        byte[] icmp = Arrays.copyOfRange(bytes(LinuxCapture.ECHO_REQUEST), 20, 84);
        byte[] withOptions = Ipv4Packet.builder().protocol(IpProtocol.ICMP).source(CLIENT).destination(SERVER)
                .options(new byte[] {1, 1, 1, 1}).payload(icmp).build();
        ByteBuffer out = ByteBuffer.allocate(88);
        IcmpMessage.writeEchoReply(Ipv4Packet.wrap(withOptions), out, 0);
        assertThat(IcmpMessage.wrap(Ipv4Packet.wrap(out)).isEchoReply()).isTrue();
    }

    @Test
    void echoReplyRefusesWhatIsNotAnEchoRequest() throws Exception {
        Ipv4Packet reply = Ipv4Packet.wrap(bytes(LinuxCapture.ECHO_REPLY));
        Ipv4Packet tcp = Ipv4Packet.wrap(bytes(LinuxCapture.SYN));
        ByteBuffer out = ByteBuffer.allocate(100);

        assertThatThrownBy(() -> IcmpMessage.writeEchoReply(reply, out, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not an ICMP echo request: IP ");
        assertThatThrownBy(() -> IcmpMessage.writeEchoReply(tcp, out, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void echoReplyRefusesTooSmallOrPartlyOverlappingDestinations() throws Exception {
        byte[] array = new byte[200];
        System.arraycopy(bytes(LinuxCapture.ECHO_REQUEST), 0, array, 0, 84);
        ByteBuffer buf = ByteBuffer.wrap(array, 0, 84);
        Ipv4Packet request = Ipv4Packet.wrap(buf);

        assertThatThrownBy(() -> IcmpMessage.writeEchoReply(request, ByteBuffer.allocate(83), 0))
                .hasMessage("packet of 84 bytes does not fit in 83 bytes at offset 0 (buffer limit 83)");
        assertThatThrownBy(() -> IcmpMessage.writeEchoReply(request, ByteBuffer.wrap(array), 40))
                .hasMessage("the reply at offset 40 would partly overlap the request at offset 0 (84 bytes)");
    }

    @Test
    void messageShorterThanEightBytesIsRejected() throws Exception {
        byte[] packet = Ipv4Packet.builder().protocol(IpProtocol.ICMP).payload(new byte[] {8, 0, 0, 0}).build();

        assertThat(rejection(packet)).isEqualTo("ICMP message of 4 bytes is shorter than the minimum header of 8 bytes");
        assertThat(Ipv4Packet.wrap(packet).toString()).isEqualTo("IP 0.0.0.0 > 0.0.0.0: icmp 4 "
                + "[bad icmp: ICMP message of 4 bytes is shorter than the minimum header of 8 bytes]");
    }

    @Test
    void badChecksumIsRejectedWithStoredAndExpectedValues() throws Exception {
        byte[] packet = bytes(LinuxCapture.ECHO_REQUEST);
        packet[28] = 1; // data word 0x0001 -> 0x0101

        assertThat(rejection(packet)).isEqualTo("bad ICMP checksum 0xfc19 (expected 0xfb19)");
        assertThat(Ipv4Packet.wrap(packet).toString()).isEqualTo("IP 192.168.0.1 > 192.168.0.5: ICMP echo request, "
                + "id 1234, seq 1, length 64 [bad icmp cksum 0xfc19 -> 0xfb19!]");
    }

    @Test
    void fragmentsAndOtherProtocolsAreNotParsedAsIcmp() throws Exception {
        byte[] fragment = Ipv4Packet.builder().protocol(IpProtocol.ICMP).dontFragment(false).fragmentOffset(1480)
                .identification(5).payload(new byte[16]).build();

        assertThat(rejection(fragment))
                .isEqualTo("fragment (id 5, offset 1480, last) cannot be parsed as ICMP; fragments are not reassembled");
        assertThat(rejection(bytes(LinuxCapture.SYN))).isEqualTo("protocol 6 is not ICMP (1)");
    }

    @Test
    void unreachableMessagesArePrintedFromTheQuotedDatagramLikeTcpdump() throws Exception {
        byte[] udp = bytes(LinuxCapture.UDP);
        byte[] syn = bytes(LinuxCapture.SYN);
        String prefix = "IP 192.168.0.5 > 192.168.0.1: ICMP ";

        assertThat(error(3, 0, 0, udp)).isEqualTo(prefix + "net 192.168.0.5 unreachable, length 47");
        assertThat(error(3, 1, 0, udp)).isEqualTo(prefix + "host 192.168.0.5 unreachable, length 47");
        assertThat(error(3, 2, 0, udp)).isEqualTo(prefix + "192.168.0.5 protocol 17 unreachable, length 47");
        assertThat(error(3, 3, 0, udp)).isEqualTo(prefix + "192.168.0.5 udp port 4243 unreachable, length 47");
        assertThat(error(3, 3, 0, syn)).isEqualTo(prefix + "192.168.0.5 tcp port 4242 unreachable, length 68");
        assertThat(error(3, 4, 1400, udp))
                .isEqualTo(prefix + "192.168.0.5 unreachable - need to frag (mtu 1400), length 47");
        assertThat(error(3, 13, 0, udp))
                .isEqualTo(prefix + "host 192.168.0.5 unreachable - admin prohibited filter, length 47");
        assertThat(error(3, 16, 0, udp)).isEqualTo(prefix + "#16 192.168.0.5 unreachable, length 47");
        assertThat(error(3, 3, 0, new byte[0])).isEqualTo(prefix + "type 3 code 3, length 8");
    }

    @Test
    void otherTypesArePrintedWithTypeAndCode() throws Exception {
        byte[] udp = bytes(LinuxCapture.UDP);
        String prefix = "IP 192.168.0.5 > 192.168.0.1: ICMP ";

        assertThat(error(11, 0, 0, udp)).isEqualTo(prefix + "time exceeded in-transit, length 47");
        assertThat(error(11, 1, 0, udp)).isEqualTo(prefix + "ip reassembly time exceeded, length 47");
        assertThat(error(5, 1, 0, new byte[0])).isEqualTo(prefix + "type 5 code 1, length 8");
    }

    @Test
    void builderDefaultsToAnEchoRequestAndResets() throws Exception {
        IcmpMessage.Builder builder = IcmpMessage.builder().type(0).code(9).identifier(1).sequenceNumber(2)
                .payload(new byte[3]).ttl(1).tos(2).identification(3).dontFragment(false);
        builder.build();

        IcmpMessage ping = IcmpMessage.wrap(Ipv4Packet.wrap(builder.reset().build()));

        assertThat(ping.isEchoRequest()).isTrue();
        assertThat(ping.identifier()).isZero();
        assertThat(ping.payloadLength()).isZero();
        assertThat(ping.ip().ttl()).isEqualTo(64);
        assertThat(ping.ip().dontFragment()).isTrue();
        assertThat(builder.length()).isEqualTo(28);
    }

    @Test
    void builderPayloadFromABufferKeepsItsPosition() throws Exception {
        ByteBuffer data = ByteBuffer.wrap(pingData()).position(50);

        byte[] packet = IcmpMessage.builder().payload(data).build();

        assertThat(data.position()).isEqualTo(50);
        assertThat(IcmpMessage.wrap(Ipv4Packet.wrap(packet)).payloadLength()).isEqualTo(6);
    }
}
