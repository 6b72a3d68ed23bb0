package io.faketcp.spring;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** A test's capture without the background endpoints' packets; {@link #everything()} with them. */
final class ForegroundCapture implements TestCapture {
  private final Capture everything;
  private final Background background;

  ForegroundCapture(Capture everything, Background background) {
    this.everything = everything;
    this.background = background;
  }

  @Override
  public Capture everything() {
    return everything;
  }

  @Override
  public Capture withoutEarlierConnections() {
    return new OwnConnectionsCapture(this);
  }

  @Override
  public CapturedPackets packets() {
    CapturedPackets all = everything.packets();
    return background.isEmpty() ? all : all.filter(background.negate());
  }

  @Override
  public CapturedPacket await(Predicate<? super CapturedPacket> pattern, Duration timeout) {
    if (pattern == null || background.isEmpty()) {
      return everything.await(pattern, timeout);
    }
    return everything.await(new Predicate<CapturedPacket>() {
      @Override
      public boolean test(CapturedPacket packet) {
        return !background.test(packet) && pattern.test(packet);
      }

      @Override
      public String toString() {
        return pattern + " (not " + background + ")";
      }
    }, timeout);
  }

  @Override
  public void clear() {
    everything.clear();
  }

  /** Writes every packet, the background's too (pcap tools filter better than a listing can). */
  @Override
  public Path writePcap(Path file) {
    return everything.writePcap(file);
  }

  @Override
  public String toString() {
    return everything + (background.isEmpty() ? "" : " without " + background);
  }
}
