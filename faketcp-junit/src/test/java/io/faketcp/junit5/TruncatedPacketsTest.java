package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.Settings;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.UdpDatagram;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Packets the capture kept cut (snap length, budget): counted by their length on the wire, marked in the
 * transcript, and refused where an assertion would compare their payload; and the settings that cut them.
 */
class TruncatedPacketsTest {
  private static final InetAddress HOST = address("192.168.0.1");
  private static final InetAddress PEER = address("192.168.0.5");
  private static final InetSocketAddress SERVER = new InetSocketAddress(PEER, 80);
  private static final int SEGMENT = 60_000;

  /** A connection: handshake, three 60,000-byte segments to the server, the last two kept as headers (40 bytes, no options), FIN. */
  private static CapturedPackets connection() {
    List<CaptureRecord> records = new ArrayList<>();
    long t = 1_000_000_000L;
    records.add(whole(tcp(HOST, PEER, 40000, 80, TcpSegment.SYN, 100, 0, 0), t++, true));
    records.add(whole(tcp(PEER, HOST, 80, 40000, TcpSegment.SYN | TcpSegment.ACK, 500, 101, 0), t++, false));
    records.add(whole(tcp(HOST, PEER, 40000, 80, TcpSegment.ACK, 101, 501, 0), t++, true));
    for (int i = 0; i < 3; i++) {
      byte[] data = tcp(HOST, PEER, 40000, 80, TcpSegment.ACK | TcpSegment.PSH, 101 + i * SEGMENT, 501, SEGMENT);
      records.add(i == 0 ? whole(data, t++, true) : cut(data, 40, t++, CaptureRecord.Cut.BUDGET));
    }
    records.add(whole(tcp(PEER, HOST, 80, 40000, TcpSegment.ACK, 501, 101 + 3 * SEGMENT, 0), t++, false));
    records.add(whole(tcp(HOST, PEER, 40000, 80, TcpSegment.FIN | TcpSegment.ACK, 101 + 3 * SEGMENT, 501, 0), t, true));
    return CapturedPackets.of(records, "tun0", 0, "2 packet(s) kept cut");
  }

  @Test
  void countsHandshakesAndBytesOfCutPacketsByTheirLengthOnTheWire() {
    CapturedPackets packets = connection();
    assertThat(packets).hasHandshakeWith(SERVER).hasBytesSentTo(SERVER, 3L * SEGMENT)
        .hasCount(PacketPattern.data().to(PEER, 80), 3).containsInOrder(PacketPattern.data(), PacketPattern.fin());
    CapturedPacket cut = packets.get(4);
    assertThat(cut.isTruncated()).isTrue();
    assertThat(cut.length()).isEqualTo(SEGMENT + 40);
    assertThat(cut.capturedLength()).isEqualTo(40);
    assertThat(cut.bytes()).hasSize(40);
    assertThat(cut.tcp().orElseThrow().payloadLength()).isEqualTo(SEGMENT);
    assertThat(cut.tcp().orElseThrow().sequenceNumber()).isEqualTo(101 + SEGMENT);
    assertThat(packets.get(3).isTruncated()).isFalse();
    assertThat(packets.get(3).truncation()).isEmpty();
    assertThat(packets.conversations()).singleElement().hasToString(
        "192.168.0.1:40000 > 192.168.0.5:80: handshake, 180000 bytes >, 0 bytes <, capture cut the stream >, FIN >");
  }

  @Test
  void theTranscriptMarksEachCutPacket() {
    String transcript = connection().transcript();
    assertThat(transcript.lines().filter(l -> l.endsWith(", length 60000 [|captured 40 of 60040 bytes, capture budget]")))
        .hasSize(2);
    assertThat(transcript).contains("Flags [P.], seq 101:60101, ack 501, win 64240, length 60000\n")
        .contains("(2 packet(s) kept cut)");
  }

  @Test
  void aStreamWithACutSegmentCannotBeComparedAndSaysHowToKeepIt() {
    TcpConversation c = connection().conversationsWith(SERVER).get(0);
    assertThat(c.streamFromServer()).isEmpty();
    assertThatThrownBy(c::streamFromClient).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("The client's stream of 192.168.0.1:40000 > 192.168.0.5:80 cannot be compared: the"
            + " capture was truncated, the stream is cut at byte 60000: the capture kept only its headers, 40 of 60040"
            + " bytes")
        .hasMessageContaining("FakeNetworkExtension.newInstance().captureBudget(bytes)");
  }

