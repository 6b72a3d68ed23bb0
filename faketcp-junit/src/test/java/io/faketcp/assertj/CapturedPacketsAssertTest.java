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
}
