package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * What a capture keeps of each packet: whole by default, cut to the snap length, headers only past
 * three quarters of the budget, nothing past the budget; and the .pcap records of what it cut.
 */
class CaptureBudgetTest {
  /** A Linux client's SYN, options mss, sackOK, TS, nop, wscale: 20 + 40 bytes, all headers (tcpdump 4.99.3). */
  private static final String SYN = "4500003cb90940004006005cc0a80001c0a80005"
      + "a11210929f292b5b00000000a002faf0cce50000020405b40402080a9fbee2e7000000000103030a";
  /** "hello" with PSH+ACK and TS: 20 + 32 bytes of headers, 5 of data. */
  private static final String DATA = "45000039b90b40004006005dc0a80001c0a80005"
      + "a11210929f292b5cf745ee118018003f224500000101080a9fbee3af1a468fcc68656c6c6f";
  /** UDP "hello world": 20 + 8 bytes of headers, 11 of data. */
  private static final String UDP = "45000027cbae40004011edc0c0a80001c0a80005"
      + "9c40109300133fcf68656c6c6f20776f726c64";

  @TempDir
  Path dir;

  @Test
  void theHeadersOfKnownGoodPacketsAreTheirIpAndTransportHeaders() throws Exception {
    assertThat(PacketHeaders.length(buffer(SYN))).isEqualTo(60);
    assertThat(PacketHeaders.length(buffer(DATA))).isEqualTo(52);
    assertThat(PacketHeaders.length(buffer(UDP))).isEqualTo(28);
    byte[] tcp6 = tcp(InetAddress.getByName("fd00:fa:ce::1"), InetAddress.getByName("fd00:fa:ce::5"), 1000);
    int dataOffset = TcpSegment.wrap(io.faketcp.packet.Ipv6Packet.wrap(tcp6)).dataOffset();
    assertThat(PacketHeaders.length(ByteBuffer.wrap(tcp6))).isEqualTo(40 + dataOffset);
    assertThat(PacketHeaders.length(ByteBuffer.wrap(new byte[] {0x45, 0}))).as("too short: kept as it is").isEqualTo(2);
  }

  @Test
  void byDefaultEveryPacketIsKeptWhole() throws Exception {
    KeptPackets kept = new KeptPackets(() -> true);
    kept.limit(Settings.DEFAULT_CAPTURE_LIMIT);
    byte[] packet = tcp(1460);
    for (int i = 0; i < 20_000; i++) { // 29 MB of 1,500-byte packets: an ordinary test's worth and more
      kept.add(packet, i, true);
    }
    assertThat(kept.records()).hasSize(20_000).allSatisfy(r -> {
      assertThat(r.truncated()).isFalse();
      assertThat(r.bytes()).isSameAs(packet);
    });
    assertThat(kept.truncated()).isZero();
    assertThat(kept.overBudget()).isZero();
    assertThat(kept.keptBytes()).isEqualTo(20_000L * (packet.length + CaptureLimits.PACKET_OVERHEAD));
  }

  @Test
  void theSnapLengthCutsEveryPacketLongerThanIt() throws Exception {
    KeptPackets kept = new KeptPackets(() -> true);
    kept.limits(new CaptureLimits(10, 128, Settings.DEFAULT_CAPTURE_BUDGET));
    byte[] big = tcp(1460);
    kept.add(big, 1, true);
    kept.add(hex(DATA), 2, false);

    CaptureRecord cut = kept.records().get(0);
    assertThat(cut.bytes()).hasSize(128).isEqualTo(java.util.Arrays.copyOf(big, 128));
    assertThat(cut.originalLength()).isEqualTo(big.length);
    assertThat(cut.cut()).isEqualTo(CaptureRecord.Cut.SNAP_LENGTH);
    assertThat(kept.records().get(1).truncated()).isFalse();
    assertThat(kept.truncated()).isEqualTo(1);
  }

