package io.faketcp.junit5.internal;

/**
 * One captured packet: its bytes (an IPv4 packet, link type RAW), the kernel's timestamp and which
 * way it crossed the device.
 */
public final class CaptureRecord {
  private final byte[] bytes;
  private final long epochNanos;
  private final boolean toSubnet;

  CaptureRecord(byte[] bytes, long epochNanos, boolean toSubnet) {
    this.bytes = bytes;
    this.epochNanos = epochNanos;
    this.toSubnet = toSubnet;
  }

  /** The packet's bytes; shared, callers copy before handing them out. */
  public byte[] bytes() {
    return bytes;
  }

  /** The kernel's capture time, nanoseconds since the epoch. */
  public long epochNanos() {
    return epochNanos;
  }

  /** Whether the host sent it to the fake subnet (else the peer sent it to the host). */
  public boolean toSubnet() {
    return toSubnet;
  }
}
