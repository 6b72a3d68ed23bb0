package io.faketcp.junit5.internal;

/**
 * One captured packet: the bytes kept of it (an IPv4 or IPv6 packet, link type RAW, whole or cut), its
 * length on the wire, the kernel's timestamp and which way it crossed the device. Internal: not part of
 * faketcp's API.
 *
 * @param bytes the bytes kept, the packet's first {@code bytes.length}; shared, callers copy before handing them out
 * @param epochNanos the kernel's capture time, nanoseconds since the epoch
 * @param toSubnet whether the host sent it to the fake subnet (else the peer sent it to the host)
 * @param originalLength the packet's length on the wire, at least {@code bytes.length}
 * @param cut what cut the packet, {@link Cut#NONE} when it was kept whole
 */
public record CaptureRecord(byte[] bytes, long epochNanos, boolean toSubnet, int originalLength, Cut cut) {
  /** What kept a packet from being kept whole. */
  public enum Cut {
    /** Kept whole. */
    NONE,
    /** The capture's snap length: no packet is kept longer. */
    SNAP_LENGTH,
    /** The capture's byte budget: whole packets had used their part of it, so only the headers were kept. */
    BUDGET
  }

  /** Checks that the bytes kept are at most the packet and that a packet kept short says what cut it. */
  public CaptureRecord {
    if (bytes.length > originalLength || (bytes.length < originalLength) == (cut == Cut.NONE)) {
      throw new IllegalArgumentException("a record of " + bytes.length + " bytes kept of " + originalLength
          + " cut by " + cut);
    }
  }

  /** A packet kept whole. */
  public CaptureRecord(byte[] bytes, long epochNanos, boolean toSubnet) {
    this(bytes, epochNanos, toSubnet, bytes.length, Cut.NONE);
  }

  /** Whether fewer bytes were kept than the packet had. */
  public boolean truncated() {
    return cut != Cut.NONE;
  }
}
