package io.faketcp.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzes the packet layer: whatever the bytes, wrapping them as IPv4, TCP and ICMP either succeeds —
 * and then every accessor, the options and the tcpdump line work — or throws
 * {@link MalformedPacketException} with a reason. Nothing else may escape. The number of tries per
 * property is {@code jqwik.tries.default} (1,000 in the normal build, 100,000 with {@code -Pfuzz-long}).
 */
class PacketFuzzTest {
  static final AtomicLong INPUTS = new AtomicLong();
  static final AtomicLong MALFORMED = new AtomicLong();
  static final AtomicLong TCP = new AtomicLong();
  static final AtomicLong ICMP = new AtomicLong();

  @Property
  void hostilePacketsOnlyEverFailAsMalformed(@ForAll("hostile") byte[] packet) {
    exercise(packet);
  }

  @Property
  void arbitraryBytesOnlyEverFailAsMalformed(@ForAll byte[] packet) {
    exercise(packet);
  }

  @Property(tries = 50)
  void sixtyFourKibibytePacketsParse(@ForAll("big") byte[] packet) {
    exercise(packet);
  }

  @Provide
  Arbitrary<byte[]> hostile() {
    return HostilePackets.arbitrary(65535);
  }

  @Provide
  Arbitrary<byte[]> big() {
    return net.jqwik.api.Arbitraries.randomValue(r -> {
      byte[] p = HostilePackets.generate(r, 65535);
      while (p.length < 60_000) {
        p = HostilePackets.generate(r, 65535);
      }
      return p;
    });
  }

  @AfterContainer
  static void report() throws Exception {
    String line = "packet fuzz: " + INPUTS.get() + " inputs, " + MALFORMED.get() + " rejected as malformed by the IP layer, "
        + TCP.get() + " valid TCP segments, " + ICMP.get() + " valid ICMP messages\n";
    System.out.print(line);
    Path file = Path.of("target/fuzz-counts.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, line, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** Wraps at every layer and touches everything; only MalformedPacketException may be thrown. */
  static void exercise(byte[] packet) {
    INPUTS.incrementAndGet();
    assertThat(Tcpdump.format(packet)).isNotNull().doesNotContain("\n");
    Ipv4Packet ip;
    try {
      ip = Ipv4Packet.wrap(ByteBuffer.wrap(packet));
    } catch (MalformedPacketException e) {
      MALFORMED.incrementAndGet();
      assertThat(e.reason()).isNotBlank();
      return;
    }
    assertThat(ip.totalLength()).isEqualTo(packet.length);
    assertThat(ip.headerLength()).isBetween(20, Math.min(60, packet.length));
    assertThat(ip.payloadOffset() + ip.payloadLength()).isEqualTo(packet.length);
    assertThat(ip.toString()).startsWith("IP ");
    try {
      TcpSegment segment = TcpSegment.wrap(ip);
      TCP.incrementAndGet();
      assertThat(segment.payloadOffset() + segment.payloadLength()).isEqualTo(packet.length);
      assertThat(segment.dataOffset()).isBetween(20, 60);
      TcpOptions options = segment.options();
      long sink = options.mss() + options.windowScale() + options.tsVal() + options.tsEcr() + options.length();
      for (int i = 0; i < options.sackBlockCount(); i++) {
        sink += options.sackLeft(i) + options.sackRight(i);
      }
      assertThat(sink).isNotNull();
      assertThat(options.toString()).doesNotContain("\n");
      assertThat(segment.toString()).startsWith("IP ");
    } catch (MalformedPacketException e) {
      assertThat(e.reason()).isNotBlank();
    }
    try {
      IcmpMessage message = IcmpMessage.wrap(ip);
      ICMP.incrementAndGet();
      assertThat(message.payloadOffset() + message.payloadLength()).isEqualTo(packet.length);
      assertThat(message.toString()).startsWith("IP ");
      if (message.isEchoRequest()) {
        ByteBuffer out = ByteBuffer.allocate(packet.length);
        IcmpMessage reply = IcmpMessage.wrap(Ipv4Packet.wrap(out.limit(message.writeEchoReply(out, 0))));
        assertThat(reply.isEchoReply()).isTrue();
        assertThat(reply.identifier()).isEqualTo(message.identifier());
      }
    } catch (MalformedPacketException e) {
      assertThat(e.reason()).isNotBlank();
    }
  }
}
