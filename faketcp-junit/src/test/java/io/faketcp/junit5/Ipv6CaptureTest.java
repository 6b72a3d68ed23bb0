package io.faketcp.junit5;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.FakeNetworkAssertions;
import io.faketcp.assertj.PacketPattern;
import io.faketcp.packet.Icmpv6Message;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.UdpDatagram;
import io.faketcp.peer.Direction;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IPv6 packets through the capture's analysis and assertions, made with the packet builders, without a tun. */
class Ipv6CaptureTest {
  private static final long PREFIX = 0xfd0000fa00ce0000L;
  private static final Inet6Address HOST = Ipv6Packet.toInet6Address(PREFIX, 1);
  private static final Inet6Address WEB = Ipv6Packet.toInet6Address(PREFIX, 5);

  private final List<CapturedPacket> packets = new ArrayList<>();
  private Instant time = Instant.parse("2026-01-01T00:00:00Z");

  private Ipv6CaptureTest out(int flags, long seq, long ack, String data) {
    return add(segment(1, 40000, 5, 80, flags, seq, ack, data), Direction.TO_PEER);
  }

  private Ipv6CaptureTest in(int flags, long seq, long ack, String data) {
    return add(segment(5, 80, 1, 40000, flags, seq, ack, data), Direction.FROM_PEER);
  }

  private Ipv6CaptureTest add(byte[] bytes, Direction direction) {
    packets.add(CapturedPacket.of(bytes, time, direction));
    time = time.plusMillis(1);
    return this;
  }

  private static byte[] segment(long from, int fromPort, long to, int toPort, int flags, long seq, long ack,
      String data) {
    return TcpSegment.builder().source(PREFIX, from).destination(PREFIX, to).sourcePort(fromPort)
        .destinationPort(toPort).flags(flags).sequenceNumber(seq).acknowledgmentNumber(ack).window(64800)
        .payload(data.getBytes(StandardCharsets.US_ASCII)).build();
  }

  private CapturedPackets conversation() {
    return out(SYN, 100, 0, "").in(SYN | ACK, 700, 101, "").out(ACK, 101, 701, "")
        .out(PSH | ACK, 101, 701, "hello").in(PSH | ACK, 701, 106, "world!")
        .out(FIN | ACK, 106, 707, "").in(FIN | ACK, 707, 107, "").out(ACK, 107, 708, "")
        .packets();
  }

  private CapturedPackets packets() {
    return CapturedPackets.of("tun0", packets);
  }

  @Test
  void aPacketReadsAsIpv6WithTcpdumpsAddresses() {
    CapturedPacket syn = conversation().get(0);

    assertThat(syn.packet()).get().satisfies(ip -> {
      assertThat(ip.version()).isEqualTo(6);
      assertThat(ip.sourceText()).isEqualTo("fd00:fa:ce::1");
      assertThat(ip.destinationText()).isEqualTo("fd00:fa:ce::5");
      assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
    });
    assertThat(syn.ip()).isEmpty();
    assertThat(syn.ipv6()).get().extracting(Ipv6Packet::hopLimit).isEqualTo(64);
    assertThat(syn.tcp()).get().satisfies(t -> {
      assertThat(t.syn()).isTrue();
      assertThat(t.destinationPort()).isEqualTo(80);
    });
    assertThat(syn.line()).isEqualTo("IP6 fd00:fa:ce::1.40000 > fd00:fa:ce::5.80: Flags [S], seq 100, win 64800, length 0");
    assertThat(syn).hasToString("Out IP6 fd00:fa:ce::1.40000 > fd00:fa:ce::5.80: Flags [S], seq 100, win 64800, length 0");
  }

