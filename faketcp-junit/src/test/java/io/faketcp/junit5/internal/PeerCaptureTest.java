package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Direction;
import io.faketcp.peer.Mode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * The capture where libpcap cannot be loaded, forced here through {@link Captures#forcePeerCapture}:
 * the same Capture API, assertions, transcript and .pcap, from what the fake peer reads and writes.
 * libpcap itself (present where these tests run) reads the .pcap files back.
 */
class PeerCaptureTest {
  private static long peerCapturesBefore;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.77.0.0/24")
      .mode(Mode.ECHO)
      .rule(io.faketcp.peer.Rule.of("10.77.0.5", "*", Mode.REJECT))
      .build();

  @TempDir
  Path dir;

  @BeforeAll
  static void forceThePeerCapture() {
    Captures.forcePeerCapture(true);
    peerCapturesBefore = Captures.peerCapturesOpened();
  }

  @AfterAll
  static void backToPcap() {
    Captures.forcePeerCapture(false);
  }

  @Test
  void capturesBothDirectionsOfAConversationForTheAssertions(NetworkInfo net, Capture capture) throws Exception {
    assertThatThrownBy(() -> new Socket(net.address(5), 80)).isInstanceOf(ConnectException.class);
    byte[] hello = "through the peer".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket(net.address(9), 7)) {
      OutputStream out = socket.getOutputStream();
      out.write(hello);
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(hello.length)).isEqualTo(hello);
    }

    assertThat(Captures.peerCapturesOpened()).as("the network's capture is the peer's").isGreaterThan(peerCapturesBefore);
    assertThat(capture)
        .isComplete()
        .hasResetFrom(net.address(5))
        .hasHandshakeWith(net.socketAddress(9, 7))
        .hasBytesSentTo(net.socketAddress(9, 7), hello.length)
        .hasBytesReceivedFrom(net.socketAddress(9, 7), hello.length)
        .containsInOrder(PacketPattern.syn().to(net.address(5), 80), PacketPattern.rst().from(net.address(5), 80),
            PacketPattern.syn().to(net.address(9), 7));
    List<CapturedPacket> packets = capture.packets().list();
    assertThat(packets.get(0).direction()).isEqualTo(Direction.TO_PEER);
    assertThat(packets.get(1).direction()).isEqualTo(Direction.FROM_PEER);
    assertThat(capture.packets().transcript()).contains("Out IP 10.77.0.1.").contains("In  IP 10.77.0.5.80 > 10.77.0.1.");

    Path file = dir.resolve("peer.pcap");
    capture.writePcap(file);
    // The closing FINs may still be arriving: what was written starts with what was asserted on.
    assertThat(readWithLibpcap(file)).startsWith(packets.stream().map(CapturedPacket::bytes).toArray(byte[][]::new));
  }

  @Test
  void eachTestStartsWithAnEmptyCapture(NetworkInfo net, Capture capture) throws Exception {
    assertThat(net.address(21).isReachable(2000)).isTrue();
    assertThat(capture).hasEchoRequestsTo(net.address(21), 1).hasEchoReplies(1).hasNoPacketTo(net.address(5));
  }

  @Test
  void writesPcapFilesLibpcapReadsWithNanosecondTimestamps() throws Exception {
    byte[] first = {0x45, 0, 0, 20, 0, 1, 0, 0, 64, 6, 0, 0, 10, 77, 0, 1, 10, 77, 0, 5};
    byte[] second = {0x45, 0, 0, 20, 0, 2, 0, 0, 64, 6, 0, 0, 10, 77, 0, 5, 10, 77, 0, 1};
    List<CaptureRecord> records = List.of(new CaptureRecord(first, 1_700_000_000_123_456_789L, true),
        new CaptureRecord(second, 1_700_000_001_000_000_001L, false));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PcapFile.write(out, records, Settings.DEFAULT_CAPTURE_SNAP_LENGTH);
    Path file = Files.write(dir.resolve("two.pcap"), out.toByteArray());

    assertThat(out.toByteArray()).hasSize(24 + 2 * (16 + 20));
    PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    try {
      assertThat(handle.getDlt()).isEqualTo(DataLinkType.RAW);
      assertThat(handle.getNextRawPacket()).isEqualTo(first);
      assertThat(handle.getTimestamp().getTime() / 1000).isEqualTo(1_700_000_000L);
      assertThat(handle.getTimestamp().getNanos()).isEqualTo(123_456_789);
      assertThat(handle.getNextRawPacket()).isEqualTo(second);
      assertThat(handle.getTimestamp().getNanos()).isEqualTo(1);
    } finally {
      handle.close();
    }
  }

  @Test
  void countsWhatItDoesNotKeepAndRefusesAFilter() {
    PeerCapture capture = new PeerCapture("tun9");
    capture.start(io.faketcp.tun.Subnet.parse("10.77.0.0/24"), "", 1);
    ByteBuffer packet = ByteBuffer.wrap(new byte[] {0x45, 0, 0, 20});
    capture.packet(Direction.TO_PEER, packet);
    capture.packet(Direction.FROM_PEER, packet);
    capture.stop();
    capture.packet(Direction.TO_PEER, packet);

    assertThat(capture.total()).isEqualTo(2);
    assertThat(capture.records()).hasSize(1);
    assertThat(capture.overLimit()).isEqualTo(1);
    assertThat(capture.dropReport()).contains("libpcap unavailable");
    assertThatThrownBy(() -> new PeerCapture("tun9").start(io.faketcp.tun.Subnet.parse("10.77.0.0/24"), "tcp", 10))
        .hasMessageContaining("a capture filter needs libpcap");
  }

  private static List<byte[]> readWithLibpcap(Path file) throws Exception {
    List<byte[]> packets = new ArrayList<>();
    PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    try {
      byte[] packet;
      while ((packet = handle.getNextRawPacket()) != null) {
        packets.add(packet);
      }
    } finally {
      handle.close();
    }
    return packets;
  }
}
