package io.faketcp.assertj;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.Traffic;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every assertion passes on the right packets and fails with a message naming what was expected, without a tun. */
class CapturedPacketsAssertTest {
  private static final InetSocketAddress WEB = Traffic.peer(5, 80);
  private static final InetSocketAddress DB = Traffic.peer(6, 5432);

  /** .5:80 accepts and answers, .6:5432 refuses, .7 gets a ping and answers it. */
  private static CapturedPackets traffic() {
    return new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "")
        .out(40000, 5, 80, PSH | ACK, 101, 701, "GET /")
        .out(40000, 5, 80, PSH | ACK, 101, 701, "GET /")    // retransmitted
        .in(40000, 5, 80, PSH | ACK, 701, 106, "200 OK")
        .out(40001, 6, 5432, SYN, 900, 0, "")
        .in(40001, 6, 5432, RST | ACK, 0, 901, "")
        .ping(7, false)
        .ping(7, true)
        .packets();
  }

  @Test
  void passesOnWhatHappened() {
    assertThat(traffic())
        .hasSize(10)
        .isComplete()
        .hasHandshakeWith(WEB)
        .hasHandshakesWith(WEB, 1)
        .hasHandshakesWith(DB, 0)
        .hasBytesSentTo(WEB, 5)
        .hasBytesReceivedFrom(WEB, 6)
        .hasResetFrom(DB.getAddress())
        .hasResetTo(Traffic.HOST)
        .hasEchoRequests(1)
        .hasEchoRequestsTo(Traffic.peer(7), 1)
        .hasEchoReplies(1)
        .hasNoPacketTo(Traffic.peer(8))
        .contains(PacketPattern.synAck().from(WEB.getAddress(), 80))
        .hasCount(PacketPattern.syn(), 2)
        .containsInOrder(PacketPattern.syn().to(WEB.getAddress(), 80), PacketPattern.rst().from(DB.getAddress()),
            PacketPattern.echoReply());
    assertThat(new Traffic().packets()).isEmpty();
  }

  @Test
  void aMissingHandshakeListsTheConnectionsAndEveryPacket() {
    assertThatThrownBy(() -> assertThat(traffic()).hasHandshakeWith(DB))
        .hasMessageStartingWith("Expecting a completed TCP handshake (SYN, SYN+ACK, ACK) with 192.168.0.6:5432 but"
            + " there was none\nTCP connections (2):\n"
            + "  192.168.0.1:40000 > 192.168.0.5:80: handshake, 5 bytes >, 6 bytes <, 1 retransmission(s)\n"
            + "  192.168.0.1:40001 > 192.168.0.6:5432: SYN unanswered, 0 bytes >, 0 bytes <, RST <\n"
            + "Captured packets on tun0 (10):\n"
            + "  0.000000 tun0 Out IP 192.168.0.1.40000 > 192.168.0.5.80: Flags [S], seq 100, win 64240, length 0\n")
        .hasMessageContaining("  0.009000 tun0 In  IP 192.168.0.7 > 192.168.0.1: ICMP echo reply");
    assertThatThrownBy(() -> assertThat(traffic()).hasHandshakesWith(WEB, 2))
        .hasMessageStartingWith("Expecting 2 completed TCP handshake(s) with 192.168.0.5:80 but there were 1\n"
            + "TCP connections (2):");
  }

  @Test
  void wrongByteCountsNameTheEndpointAndTheCount() {
    assertThatThrownBy(() -> assertThat(traffic()).hasBytesSentTo(WEB, 10))
        .hasMessageStartingWith("Expecting 10 byte(s) of TCP data sent to 192.168.0.5:80 but there were 5\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasBytesReceivedFrom(WEB, 0))
        .hasMessageStartingWith("Expecting 0 byte(s) of TCP data received from 192.168.0.5:80 but there were 6\n");
  }

  @Test
  void anAnsweredSynIsNotASynWithoutAnswer() {
    assertThatThrownBy(() -> assertThat(traffic()).hasSynWithoutAnswer(DB))
        .hasMessageStartingWith("Expecting an unanswered SYN to 192.168.0.6:5432 but every SYN to it was answered\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasSynWithoutAnswer(Traffic.peer(9, 22)))
        .hasMessageStartingWith("Expecting an unanswered SYN to 192.168.0.9:22 but no SYN went there\n");
    assertThat(new Traffic().out(40000, 9, 22, SYN, 1, 0, "").out(40000, 9, 22, SYN, 1, 0, "").packets())
        .hasSynWithoutAnswer(Traffic.peer(9, 22));
  }

  @Test
  void packetCountsAndPatternsNameWhatWasExpected() {
    assertThatThrownBy(() -> assertThat(traffic()).hasSize(3))
        .hasMessageStartingWith("Expecting 3 captured packet(s) but there were 10\nCaptured packets on tun0 (10):");
    assertThatThrownBy(() -> assertThat(traffic()).isEmpty())
        .hasMessageStartingWith("Expecting 0 captured packet(s) but there were 10\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasResetFrom(WEB.getAddress()))
        .hasMessageStartingWith("Expecting a packet matching RST from 192.168.0.5 but there was none\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasResetTo(WEB.getAddress()))
        .hasMessageStartingWith("Expecting a packet matching RST to 192.168.0.5 but there was none\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasEchoRequests(2))
        .hasMessageStartingWith("Expecting 2 packet(s) matching ICMP echo request but there were 1\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasEchoRequestsTo(Traffic.peer(5), 1))
        .hasMessageStartingWith("Expecting 1 packet(s) matching ICMP echo request to 192.168.0.5 but there were 0\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasEchoReplies(0))
        .hasMessageStartingWith("Expecting 0 packet(s) matching ICMP echo reply but there were 1\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasNoPacketTo(Traffic.peer(6)))
        .hasMessageStartingWith("Expecting no packet to 192.168.0.6 but there were 1, the first: Out IP 192.168.0.1.40001"
            + " > 192.168.0.6.5432: Flags [S]");
    assertThatThrownBy(() -> assertThat(traffic()).contains(p -> false))
        .hasMessageStartingWith("Expecting a packet matching predicate #1 but there was none\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasCount(PacketPattern.data().from(WEB.getAddress()), 2))
        .hasMessageStartingWith("Expecting 2 packet(s) matching TCP data from 192.168.0.5 but there were 1\n");
  }

  @Test
  void containsInOrderShowsWhichPatternsMatchedAndWhichIsMissing() {
    assertThatThrownBy(() -> assertThat(traffic()).containsInOrder(
        PacketPattern.syn().to(DB.getAddress(), 5432),
        PacketPattern.synAck().from(WEB.getAddress(), 80),
        PacketPattern.echoRequest()))
        .hasMessageStartingWith("Expecting packets in this order:\n"
            + "  matched  SYN to 192.168.0.6:5432\n"
            + "  MISSING  SYN+ACK from 192.168.0.5:80\n"
            + "  not seen ICMP echo request\n"
            + "but nothing matched SYN+ACK from 192.168.0.5:80 after the packet matching SYN to 192.168.0.6:5432\n"
            + "Captured packets on tun0 (10):\n");
  }

  /** .5:80 takes "hello", acknowledges it, gets "world" and resets without acknowledging that. */
  private static CapturedPackets resetAfterHello() {
    return new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "")
        .out(40000, 5, 80, PSH | ACK, 101, 701, "hello")
        .in(40000, 5, 80, ACK, 701, 106, "")
        .out(40000, 5, 80, PSH | ACK, 106, 701, "world")
        .in(40000, 5, 80, RST | ACK, 701, 106, "")
        .packets();
  }

  @Test
  void retransmissionsAreCountedPerDirection() {
    assertThat(traffic()).hasRetransmissionsTo(WEB);
    assertThat(new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .in(40000, 5, 80, PSH | ACK, 701, 101, "hi")
        .in(40000, 5, 80, PSH | ACK, 701, 101, "hi")
        .packets())
        .hasRetransmissionsFrom(WEB);
    assertThatThrownBy(() -> assertThat(traffic()).hasRetransmissionsFrom(WEB))
        .hasMessageStartingWith("Expecting a retransmitted TCP data segment from 192.168.0.5:80 but there was none\n"
            + "TCP connections (2):\n"
            + "  192.168.0.1:40000 > 192.168.0.5:80: handshake, 5 bytes >, 6 bytes <, 1 retransmission(s)\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasRetransmissionsTo(DB))
        .hasMessageStartingWith("Expecting a retransmitted TCP data segment to 192.168.0.6:5432 but there was none\n"
            + "TCP connections (2):\n");
  }

  @Test
  void timeBetweenTwoPacketsMustLieWithinTheBounds() {
    PacketPattern request = PacketPattern.data().to(WEB.getAddress(), 80);
    PacketPattern response = PacketPattern.data().from(WEB.getAddress(), 80);
    assertThat(traffic())
        .hasTimeBetween(request, response, Duration.ofMillis(2), Duration.ofMillis(2))
        .hasTimeBetween(PacketPattern.syn(), PacketPattern.synAck(), Duration.ZERO, Duration.ofMillis(1));
    assertThatThrownBy(() -> assertThat(traffic()).hasTimeBetween(request, response, Duration.ofMillis(200),
        Duration.ofSeconds(2)))
        .hasMessageStartingWith("Expecting 200 ms to 2.0 s from the first packet matching TCP data to 192.168.0.5:80"
            + " to the next matching TCP data from 192.168.0.5:80 but it was 2 ms:\n"
            + "  Out IP 192.168.0.1.40000 > 192.168.0.5.80: Flags [P.]")
        .hasMessageContaining("\n  In  IP 192.168.0.5.80 > 192.168.0.1.40000: Flags [P.]")
        .hasMessageContaining("\nCaptured packets on tun0 (10):\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasTimeBetween(response, request, Duration.ZERO,
        Duration.ofSeconds(1)))
        .hasMessageStartingWith("Expecting 0 ms to 1.0 s from the first packet matching TCP data from 192.168.0.5:80"
            + " to the next matching TCP data to 192.168.0.5:80 but nothing matched TCP data to 192.168.0.5:80 after"
            + " In  IP 192.168.0.5.80 > 192.168.0.1.40000: Flags [P.]");
    assertThatThrownBy(() -> assertThat(traffic()).hasTimeBetween(p -> false, response, Duration.ZERO,
        Duration.ofSeconds(1)))
        .hasMessageStartingWith("Expecting 0 ms to 1.0 s from the first packet matching predicate #1 to the next"
            + " matching TCP data from 192.168.0.5:80 but nothing matched predicate #1\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasTimeBetween(request, response, Duration.ofSeconds(1),
        Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hasTimeBetween needs 0 <= atLeast <= atMost but atLeast was PT1S and atMost PT0.001S:"
            + " pass the shorter bound first");
  }

  @Test
  void aResetCountsTheBytesTheFakeHostHadAcknowledged() {
    assertThat(resetAfterHello()).hasResetAfterBytes(WEB, 5).hasBytesSentTo(WEB, 10);
    assertThat(traffic()).hasResetAfterBytes(DB, 0);
    assertThatThrownBy(() -> assertThat(resetAfterHello()).hasResetAfterBytes(WEB, 10))
        .hasMessageStartingWith("Expecting a RST from 192.168.0.5:80 after it acknowledged 10 byte(s) from the host"
            + " but its RST(s) came after 5 byte(s)\n"
            + "TCP connections (1):\n"
            + "  192.168.0.1:40000 > 192.168.0.5:80: handshake, 10 bytes >, 0 bytes <, RST <\n"
            + "Captured packets on tun0 (7):\n");
    assertThatThrownBy(() -> assertThat(traffic()).hasResetAfterBytes(WEB, 5))
        .hasMessageStartingWith("Expecting a RST from 192.168.0.5:80 after it acknowledged 5 byte(s) from the host"
            + " but it reset no connection\nTCP connections (2):\n");
    assertThatThrownBy(() -> assertThat(new Traffic()
        .out(40000, 5, 80, PSH | ACK, 101, 701, "hello")
        .in(40000, 5, 80, RST | ACK, 701, 106, "")
        .packets()).hasResetAfterBytes(WEB, 5))
        .hasMessageStartingWith("Expecting a RST from 192.168.0.5:80 after it acknowledged 5 byte(s) from the host"
            + " but its RST(s) came after an unknown count (SYN not captured)\n");
  }

  @Test
  void knowsDatagramsTheirEndpointsAndData() {
    InetSocketAddress statsd = Traffic.peer(5, 8125);
    CapturedPackets packets = new Traffic()
        .datagram(40000, 5, 8125, "a:1|c")
        .datagram(40000, 5, 8125, "b:2|g")
        .datagram(40000, 6, 514, "<14>hi")
        .portUnreachable(6, io.faketcp.packet.UdpDatagram.builder().source(Traffic.HOST).destination(Traffic.peer(6))
            .sourcePort(40000).destinationPort(514).build())
        .packets();

    assertThat(packets)
        .hasDatagramsTo(statsd, 2)
        .hasDatagramTextsTo(statsd, "a:1|c", "b:2|g")
        .hasCount(PacketPattern.udp().from(Traffic.HOST, 40000), 3)
        .contains(PacketPattern.datagram("<14>hi").to(Traffic.peer(6), 514))
        .containsInOrder(PacketPattern.udp().to(Traffic.peer(6)), PacketPattern.portUnreachable().from(Traffic.peer(6)));
    org.assertj.core.api.Assertions.assertThat(packets.get(0).udp()).hasValueSatisfying(u -> org.assertj.core.api.Assertions
        .assertThat(u.sourcePort()).isEqualTo(40000));
    org.assertj.core.api.Assertions.assertThat(packets.get(3).udp()).isEmpty();
    assertThatThrownBy(() -> assertThat(packets).hasDatagramTextsTo(statsd, "a:1|c"))
        .hasMessageStartingWith("Expecting the datagrams to 192.168.0.5:8125 to be [a:1|c] but they were [a:1|c, b:2|g]");
    assertThatThrownBy(() -> assertThat(packets).hasDatagramsTo(statsd, 3))
        .hasMessageContaining("Expecting 3 packet(s) matching UDP datagram to 192.168.0.5:8125 but there were 2");
  }
}