  @Test
  void datagramAssertionsRefuseACutDatagram() {
    byte[] hello = UdpDatagram.builder().source(HOST).destination(PEER).sourcePort(40000).destinationPort(8125)
        .payload("hello world".getBytes(StandardCharsets.UTF_8)).build();
    byte[] other = UdpDatagram.builder().source(HOST).destination(PEER).sourcePort(40000).destinationPort(8125)
        .payload("other words".getBytes(StandardCharsets.UTF_8)).build();
    CapturedPackets packets = CapturedPackets.of(List.of(cut(hello, 33, 1, CaptureRecord.Cut.SNAP_LENGTH),
        cut(other, 33, 2, CaptureRecord.Cut.SNAP_LENGTH)), "tun0", 0, "");
    InetSocketAddress statsd = new InetSocketAddress(PEER, 8125);

    assertThatThrownBy(() -> assertThat(packets).hasDatagramTextsTo(statsd, "hello world", "other words"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Expecting the datagrams to 192.168.0.5:8125 to be [hello world, other words] but the"
            + " capture was truncated, so their data cannot be compared: the capture kept 33 of its 39 bytes (the snap"
            + " length): keep whole packets with FakeNetworkExtension.newInstance().captureSnapLength(262144)");
    assertThatThrownBy(() -> packets.datagramsTo(statsd)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the capture was truncated");
    assertThatThrownBy(() -> assertThat(packets).contains(PacketPattern.datagram("hello world")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Cannot tell whether a datagram is \"hello world\": the capture was truncated");
    assertThat(packets).as("a cut datagram whose kept bytes differ is no match")
        .hasCount(PacketPattern.datagram("bye world!!"), 0).hasDatagramsTo(statsd, 2);
  }

  @Test
  void theSnapLengthAndTheBudgetHaveDefaultsAndBadValuesAreNamed() {
    Settings defaults = FakeNetworkExtension.newInstance().build().checkedSettings();
    assertThat(defaults.captureSnapLength()).isEqualTo(262_144);
    assertThat(defaults.captureBudget()).isEqualTo(64L << 20);
    Settings given = FakeNetworkExtension.newInstance().mtu(65535).captureSnapLength(1500).captureBudget(256L << 20)
        .build().checkedSettings();
    assertThat(given.captureSnapLength()).isEqualTo(1500);
    assertThat(given.captureBudget()).isEqualTo(256L << 20);

    assertThatThrownBy(() -> FakeNetworkExtension.newInstance().captureSnapLength(64).build().checkedSettings())
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("FakeNetworkExtension.newInstance().captureSnapLength(64) is invalid: keep 128 to 262144 bytes of"
            + " each packet: at least 128 for the IP and TCP headers with their options, at most 262144 (the default,"
            + " tcpdump's), which keeps whole packets");
    assertThatThrownBy(() -> FakeNetworkExtension.newInstance().captureSnapLength(300_000).build().checkedSettings())
        .hasMessageStartingWith("FakeNetworkExtension.newInstance().captureSnapLength(300000) is invalid: keep 128 to");
    assertThatThrownBy(() -> FakeNetworkExtension.newInstance().captureBudget(65_536).build().checkedSettings())
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("FakeNetworkExtension.newInstance().captureBudget(65536) is invalid: give at least 1048576 bytes"
            + " (1 MiB), e.g. captureBudget(256L << 20) for 256 MiB; the default is 67108864 (64 MiB)");
  }

  private static CaptureRecord whole(byte[] packet, long nanos, boolean toSubnet) {
    return new CaptureRecord(packet, nanos, toSubnet);
  }

  private static CaptureRecord cut(byte[] packet, int kept, long nanos, CaptureRecord.Cut why) {
    return new CaptureRecord(Arrays.copyOf(packet, kept), nanos, true, packet.length, why);
  }

  private static byte[] tcp(InetAddress from, InetAddress to, int fromPort, int toPort, int flags, long seq, long ack,
      int payload) {
    byte[] data = new byte[payload];
    Arrays.fill(data, (byte) 'x');
    return TcpSegment.builder().source(from).destination(to).sourcePort(fromPort).destinationPort(toPort)
        .sequenceNumber(seq).acknowledgmentNumber(ack).flags(flags).window(64240).noTimestamps().payload(data).build();
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