  @Test
  void pastThreeQuartersOfTheBudgetOnlyHeadersAreKeptAndPastTheBudgetNothing() throws Exception {
    KeptPackets kept = new KeptPackets(() -> true);
    long budget = Settings.MIN_CAPTURE_BUDGET;
    kept.limits(new CaptureLimits(1_000_000, Settings.DEFAULT_CAPTURE_SNAP_LENGTH, budget));
    byte[] big = tcp(65_535 - 52); // one 65,535-byte segment
    byte[] ack = tcp(0);
    assertThat(big).hasSize(65_535);
    int headers = PacketHeaders.length(ByteBuffer.wrap(big));
    for (int i = 0; i < 10_000; i++) {
      kept.add(i % 2 == 0 ? big : ack, i, i % 2 == 0);
    }
    List<CaptureRecord> records = kept.records();
    long whole = records.stream().filter(r -> r.originalLength() == big.length && !r.truncated()).count();
    long cut = records.stream().filter(CaptureRecord::truncated).count();
    assertThat(whole * (big.length + CaptureLimits.PACKET_OVERHEAD)).as("whole ones fill three quarters")
        .isLessThanOrEqualTo(budget - budget / 4).isGreaterThan(budget - budget / 4 - big.length - 200);
    assertThat(records).filteredOn(CaptureRecord::truncated).allSatisfy(r -> {
      assertThat(r.bytes()).hasSize(headers);
      assertThat(r.originalLength()).isEqualTo(65_535);
      assertThat(r.cut()).isEqualTo(CaptureRecord.Cut.BUDGET);
    });
    assertThat(records).filteredOn(r -> r.originalLength() == ack.length).as("an ACK is all headers: kept whole")
        .allSatisfy(r -> assertThat(r.truncated()).isFalse());
    assertThat(cut).isEqualTo(kept.truncated()).isGreaterThan(1000);
    assertThat(kept.overBudget()).isEqualTo(10_000 - records.size()).isPositive();
    assertThat(kept.keptBytes()).isLessThanOrEqualTo(budget).isGreaterThan(budget - 200);

    kept.clear();
    assertThat(kept.keptBytes()).isZero();
    kept.add(big, 1, true);
    assertThat(kept.records()).singleElement().satisfies(r -> assertThat(r.truncated()).isFalse());
  }

  @Test
  void aCutPacketsPcapRecordGivesTheBytesKeptAndTheLengthOnTheWire() throws Exception {
    byte[] packet = hex(DATA);
    CaptureRecord cut = new CaptureRecord(java.util.Arrays.copyOf(packet, 52), 1_700_000_000_123_456_789L, true,
        packet.length, CaptureRecord.Cut.BUDGET);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PcapFile.write(out, List.of(cut, new CaptureRecord(packet, 1_700_000_001_000_000_001L, false)), 128);

    String expected = "4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "80000000" + "65000000" // snaplen 128, RAW
        + "00f15365" + "15cd5b07" + "34000000" + "39000000" + DATA.substring(0, 104) // caplen 52, len 57
        + "01f15365" + "01000000" + "39000000" + "39000000" + DATA;
    assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo(expected);

    Path file = Files.write(dir.resolve("cut.pcap"), out.toByteArray());
    PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    try {
      assertThat(handle.getSnapshot()).isEqualTo(128);
      assertThat(handle.getNextRawPacket()).hasSize(52);
      assertThat(handle.getOriginalLength()).isEqualTo(57);
      assertThat(handle.getNextRawPacket()).isEqualTo(packet);
      assertThat(handle.getOriginalLength()).isEqualTo(57);
    } finally {
      handle.close();
    }
  }

  @Test
  void aCutPacketsLineReadsAsOnTheWireAndSaysWhatWasKept() throws Exception {
    byte[] packet = tcp(1000);
    CaptureRecord cut = new CaptureRecord(java.util.Arrays.copyOf(packet, 52), 0, true, packet.length,
        CaptureRecord.Cut.BUDGET);
    assertThat(Transcript.packetLine(cut)).startsWith("IP 192.168.0.1.40000 > 192.168.0.5.80: Flags [P.], seq 1:1001,")
        .endsWith("length 1000 [|captured 52 of 1052 bytes, capture budget]");
    byte[] udp = hex(UDP);
    CaptureRecord snapped = new CaptureRecord(java.util.Arrays.copyOf(udp, 30), 0, true, udp.length,
        CaptureRecord.Cut.SNAP_LENGTH);
    assertThat(Transcript.packetLine(snapped)).isEqualTo(
        "IP 192.168.0.1.40000 > 192.168.0.5.4243: UDP, length 11 [|captured 30 of 39 bytes, snap length]");
    assertThat(Truncation.advice(snapped)).contains("captureSnapLength(262144)");
    assertThat(Truncation.advice(cut)).contains("captureBudget(bytes)", "capture.clear()");
  }

  private static byte[] tcp(int payload) throws Exception {
    return tcp(InetAddress.getByName("192.168.0.1"), InetAddress.getByName("192.168.0.5"), payload);
  }

  private static byte[] tcp(InetAddress from, InetAddress to, int payload) {
    return TcpSegment.builder().source(from).destination(to).sourcePort(40000).destinationPort(80)
        .sequenceNumber(1).acknowledgmentNumber(1).flags(TcpSegment.ACK | (payload > 0 ? TcpSegment.PSH : 0))
        .timestamps(1, 2).payload(new byte[payload]).build();
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  private static ByteBuffer buffer(String hex) {
    return ByteBuffer.wrap(hex(hex));
  }
}
