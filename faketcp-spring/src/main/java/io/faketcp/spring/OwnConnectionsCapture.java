package io.faketcp.spring;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.packet.TcpSegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A capture without the TCP connections opened before it began: a TCP segment is kept only when the
 * capture holds its connection's SYN (the connections a pool keeps from test to test have none).
 * Packets other than TCP are all kept.
 */
final class OwnConnectionsCapture implements Capture {
  private final Capture capture;

  OwnConnectionsCapture(Capture capture) {
    this.capture = capture;
  }

  @Override
  public CapturedPackets packets() {
    CapturedPackets all = capture.packets();
    Set<String> opened = new HashSet<>();
    for (CapturedPacket p : all) {
      connectionOpenedBy(p).ifPresent(opened::add);
    }
    return all.filter(p -> p.tcp().isEmpty() || opened.contains(connection(p.tcp().get())));
  }

  @Override
  public CapturedPacket await(Predicate<? super CapturedPacket> pattern, Duration timeout) {
    if (pattern == null) {
      return capture.await(null, timeout);
    }
    // The capture tests its packets once each, in order: a SYN is seen before its connection's other packets.
    Set<String> opened = new HashSet<>();
    return capture.await(new Predicate<CapturedPacket>() {
      @Override
      public boolean test(CapturedPacket p) {
        connectionOpenedBy(p).ifPresent(opened::add);
        return (p.tcp().isEmpty() || opened.contains(connection(p.tcp().get()))) && pattern.test(p);
      }

      @Override
      public String toString() {
        return pattern + " (on a connection opened in this test)";
      }
    }, timeout);
  }

  private static Optional<String> connectionOpenedBy(CapturedPacket p) {
    return p.tcp().filter(TcpSegment::syn).map(OwnConnectionsCapture::connection);
  }

  /** Both endpoints, the same key in either direction. */
  private static String connection(TcpSegment tcp) {
    String a = tcp.packet().sourceText() + "." + tcp.sourcePort(); // IPv6 text has colons
    String b = tcp.packet().destinationText() + "." + tcp.destinationPort();
    return a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a;
  }

  @Override
  public void clear() {
    capture.clear();
  }

  /** Writes every packet, those of earlier connections too. */
  @Override
  public Path writePcap(Path file) {
    return capture.writePcap(file);
  }

  @Override
  public String toString() {
    return capture + ", connections opened in the test only";
  }
}
