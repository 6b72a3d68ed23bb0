package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 1122 §3.3.2 through the tun: the host's fragmented datagrams are reassembled before TCP and
 * ICMP see them; overlapping fragments are dropped with their datagram ({@link CraftedHost}).
 * {@link Ipv6FragmentConformanceTest} runs the same over IPv6 by overriding the family's parts.
 */
@ExtendWith(RequiresTun.class)
class FragmentConformanceTest {

  CraftedHost host(Rules rules, int port) {
    return new CraftedHost(rules, port);
  }

  /** The size of the fragments a SYN is cut into: IPv4 lets the first one end inside the TCP header. */
  int synFragmentSize() {
    return 16;
  }

  /** The largest fragment that fits the device's MTU. */
  int largestFragment() {
    return 1480;
  }

  @Test
  void aSynInTwoFragmentsIsAnsweredWithASynAck() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44001)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      List<byte[]> parts = fragments(syn, 101, synFragmentSize());
      assertThat(parts).hasSize(2);
      for (byte[] fragment : parts) {
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
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44002)) {
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
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44003)) {
      byte[] payload = CraftedHost.bytes(3000, 11);
      List<byte[]> parts = fragments(echoRequest(host, payload), 103, largestFragment());
      assertThat(parts).hasSize(3);
      for (byte[] fragment : parts) {
        host.sendPacket(fragment);
      }
      await(() -> host.fixture.peer.counters().echoReplies() == 1, "an echo reply");
      List<byte[]> replies = echoReplyPayloads(host);
      assertThat(replies).hasSize(1);
      assertThat(replies.get(0)).isEqualTo(payload);
      assertThat(host.fixture.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void overlappingFragmentsAreDroppedWithTheirDatagram() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 44004)) {
      byte[] syn = host.segment().sequenceNumber(5000).flags(TcpSegment.SYN).mss(1460).sackPermitted(true).build();
      int size = synFragmentSize();
      List<byte[]> parts = fragments(syn, 104, size);
      host.sendPacket(parts.get(0));
      // The rest of the segment again from 8 bytes earlier: it overlaps the first fragment's end.
      byte[] upper = upperLayer(syn);
      host.sendPacket(fragment(syn, 104, size - 8, false, Arrays.copyOfRange(upper, size - 8, upper.length)));
      await(() -> host.fixture.peer.counters().badPackets() == 1, "the overlapping fragment counted as bad");
      host.sendPacket(parts.get(1));
      assertThat(host.during(150)).as("no answer: the datagram was dropped").isEmpty();
      assertThat(host.fixture.peer.counters().connectionsOpened()).isZero();
    }
  }

  /** {@code packet} (no options) cut into fragments of {@code size} bytes of its payload (a multiple of 8) with id {@code id}. */
  List<byte[]> fragments(byte[] packet, long id, int size) {
    byte[] payload = upperLayer(packet);
    List<byte[]> out = new ArrayList<>();
    for (int offset = 0; offset < payload.length; offset += size) {
      int end = Math.min(payload.length, offset + size);
      out.add(fragment(packet, id, offset, end < payload.length, Arrays.copyOfRange(payload, offset, end)));
    }
    return out;
  }

  /** What follows the IP header of {@code packet}. */
  byte[] upperLayer(byte[] packet) {
    return Arrays.copyOfRange(packet, CraftedHost.ip(packet).payloadOffset(), packet.length);
  }

  /** One fragment of {@code packet} (its addresses and protocol): {@code data} at {@code offset}. */
  byte[] fragment(byte[] packet, long id, int offset, boolean more, byte[] data) {
    Ipv4Packet ip = CraftedHost.ip(packet);
    return Ipv4Packet.builder().source(ip.sourceInt()).destination(ip.destinationInt()).protocol(ip.protocol())
        .identification((int) id).dontFragment(false).ttl(64).fragmentOffset(offset).moreFragments(more)
        .payload(data).build();
  }

  /** An echo request from the host to the fake host .9 carrying {@code payload}. */
  byte[] echoRequest(CraftedHost host, byte[] payload) {
    return IcmpMessage.builder().source(CraftedHost.CLIENT).destination(host.fixture.device.subnet().address(9))
        .type(IcmpMessage.ECHO_REQUEST).code(0).identifier(0x4242).sequenceNumber(1).payload(payload).build();
  }

  /** The data of every echo reply the fake hosts sent (identifier 0x4242). */
  List<byte[]> echoReplyPayloads(CraftedHost host) {
    return host.fixture.sent.stream().map(CraftedHost::ip).filter(p -> p.protocol() == IpProtocol.ICMP)
        .map(FragmentConformanceTest::icmp).peek(m -> assertThat(m.identifier()).isEqualTo(0x4242))
        .map(m -> bytes(m.payload())).collect(Collectors.toList());
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  private static IcmpMessage icmp(Ipv4Packet ip) {
    try {
      return IcmpMessage.wrap(ip);
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }
}
