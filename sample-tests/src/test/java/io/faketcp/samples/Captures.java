package io.faketcp.samples;

import io.faketcp.junit5.CapturedPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers the sample tests share. */
final class Captures {
  private Captures() {}

  /** The TCP payload of {@code packet} as text (ASCII). */
  static String payloadText(CapturedPacket packet) {
    ByteBuffer payload = packet.tcp().orElseThrow().payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
