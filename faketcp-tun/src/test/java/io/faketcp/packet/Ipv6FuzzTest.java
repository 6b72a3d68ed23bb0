package io.faketcp.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the IPv6 side of the packet layer with Linux's own IPv6 packets (see
 * {@link LinuxCapture#ipv6Packets()}) garbled: some bytes changed, cut short or lengthened, the payload
 * length field made to fit or not, extension headers put in front. Whatever comes of it, wrapping as
 * IPv6, TCP, UDP and ICMPv6 succeeds or throws {@link MalformedPacketException}, and the tcpdump line
 * is one line that never reports an unexpected exception.
 */
class Ipv6FuzzTest {
    private static final List<byte[]> CAPTURE = LinuxCapture.ipv6Packets();
    /** Extension headers to put in front of the upper layer: hop-by-hop, destination options, routing, fragment. */
    private static final int[] EXTENSIONS = {0, 60, 43, 44};
    static final java.util.concurrent.atomic.AtomicLong INPUTS = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong WELL_FORMED = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong UPPER_LAYER = new java.util.concurrent.atomic.AtomicLong();

    @net.jqwik.api.lifecycle.AfterContainer
    static void report() {
        System.out.println("ipv6 fuzz: " + INPUTS.get() + " inputs, " + WELL_FORMED.get() + " well-formed IPv6, "
                + UPPER_LAYER.get() + " valid TCP, UDP or ICMPv6");
    }

    @Property
    void garbledIpv6PacketsOnlyEverFailAsMalformed(@ForAll("garbled") byte[] packet) {
        INPUTS.incrementAndGet();
        String line = Tcpdump.format(packet);
        assertThat(line).doesNotContain("\n").doesNotContain("unexpected");
        Ipv6Packet ip;
        try {
            ip = Ipv6Packet.wrap(packet);
        } catch (MalformedPacketException e) {
            assertThat(e.reason()).isNotBlank();
            return;
        }
        WELL_FORMED.incrementAndGet();
        assertThat(line).startsWith("IP6 ");
        assertThat(ip.payloadOffset() + ip.payloadLength()).isEqualTo(packet.length);
        assertThat(ip.toString()).isEqualTo(line);
        assertThat(ip.sourceText()).isNotEmpty();
        try {
            switch (ip.protocol()) {
                case IpProtocol.TCP:
                    TcpSegment tcp = TcpSegment.wrap(ip);
                    assertThat(tcp.toString()).startsWith("IP6 ");
                    tcp.options().toString();
                    break;
                case IpProtocol.UDP:
                    assertThat(UdpDatagram.wrap(ip).payloadBytes()).isNotNull();
                    break;
                case IpProtocol.ICMPV6:
                    Icmpv6Message icmp = Icmpv6Message.wrap(ip);
                    if (icmp.isEchoRequest()) {
                        ByteBuffer out = ByteBuffer.allocate(packet.length);
                        Ipv6Packet reply = Ipv6Packet.wrap(out.limit(Icmpv6Message.writeEchoReply(ip, out, 0)));
                        assertThat(Icmpv6Message.wrap(reply).isEchoReply()).isTrue();
                    }
                    break;
                default:
                    UPPER_LAYER.decrementAndGet();
                    break;
            }
            UPPER_LAYER.incrementAndGet();
        } catch (MalformedPacketException e) {
            assertThat(e.reason()).isNotBlank();
        }
        ByteBuffer error = ByteBuffer.allocate(Ipv6Packet.MINIMUM_MTU);
        int n = Icmpv6Message.writePacketTooBig(ip, 1280, error, 0);
        assertThat(n).isLessThanOrEqualTo(Ipv6Packet.MINIMUM_MTU);
        assertThat(Tcpdump.format(error.limit(n))).contains("packet too big, mtu 1280");
    }

    @Provide
    Arbitrary<byte[]> garbled() {
        return Arbitraries.randomValue(Ipv6FuzzTest::garble);
    }

    static byte[] garble(Random r) {
        byte[] p = CAPTURE.get(r.nextInt(CAPTURE.size())).clone();
        if (r.nextInt(3) == 0) {
            p = withExtension(p, EXTENSIONS[r.nextInt(EXTENSIONS.length)], r);
        }
        int changes = r.nextInt(4);
        for (int i = 0; i < changes; i++) {
            p[r.nextInt(p.length)] = (byte) r.nextInt(256);
        }
        if (r.nextInt(4) == 0) {
            p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 16));
        }
        if (p.length >= 6 && r.nextBoolean()) {
            ByteBuffer.wrap(p).putShort(4, (short) (p.length - 40));
        }
        if (p.length > 0 && r.nextInt(8) != 0) {
            p[0] = (byte) (0x60 | (p[0] & 0x0F));
        }
        return p;
    }

    /** {@code p} with an 8-byte extension header of kind {@code next} before its upper layer. */
    private static byte[] withExtension(byte[] p, int next, Random r) {
        byte[] q = new byte[p.length + 8];
        System.arraycopy(p, 0, q, 0, 40);
        System.arraycopy(p, 40, q, 48, p.length - 40);
        q[40] = p[6];
        q[41] = 0;
        q[42] = (byte) r.nextInt(3);
        q[43] = (byte) (next == 43 ? r.nextInt(2) : r.nextInt(256));
        q[6] = (byte) next;
        ByteBuffer.wrap(q).putShort(4, (short) (q.length - 40));
        return q;
    }
}
