package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 1122 §3.3.2 through the tun: the host's fragmented datagrams are reassembled before TCP and
 * ICMP see them; overlapping fragments are dropped with their datagram ({@link CraftedHost}).
 */
@ExtendWith(RequiresTun.class)
class FragmentConformanceTest {

  @Test
  void aSynInTwoFragmentsIsAnsweredWithASynAck() throws Exception {
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 44001)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      for (byte[] fragment : fragments(syn, 101, 16)) {
        host.sendPacket(fragment);
      }
      TcpSegment synAck = host.next(s -> s.syn() && s.ack(), "the SYN+ACK");
      assertThat(synAck.acknowledgmentNumber()).isEqualTo(5001);
      assertThat(synAck.options().sackPermitted()).isTrue();
      assertThat(host.fixture.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void dataInThreeFragmentsIsEchoedInOrder() throws Exception {
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 44002)) {
      host.open(1000, 65535);
      byte[] data = CraftedHost.bytes(1200, 5);
      List<byte[]> parts = fragments(host.acking(TcpSegment.PSH).payload(data).build(), 102, 400);
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
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 44003)) {
      byte[] payload = CraftedHost.bytes(3000, 11);
      byte[] request = IcmpMessage.builder().source(CraftedHost.CLIENT).destination(host.fixture.device.subnet().address(9))
          .type(IcmpMessage.ECHO_REQUEST).code(0).identifier(0x4242).sequenceNumber(1).payload(payload).build();
      for (byte[] fragment : fragments(request, 103, 1480)) {
        host.sendPacket(fragment);
      }
      await(() -> host.fixture.peer.counters().echoReplies() == 1, "an echo reply");
      List<IcmpMessage> replies = host.fixture.sent.stream().map(CraftedHost::ip)
          .filter(p -> p.protocol() == IpProtocol.ICMP).map(FragmentConformanceTest::icmp).collect(Collectors.toList());
      assertThat(replies).hasSize(1);
      ByteBuffer echoed = replies.get(0).payload();
      byte[] bytes = new byte[echoed.remaining()];
      echoed.get(bytes);
      assertThat(bytes).isEqualTo(payload);
    }
  }

  @Test
  void overlappingFragmentsAreDroppedWithTheirDatagram() throws Exception {
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 44004)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).build();
      List<byte[]> parts = fragments(syn, 104, 16);
      host.sendPacket(parts.get(0));
      // The rest of the segment again from offset 8: it overlaps the first fragment's second half.
      Ipv4Packet ip = CraftedHost.ip(syn);
      byte[] tail = Arrays.copyOfRange(syn, ip.payloadOffset() + 8, syn.length);
      host.sendPacket(Ipv4Packet.builder().source(CraftedHost.CLIENT).destination(host.fixture.device.subnet().address(9))
          .protocol(IpProtocol.TCP).identification(104).dontFragment(false).fragmentOffset(8).payload(tail).build());
      await(() -> host.fixture.peer.counters().badPackets() == 1, "the overlapping fragment counted as bad");
      host.sendPacket(parts.get(1));
      assertThat(host.during(150)).as("no answer: the datagram was dropped").isEmpty();
      assertThat(host.fixture.peer.counters().connectionsOpened()).isZero();
    }
  }

  /** {@code packet} (no options) cut into fragments of {@code size} payload bytes (a multiple of 8) with id {@code id}. */
  static List<byte[]> fragments(byte[] packet, int id, int size) {
    Ipv4Packet ip = CraftedHost.ip(packet);
    byte[] payload = Arrays.copyOfRange(packet, ip.payloadOffset(), packet.length);
    List<byte[]> out = new java.util.ArrayList<>();
    for (int offset = 0; offset < payload.length; offset += size) {
      int end = Math.min(payload.length, offset + size);
      out.add(Ipv4Packet.builder().source(ip.sourceInt()).destination(ip.destinationInt()).protocol(ip.protocol())
          .identification(id).dontFragment(false).ttl(64).fragmentOffset(offset).moreFragments(end < payload.length)
          .payload(Arrays.copyOfRange(payload, offset, end)).build());
    }
    return out;
  }

  private static IcmpMessage icmp(Ipv4Packet ip) {
    try {
      return IcmpMessage.wrap(ip);
    } catch (io.faketcp.packet.MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }
}
