package io.faketcp.samples;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.packet.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small helpers the sample tests share. */
final class Captures {
  private Captures() {}

  /**
   * The first captured packet matching {@code pattern}, waiting up to {@code within} for it: for what
   * the host sends a little after the code under test returns (say, a FIN from a close done on
   * another thread).
   *
   * @throws AssertionError with the transcript when no such packet arrived in time
   */
  static CapturedPacket awaitPacket(Capture capture, PacketPattern pattern, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      for (CapturedPacket p : capture.packets()) {
        if (pattern.test(p)) {
          return p;
        }
      }
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("no packet matching " + pattern + " within " + within.toMillis() + " ms; captured:\n"
            + capture.packets().transcript());
      }
      Thread.sleep(20);
    }
  }

  /** The TCP payload of {@code packet} as text (ASCII). */
  static String payloadText(CapturedPacket packet) {
    ByteBuffer payload = packet.tcp().orElseThrow().payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /**
   * The bytes {@code from} sent to {@code to} over TCP, put together from the captured data segments
   * by sequence number (retransmissions counted once), as the receiving application read them.
   */
  static byte[] streamFrom(CapturedPackets packets, InetSocketAddress from, InetAddress to) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    long base = -1;
    for (CapturedPacket p : packets.filter(PacketPattern.data().from(from.getAddress(), from.getPort()).to(to))) {
      TcpSegment segment = p.tcp().orElseThrow();
      if (base < 0) {
        base = segment.sequenceNumber();
      }
      int offset = (int) ((segment.sequenceNumber() - base) & 0xffffffffL);
      ByteBuffer payload = segment.payload();
      if (offset == stream.size()) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        stream.writeBytes(bytes);
      } else if (offset > stream.size()) {
        throw new AssertionError("a gap in the captured stream from " + from + " at byte " + stream.size());
      }
      // offset < size: a retransmission of bytes already there
    }
    return stream.toByteArray();
  }
}
