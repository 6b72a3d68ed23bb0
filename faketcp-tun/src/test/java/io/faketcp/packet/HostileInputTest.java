package io.faketcp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The peer parses whatever the kernel (or a test) writes to the tun device: whatever the bytes, wrapping
 * either succeeds or throws {@link MalformedPacketException}, and formatting never throws.
 */
class HostileInputTest {

    private static final long SEED = 0x7ca9_2025L;

    @Test
    void randomAndMutatedPacketsOnlyEverFailWithMalformedPacketException() {
        Random random = new Random(SEED);
        List<byte[]> seeds = new ArrayList<>(LinuxCapture.ipv4Packets());
        int wrapped = 0;
        int segments = 0;
        int messages = 0;
        for (int round = 0; round < 6000; round++) {
            byte[] packet = hostile(random, seeds);
            try {
                Outcome outcome = exercise(packet);
                wrapped += outcome.ip ? 1 : 0;
                segments += outcome.tcp ? 1 : 0;
                messages += outcome.icmp ? 1 : 0;
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e + " for " + HexFormat.of().formatHex(packet), e);
            }
            String line = Tcpdump.format(packet);
            assertThat(line).isNotBlank().doesNotContain("\n").doesNotStartWith("bad packet (unexpected");
        }
        // The mutations must reach the deeper layers, not just bounce off the IP checksum.
        assertThat(wrapped).isGreaterThan(1500);
        assertThat(segments).isGreaterThan(300);
        assertThat(messages).isGreaterThan(50);
    }

    private record Outcome(boolean ip, boolean tcp, boolean icmp) {
    }

    /** Wraps at every layer and touches every accessor; only MalformedPacketException may escape. */
    private static Outcome exercise(byte[] packet) {
        Ipv4Packet ip;
        try {
            ip = Ipv4Packet.wrap(ByteBuffer.wrap(packet));
        } catch (MalformedPacketException e) {
            assertThat(e.reason()).isNotBlank();
            return new Outcome(false, false, false);
        }
        long sink = ip.version() + ip.headerLength() + ip.tos() + ip.totalLength() + ip.identification()
                + ip.fragmentOffset() + ip.ttl() + ip.headerChecksum() + ip.payloadOffset() + ip.payloadLength()
                + (ip.dontFragment() ? 1 : 0) + (ip.moreFragments() ? 1 : 0) + (ip.isFragment() ? 1 : 0);
        assertThat(ip.source()).isNotNull();
        assertThat(ip.destination()).isNotNull();
        assertThat(ip.toString()).startsWith("IP ");
        boolean tcp = false;
        boolean icmp = false;
        try {
            TcpSegment segment = TcpSegment.wrap(ip);
            tcp = true;
            sink += segment.sourcePort() + segment.destinationPort() + segment.sequenceNumber()
                    + segment.acknowledgmentNumber() + segment.dataOffset() + segment.flags() + segment.window()
                    + segment.checksum() + segment.urgentPointer() + segment.payloadOffset()
                    + segment.payload().remaining();
            TcpOptions options = segment.options();
            sink += options.mss() + options.windowScale() + options.tsVal() + options.tsEcr()
                    + options.sackBlockCount() + options.length();
            for (int i = 0; i < options.sackBlockCount(); i++) {
                sink += options.sackLeft(i) + options.sackRight(i);
            }
            assertThat(options.toString()).doesNotContain("\n");
            assertThat(segment.toString()).startsWith("IP ");
        } catch (MalformedPacketException e) {
            assertThat(e.reason()).isNotBlank();
        }
        try {
            IcmpMessage message = IcmpMessage.wrap(ip);
            icmp = true;
            sink += message.type() + message.code() + message.checksum() + message.identifier()
                    + message.sequenceNumber() + message.payloadOffset() + message.payload().remaining();
            assertThat(message.toString()).startsWith("IP ");
            if (message.isEchoRequest()) {
                ByteBuffer out = ByteBuffer.allocate(packet.length);
                IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(out.limit(message.writeEchoReply(out, 0))));
                assertThat(reply.isEchoReply()).isTrue();
            }
        } catch (MalformedPacketException e) {
            assertThat(e.reason()).isNotBlank();
        }
        assertThat(sink).isNotNull();
        return new Outcome(true, tcp, icmp);
    }

    /** Pure noise, or a captured packet with a few bytes changed, cut, extended and often re-checksummed. */
    private static byte[] hostile(Random random, List<byte[]> seeds) {
        if (random.nextInt(10) == 0) {
            byte[] noise = new byte[random.nextInt(80)];
            random.nextBytes(noise);
            if (noise.length > 0 && random.nextBoolean()) {
                noise[0] = (byte) (0x40 | (noise[0] & 0x0F));
            }
            return noise;
        }
        byte[] packet = seeds.get(random.nextInt(seeds.size())).clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int headerish = Math.min(packet.length, 64);
            int at = random.nextInt(4) == 0 ? random.nextInt(packet.length) : random.nextInt(headerish);
            packet[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (packet[at] ^ (1 << random.nextInt(8)));
        }
        switch (random.nextInt(8)) {
            case 0:
                packet = java.util.Arrays.copyOf(packet, random.nextInt(packet.length + 1));
                break;
            case 1:
                packet = java.util.Arrays.copyOf(packet, packet.length + random.nextInt(8));
                break;
            default:
                break;
        }
        if (random.nextInt(4) != 0) {
            consistentIpHeader(packet, random);
        }
        return packet;
    }

    /** Makes total length and header checksum right (when they fit) so the transport layers get tested. */
    private static void consistentIpHeader(byte[] packet, Random random) {
        if (packet.length < 20 || (packet[0] & 0xF0) != 0x40) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(packet);
        b.putShort(2, (short) packet.length);
        int headerLength = (packet[0] & 0xF) * 4;
        if (headerLength >= 20 && headerLength <= packet.length) {
            b.putShort(10, (short) 0);
            b.putShort(10, (short) Checksum.compute(b, 0, headerLength));
            int protocol = packet[9] & 0xFF;
            int l4 = packet.length - headerLength;
            if (random.nextBoolean() && protocol == IpProtocol.TCP && l4 >= 20) {
                b.putShort(headerLength + 16, (short) 0);
                b.putShort(headerLength + 16, (short) Checksum.tcpUdp(b, 0, protocol, headerLength, l4));
            } else if (random.nextBoolean() && protocol == IpProtocol.ICMP && l4 >= 8) {
                b.putShort(headerLength + 2, (short) 0);
                b.putShort(headerLength + 2, (short) Checksum.compute(b, headerLength, l4));
            }
        }
    }
}
