package io.faketcp.junit5;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The connections rebuilt from captured packets, without a tun. */
class TcpConversationTest {

  @Test
  void aWholeConversationHasItsHandshakeBytesStreamsAndCloses() {
    List<TcpConversation> connections = new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "")
        .out(40000, 5, 80, PSH | ACK, 101, 701, "hello")
        .in(40000, 5, 80, PSH | ACK, 701, 106, "world!")
        .out(40000, 5, 80, FIN | ACK, 106, 707, "")
        .in(40000, 5, 80, FIN | ACK, 707, 107, "")
        .out(40000, 5, 80, ACK, 107, 708, "")
        .packets().conversations();

    assertThat(connections).hasSize(1);
    TcpConversation c = connections.get(0);
    assertThat(c.client()).isEqualTo(new java.net.InetSocketAddress(Traffic.HOST, 40000));
    assertThat(c.server()).isEqualTo(Traffic.peer(5, 80));
    assertThat(c.handshakeCompleted()).isTrue();
    assertThat(c.bytesFromClient()).isEqualTo(5);
    assertThat(c.bytesFromServer()).isEqualTo(6);
    assertThat(text(c.streamFromClient())).isEqualTo("hello");
    assertThat(text(c.streamFromServer())).isEqualTo("world!");
    assertThat(c.finFromClient()).isTrue();
    assertThat(c.finFromServer()).isTrue();
    assertThat(c.resetFromServer()).isFalse();
    assertThat(c.retransmissions()).isZero();
    assertThat(c.packets()).hasSize(8);
    assertThat(c).hasToString("192.168.0.1:40000 > 192.168.0.5:80: handshake, 5 bytes >, 6 bytes <, FIN >, FIN <");
  }

  @Test
  void sequenceNumbersWrappingPast2To32KeepTheStreamInOrder() {
    long isn = 0xFFFF_FFFAL; // the 6th data byte has sequence number 0
    TcpConversation c = new Traffic()
        .out(40000, 5, 80, SYN, isn, 0, "")
        .in(40000, 5, 80, SYN | ACK, 9, isn + 1, "")
        .out(40000, 5, 80, ACK, isn + 1, 10, "")
        .out(40000, 5, 80, ACK, isn + 1, 10, "abcd")
        .out(40000, 5, 80, ACK, 0xFFFF_FFFFL, 10, "efgh")  // wraps inside this segment
        .out(40000, 5, 80, ACK, 3, 10, "ijk")
        .packets().conversations().get(0);

    assertThat(c.handshakeCompleted()).isTrue();
    assertThat(text(c.streamFromClient())).isEqualTo("abcdefghijk");
    assertThat(c.bytesFromClient()).isEqualTo(11);
    assertThat(c.retransmissions()).isZero();
  }

  @Test
  void aRetransmittedSynIsOneConnectionAndCounted() {
    List<TcpConversation> connections = new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "")
        .packets().conversations();

    assertThat(connections).hasSize(1);
    assertThat(connections.get(0).synRetransmissions()).isEqualTo(1);
    assertThat(connections.get(0).handshakeCompleted()).isTrue();
    assertThat(connections.get(0).toString()).contains("handshake (SYN sent 2 times)");
  }

  @Test
  void aNewSynWithANewSequenceNumberOnTheSameFourTupleIsANewConnection() {
    List<TcpConversation> connections = new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, RST | ACK, 0, 101, "")
        .out(40000, 5, 80, SYN, 5000, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 5001, "")
        .out(40000, 5, 80, ACK, 5001, 701, "")
        .packets().conversations();

    assertThat(connections).hasSize(2);
    assertThat(connections.get(0).resetFromServer()).isTrue();
    assertThat(connections.get(0).handshakeCompleted()).isFalse();
    assertThat(connections.get(0).toString()).contains("SYN unanswered", "RST <");
    assertThat(connections.get(1).handshakeCompleted()).isTrue();
  }

  @Test
  void retransmittedDataIsCountedOnceAndAsARetransmission() {
    TcpConversation c = handshake()
        .out(40000, 5, 80, ACK, 101, 701, "abc")
        .out(40000, 5, 80, ACK, 101, 701, "abc")     // whole retransmission
        .out(40000, 5, 80, ACK, 102, 701, "bcde") // partly new
        .packets().conversations().get(0);

    assertThat(c.bytesFromClient()).isEqualTo(5);
    assertThat(c.retransmissions()).isEqualTo(2);
    assertThat(text(c.streamFromClient())).isEqualTo("abcde");
  }

  @Test
  void outOfOrderSegmentsArePutInPlaceAndAGapEndsTheStream() {
    TcpConversation c = handshake()
        .out(40000, 5, 80, ACK, 104, 701, "def")
        .out(40000, 5, 80, ACK, 101, 701, "abc")
        .out(40000, 5, 80, ACK, 110, 701, "xyz") // after a gap of 3 bytes
        .packets().conversations().get(0);

    assertThat(text(c.streamFromClient())).isEqualTo("abcdef");
    assertThat(c.bytesFromClient()).isEqualTo(9);
    assertThat(c.retransmissions()).isZero();
  }

  @Test
  void aSimultaneousCloseHasBothFins() {
    TcpConversation c = handshake()
        .out(40000, 5, 80, FIN | ACK, 101, 701, "")
        .in(40000, 5, 80, FIN | ACK, 701, 101, "")
        .out(40000, 5, 80, ACK, 102, 702, "")
        .in(40000, 5, 80, ACK, 702, 102, "")
        .packets().conversations().get(0);

    assertThat(c.finFromClient()).isTrue();
    assertThat(c.finFromServer()).isTrue();
    assertThat(c.resetFromClient()).isFalse();
  }

  @Test
  void aCaptureThatBeganMidConnectionTakesTheFirstSenderAsClient() {
    TcpConversation c = new Traffic()
        .in(40000, 5, 80, ACK, 5000, 900, "late")
        .out(40000, 5, 80, ACK, 900, 5004, "")
        .packets().conversations().get(0);

    assertThat(c.synSeen()).isFalse();
    assertThat(c.client()).isEqualTo(Traffic.peer(5, 80));
    assertThat(text(c.streamFromClient())).isEqualTo("late");
    assertThat(c.toString()).startsWith("192.168.0.5:80 > 192.168.0.1:40000: SYN not captured");
  }

  @Test
  void connectionsWithSelectsByEitherEnd() {
    CapturedPackets packets = new Traffic()
        .out(40000, 5, 80, SYN, 1, 0, "")
        .out(40001, 6, 80, SYN, 1, 0, "")
        .in(9000, 7, 1024, SYN, 1, 0, "")   // connect-many: a fake client connecting to the host
        .ping(5, false)
        .packets();

    assertThat(packets.conversations()).hasSize(3);
    assertThat(packets.conversationsWith(Traffic.peer(6, 80))).singleElement()
        .satisfies(c -> assertThat(c.client().getPort()).isEqualTo(40001));
    assertThat(packets.conversationsWith(new java.net.InetSocketAddress(Traffic.HOST, 9000))).singleElement()
        .satisfies(c -> assertThat(c.client()).isEqualTo(Traffic.peer(7, 1024)));
  }

  private static Traffic handshake() {
    return new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "");
  }

  @Test
  void aGapInTheStreamOfAnIncompleteCaptureIsNotPassedOffAsTheWholeStream() {
    Traffic traffic = new Traffic()
        .out(40000, 5, 80, SYN, 100, 0, "")
        .in(40000, 5, 80, SYN | ACK, 700, 101, "")
        .out(40000, 5, 80, ACK, 101, 701, "")
        .out(40000, 5, 80, ACK, 101, 701, "hello ")
        .out(40000, 5, 80, ACK, 113, 701, "again")     // "world " (107-112) was lost
        .in(40000, 5, 80, ACK, 701, 118, "ok");
    String note = "2 packet(s) crossed tun0 but were not captured within 2 s (pcap received 9, dropped 2)";
    CapturedPackets lossy = CapturedPackets.of(traffic.packets().stream().map(CapturedPacket::record)
        .collect(Collectors.toList()), "tun0", 2, note);
    TcpConversation c = lossy.conversations().get(0);

    assertThatThrownBy(c::streamFromClient).isInstanceOf(IllegalStateException.class).hasMessage(
        "The client's stream of 192.168.0.1:40000 > 192.168.0.5:80 cannot be compared: it has a gap at byte 6"
            + " (bytes 6-11 are missing), and the capture is incomplete: " + note);
    assertThat(text(c.streamFromServer())).as("a stream without a gap").isEqualTo("ok");
    // A complete capture has no losses: a gap there is what was sent (e.g. the capture began late).
    assertThat(text(traffic.packets().conversations().get(0).streamFromClient())).isEqualTo("hello ");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