  @Test
  void anIpv6ConversationIsRebuiltWithItsEndpoints() {
    List<TcpConversation> connections = conversation().conversations();

    assertThat(connections).hasSize(1);
    TcpConversation c = connections.get(0);
    assertThat(c.client()).isEqualTo(new InetSocketAddress(HOST, 40000));
    assertThat(c.server()).isEqualTo(new InetSocketAddress(WEB, 80));
    assertThat(c.handshakeCompleted()).isTrue();
    assertThat(new String(c.streamFromClient(), StandardCharsets.US_ASCII)).isEqualTo("hello");
    assertThat(new String(c.streamFromServer(), StandardCharsets.US_ASCII)).isEqualTo("world!");
    assertThat(c).hasToString(
        "[fd00:fa:ce::1]:40000 > [fd00:fa:ce::5]:80: handshake, 5 bytes >, 6 bytes <, FIN >, FIN <");
  }

  @Test
  void patternsAndAssertionsMatchIpv6Addresses() throws Exception {
    CapturedPackets captured = conversation();
    InetAddress web = InetAddress.getByName("fd00:fa:ce::5");

    FakeNetworkAssertions.assertThat(captured)
        .containsInOrder(PacketPattern.syn().to(web, 80), PacketPattern.data().from(web, 80));
    assertThat(PacketPattern.syn().to(web, 80)).hasToString("SYN to [fd00:fa:ce::5]:80");
    assertThat(PacketPattern.rst().from(web)).hasToString("RST from fd00:fa:ce::5");
    assertThatThrownBy(() -> FakeNetworkAssertions.assertThat(captured).hasNoPacketTo(web))
        .hasMessageContaining("fd00:fa:ce::5").hasMessageContaining("IP6 fd00:fa:ce::1.40000 > fd00:fa:ce::5.80");
  }

  @Test
  void pingsDatagramsAndIcmpv6ErrorsAreRecognised() {
    byte[] udp = UdpDatagram.builder().source(HOST).destination(WEB).sourcePort(40000).destinationPort(8125)
        .payload("x:1|c".getBytes(StandardCharsets.UTF_8)).build();
    ByteBuffer error = ByteBuffer.allocate(200);
    int n;
    try {
      n = Icmpv6Message.writeDestinationUnreachable(Ipv6Packet.wrap(udp), Icmpv6Message.UNREACHABLE_PORT, error, 0);
    } catch (io.faketcp.packet.MalformedPacketException e) {
      throw new AssertionError(e);
    }
    ByteBuffer tooBig = ByteBuffer.allocate(200);
    int m;
    try {
      m = Icmpv6Message.writePacketTooBig(Ipv6Packet.wrap(udp), 1280, tooBig, 0);
    } catch (io.faketcp.packet.MalformedPacketException e) {
      throw new AssertionError(e);
    }
    add(Icmpv6Message.builder().source(HOST).destination(WEB).identifier(1).sequenceNumber(1).build(), Direction.TO_PEER);
    add(Icmpv6Message.builder().source(WEB).destination(HOST).type(Icmpv6Message.ECHO_REPLY).identifier(1)
        .sequenceNumber(1).build(), Direction.FROM_PEER);
    add(udp, Direction.TO_PEER);
    add(java.util.Arrays.copyOf(error.array(), n), Direction.FROM_PEER);
    add(java.util.Arrays.copyOf(tooBig.array(), m), Direction.FROM_PEER);
    CapturedPackets captured = packets();

    FakeNetworkAssertions.assertThat(captured).hasEchoRequestsTo(WEB, 1).hasEchoReplies(1)
        .hasDatagramsTo(new InetSocketAddress(WEB, 8125), 1)
        .containsInOrder(PacketPattern.datagram("x:1|c"), PacketPattern.portUnreachable(), PacketPattern.packetTooBig());
    assertThat(captured.get(3).icmpv6()).get().extracting(Icmpv6Message::code)
        .isEqualTo(Icmpv6Message.UNREACHABLE_PORT);
    assertThat(captured.get(3).icmp()).isEmpty();
    assertThat(captured.get(4).line())
        .isEqualTo("IP6 fd00:fa:ce::5 > fd00:fa:ce::1: ICMP6, packet too big, mtu 1280, length 61");
  }
}
