package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.Icmpv6Message;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.Subnet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every behaviour of {@link FragmentConformanceTest} over IPv6 (RFC 8200 §4.5), the fragments
 * carrying a Fragment header with a 32-bit id, through the translation; and what only IPv6 has: an
 * atomic fragment is a whole packet that leaves a datagram in reassembly with the same id alone
 * (RFC 6946), and a first fragment must hold the whole upper-layer header (RFC 7112).
 */
class Ipv6FragmentConformanceTest extends FragmentConformanceTest {

  @Override
  CraftedHost host(Rules rules, int port) {
    return CraftedHost.ipv6(rules, port);
  }

  /** A first fragment holds the whole TCP header (20 bytes) on IPv6: RFC 7112, which Linux checks. */
  @Override
  int synFragmentSize() {
    return 24;
  }

  /** The device's MTU 1520 less the IPv6 and Fragment headers. */
  @Override
  int largestFragment() {
    return 1472;
  }

  @Test
  void anAtomicFragmentIsWholeAndLeavesADatagramOfTheSameIdAlone() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44105)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      List<byte[]> parts = fragments(syn, 0x1_0000_0105L, synFragmentSize());
      host.sendPacket(parts.get(0));
      byte[] other = host.segment().sourcePort(44106).sequenceNumber(7000).flags(TcpSegment.SYN).mss(1460).build();
      host.sendPacket(fragment(other, 0x1_0000_0105L, 0, false, upperLayer(other)));
      await(() -> host.fixture.sent.stream().map(CraftedHost::packet).filter(p -> p.protocol() == IpProtocol.TCP)
          .map(CraftedHost::tcp).anyMatch(s -> s.destinationPort() == 44106 && s.syn() && s.ack()
              && s.acknowledgmentNumber() == 7001), "the SYN+ACK to the atomic fragment");
      host.sendPacket(parts.get(1));
      TcpSegment synAck = host.next(s -> s.syn() && s.ack(), "the SYN+ACK to the datagram in two fragments");
      assertThat(synAck.acknowledgmentNumber()).isEqualTo(5001);
      assertThat(host.fixture.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void aFirstFragmentWithoutTheWholeTcpHeaderIsDropped() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44107)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).build();
      for (byte[] fragment : fragments(syn, 107, 16)) {
        host.sendPacket(fragment);
      }
      assertThat(host.during(150)).as("no answer").isEmpty();
      assertThat(host.fixture.peer.counters().connectionsOpened()).isZero();
    }
  }

  @Override
  byte[] upperLayer(byte[] packet) {
    return Arrays.copyOfRange(packet, Ipv6Packet.HEADER_LENGTH, packet.length);
  }

  /** One fragment of {@code packet} (an IPv6 packet without extension headers) behind a Fragment header. */
  @Override
  byte[] fragment(byte[] packet, long id, int offset, boolean more, byte[] data) {
    Ipv6Packet whole = (Ipv6Packet) CraftedHost.packet(packet);
    ByteBuffer body = ByteBuffer.allocate(8 + data.length);
    body.put((byte) whole.protocol()).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt((int) id)
        .put(data);
    return Ipv6Packet.builder().source(whole.sourceHigh(), whole.sourceLow())
        .destination(whole.destinationHigh(), whole.destinationLow()).nextHeader(IpProtocol.FRAGMENT)
        .payload(body.array()).build();
  }

  @Override
  byte[] echoRequest(CraftedHost host, byte[] payload) {
    Subnet prefix = host.fixture.device.subnet6().orElseThrow();
    return Icmpv6Message.builder().source(prefix.networkHigh(), prefix.networkLow() + 1)
        .destination(prefix.networkHigh(), prefix.networkLow() + 9).type(Icmpv6Message.ECHO_REQUEST)
        .identifier(0x4242).sequenceNumber(1).payload(payload).build();
  }

  @Override
  List<byte[]> echoReplyPayloads(CraftedHost host) {
    return host.fixture.sent.stream().map(CraftedHost::packet).filter(p -> p.protocol() == IpProtocol.ICMPV6)
        .map(p -> icmp((Ipv6Packet) p)).peek(m -> assertThat(m.isEchoReply()).isTrue())
        .peek(m -> assertThat(m.identifier()).isEqualTo(0x4242)).map(m -> bytes(m.payload()))
        .collect(Collectors.toList());
  }

  private static Icmpv6Message icmp(Ipv6Packet ip) {
    try {
      return Icmpv6Message.wrap(ip);
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }
}
