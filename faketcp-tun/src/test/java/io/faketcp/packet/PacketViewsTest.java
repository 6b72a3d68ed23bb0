package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PacketViewsTest {

    private static final int CLIENT = 0xC0A80001; // 192.168.0.1
    private static final int SERVER = 0xC0A80005; // 192.168.0.5

    @Test
    void ipv4ViewIsReusedAndShowsEachPacketAsWrapDoes() throws Exception {
        PacketViews views = new PacketViews();
        ByteBuffer syn = ByteBuffer.wrap(bytes(LinuxCapture.SYN));
        ByteBuffer ping = ByteBuffer.wrap(bytes(LinuxCapture.ECHO_REQUEST));

        Ipv4Packet first = views.ipv4(syn);
        assertThat(first.protocol()).isEqualTo(IpProtocol.TCP);
        assertThat(first.totalLength()).isEqualTo(Ipv4Packet.wrap(syn).totalLength()).isEqualTo(60);

        Ipv4Packet second = views.ipv4(ping);
        assertThat(second).isSameAs(first);
        assertThat(second.buffer()).isSameAs(ping);
        assertThat(second.protocol()).isEqualTo(IpProtocol.ICMP);
        assertThat(second.identification()).isEqualTo(Ipv4Packet.wrap(ping).identification()).isEqualTo(0xa2fb);
        assertThat(second.toString()).isEqualTo(Ipv4Packet.wrap(ping).toString());
    }

    @Test
    void tcpViewIsReusedAndParsesTheOptionsOfTheSegmentItNowShows() throws Exception {
        PacketViews views = new PacketViews();
        byte[] withMss = TcpSegment.builder().source(CLIENT).destination(SERVER).sourcePort(1000).destinationPort(80)
                .flags(TcpSegment.SYN).mss(1200).sackPermitted(true).build();
        byte[] plain = TcpSegment.builder().source(CLIENT).destination(SERVER).sourcePort(2000).destinationPort(81)
                .flags(TcpSegment.ACK).build();

        TcpSegment first = views.tcp(views.ipv4(ByteBuffer.wrap(withMss)));
        assertThat(first.options().mss()).isEqualTo(1200);
        assertThat(first.options().sackPermitted()).isTrue();
        TcpOptions firstOptions = first.options();
        assertThat(first.sourcePort()).isEqualTo(1000);

        TcpSegment second = views.tcp(views.ipv4(ByteBuffer.wrap(plain)));
        assertThat(second).isSameAs(first);
        assertThat(second.sourcePort()).isEqualTo(2000);
        assertThat(second.destinationPort()).isEqualTo(81);
        assertThat(second.ack()).isTrue();
        assertThat(second.options().mss()).as("options of the segment shown now, not the last one's")
                .isEqualTo(TcpSegment.wrap(Ipv4Packet.wrap(plain)).options().mss());
        assertThat(second.options().sackPermitted()).isEqualTo(TcpSegment.wrap(Ipv4Packet.wrap(plain)).options().sackPermitted());
        assertThat(second.options()).as("one options object, re-parsed").isSameAs(firstOptions);
    }

    @Test
    void icmpViewIsReused() throws Exception {
        PacketViews views = new PacketViews();
        byte[] one = IcmpMessage.builder().source(CLIENT).destination(SERVER).type(IcmpMessage.ECHO_REQUEST)
                .identifier(7).sequenceNumber(1).build();
        byte[] two = IcmpMessage.builder().source(CLIENT).destination(SERVER).type(IcmpMessage.ECHO_REQUEST)
                .identifier(7).sequenceNumber(2).build();

        IcmpMessage first = views.icmp(views.ipv4(ByteBuffer.wrap(one)));
        assertThat(first.sequenceNumber()).isEqualTo(1);
        IcmpMessage second = views.icmp(views.ipv4(ByteBuffer.wrap(two)));
        assertThat(second).isSameAs(first);
        assertThat(second.sequenceNumber()).isEqualTo(2);
    }

    @Test
    void viewsRejectWhatWrapRejectsWithTheSameReason() throws Exception {
        PacketViews views = new PacketViews();
        byte[] bad = bytes(LinuxCapture.SYN);
        bad[10] ^= 0x01; // header checksum
        String viewReason = catchThrowableOfType(MalformedPacketException.class, () -> views.ipv4(ByteBuffer.wrap(bad)))
                .reason();
        String wrapReason = catchThrowableOfType(MalformedPacketException.class, () -> Ipv4Packet.wrap(bad)).reason();
        assertThat(viewReason).isEqualTo(wrapReason).contains("bad header checksum");

        Ipv4Packet ping = views.ipv4(ByteBuffer.wrap(bytes(LinuxCapture.ECHO_REQUEST)));
        assertThat(catchThrowableOfType(MalformedPacketException.class, () -> views.tcp(ping)).reason())
                .isEqualTo("protocol 1 is not TCP (6)");
    }
}
