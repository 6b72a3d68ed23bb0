package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.Icmpv6Message;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FragmentConformanceTest} over IPv6 (RFC 8200 §4.5): the host's datagrams cut into
 * fragments with a Fragment header are put together before TCP and ICMPv6 see them, in any order;
 * an overlapping fragment discards its datagram (RFC 5722); an atomic fragment is a whole packet
 * that leaves a datagram in reassembly with the same id alone (RFC 6946). Crafted with
 * {@link CraftedHost#ipv6}.
 */
@ExtendWith(RequiresTun.class)
class Ipv6FragmentConformanceTest {

  @Test
  void aSynInTwoFragmentsIsAnsweredWithASynAck() throws Exception {
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44101)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      for (byte[] fragment : fragments(syn, 0x1_0000_0101L, 24)) {
        host.sendPacket(fragment);
      }
      TcpSegment synAck = host.next(s -> s.syn() && s.ack(), "the SYN+ACK");
      assertThat(synAck.acknowledgmentNumber()).isEqualTo(5001);
      assertThat(synAck.options().sackPermitted()).isTrue();
      assertThat(host.fixture.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void dataInFourFragmentsIsEchoedInOrder() throws Exception {
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44102)) {
      host.open(1000, 65535);
      byte[] data = CraftedHost.bytes(1200, 5);
      List<byte[]> parts = fragments(host.acking(TcpSegment.PSH).payload(data).build(), 0xfade_0102L, 400);
      assertThat(parts).hasSize(4);
      for (int i = parts.size() - 1; i >= 0; i--) {
        host.sendPacket(parts.get(i)); // last first: reassembly does not depend on the order
      }
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo");
      assertThat(CraftedHost.payload(echo)).isEqualTo(data);
      assertThat(echo.acknowledgmentNumber()).isEqualTo(host.seq + 1200);
    }
  }

  @Test
  void anEchoRequestLargerThanTheMtuIsAnswered() throws Exception {
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44103)) {
      Subnet prefix = host.fixture.device.subnet6().orElseThrow();
      byte[] payload = CraftedHost.bytes(3000, 11);
      byte[] request = Icmpv6Message.builder().source(prefix.networkHigh(), prefix.networkLow() + 1)
          .destination(prefix.networkHigh(), prefix.networkLow() + 9).type(Icmpv6Message.ECHO_REQUEST)
          .identifier(0x4242).sequenceNumber(1).payload(payload).build();
      for (byte[] fragment : fragments(request, 103, 1232)) {
        host.sendPacket(fragment);
      }
      await(() -> host.fixture.peer.counters().echoReplies() == 1, "an echo reply");
      List<Icmpv6Message> replies = host.fixture.sent.stream().map(CraftedHost::packet)
          .filter(p -> p.protocol() == IpProtocol.ICMPV6).map(p -> icmp((Ipv6Packet) p)).collect(Collectors.toList());
      assertThat(replies).hasSize(1);
      assertThat(replies.get(0).isEchoReply()).isTrue();
      assertThat(replies.get(0).identifier()).isEqualTo(0x4242);
      ByteBuffer echoed = replies.get(0).payload();
      byte[] bytes = new byte[echoed.remaining()];
      echoed.get(bytes);
      assertThat(bytes).isEqualTo(payload);
      assertThat(host.fixture.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void overlappingFragmentsAreDroppedWithTheirDatagram() throws Exception {
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44104)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      List<byte[]> parts = fragments(syn, 104, 24);
      host.sendPacket(parts.get(0));
      // The rest of the segment again from offset 16: it overlaps the first fragment's last 8 bytes.
      byte[] tail = Arrays.copyOfRange(syn, Ipv6Packet.HEADER_LENGTH + 16, syn.length);
      host.sendPacket(fragment(syn, 104, 16, false, tail));
      await(() -> host.fixture.peer.counters().badPackets() == 1, "the overlapping fragment counted as bad");
      host.sendPacket(parts.get(1));
      assertThat(host.during(150)).as("no answer: the datagram was dropped").isEmpty();
      assertThat(host.fixture.peer.counters().connectionsOpened()).isZero();
    }
  }

  @Test
  void anAtomicFragmentIsWholeAndLeavesADatagramOfTheSameIdAlone() throws Exception {
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44105)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      List<byte[]> parts = fragments(syn, 105, 24);
      host.sendPacket(parts.get(0));
      byte[] other = host.segment().sourcePort(44106).sequenceNumber(7000).flags(TcpSegment.SYN).mss(1460).build();
      host.sendPacket(fragment(other, 105, 0, false,
          Arrays.copyOfRange(other, Ipv6Packet.HEADER_LENGTH, other.length)));
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
    try (CraftedHost host = CraftedHost.ipv6(Rules.of(Mode.ECHO), 44107)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).build();
      for (byte[] fragment : fragments(syn, 107, 8)) { // RFC 7112: the header chain is in the first fragment
        host.sendPacket(fragment);
      }
      assertThat(host.during(150)).as("no answer").isEmpty();
      assertThat(host.fixture.peer.counters().connectionsOpened()).isZero();
    }
  }

  /**
   * {@code packet} (an IPv6 packet without extension headers) cut into fragments of {@code size}
   * bytes (a multiple of 8) of what follows its header, each with a Fragment header of id {@code id}.
   */
  static List<byte[]> fragments(byte[] packet, long id, int size) {
    byte[] payload = Arrays.copyOfRange(packet, Ipv6Packet.HEADER_LENGTH, packet.length);
    List<byte[]> out = new ArrayList<>();
    for (int offset = 0; offset < payload.length; offset += size) {
      int end = Math.min(payload.length, offset + size);
      out.add(fragment(packet, id, offset, end < payload.length, Arrays.copyOfRange(payload, offset, end)));
    }
    return out;
  }

  /** One fragment of {@code packet} (its header's addresses and next header): {@code data} at {@code offset}. */
  static byte[] fragment(byte[] packet, long id, int offset, boolean more, byte[] data) {
    Ipv6Packet whole = (Ipv6Packet) CraftedHost.packet(packet);
    ByteBuffer body = ByteBuffer.allocate(8 + data.length);
    body.put((byte) whole.protocol()).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt((int) id)
        .put(data);
    return Ipv6Packet.builder().source(whole.sourceHigh(), whole.sourceLow())
        .destination(whole.destinationHigh(), whole.destinationLow()).nextHeader(IpProtocol.FRAGMENT)
        .payload(body.array()).build();
  }

  private static Icmpv6Message icmp(Ipv6Packet ip) {
    try {
      return Icmpv6Message.wrap(ip);
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }
}
