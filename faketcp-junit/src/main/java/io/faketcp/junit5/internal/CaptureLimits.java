package io.faketcp.junit5.internal;

/**
 * How much of the traffic a capture keeps: at most {@code packets} packets, each cut to
 * {@code snapLength} bytes, and {@code budget} bytes in all. Whole packets (up to the snap length) are
 * kept while they use at most three quarters of the budget ({@link #wholePacketBytes()}); after that only
 * each packet's headers are kept ({@link PacketHeaders}), until the budget is used; after that packets are
 * counted, not kept. Each kept packet counts its kept bytes plus {@link #PACKET_OVERHEAD} against the budget:
 * about what it takes on the heap.
 *
 * @param packets packets kept at most
 * @param snapLength bytes kept of each packet at most
 * @param budget bytes kept in all, {@link #PACKET_OVERHEAD} per packet included
 */
record CaptureLimits(int packets, int snapLength, long budget) {
  /**
   * What a kept packet takes on the heap beside its bytes: the array's header and padding, its record and
   * its slot in the list (about 64 bytes with compressed references).
   */
  static final int PACKET_OVERHEAD = 64;

  /** The default snap length and budget, with at most {@code packets} packets. */
  static CaptureLimits packets(int packets) {
    return new CaptureLimits(packets, Settings.DEFAULT_CAPTURE_SNAP_LENGTH, Settings.DEFAULT_CAPTURE_BUDGET);
  }

  /** The limits a network's settings give its capture. */
  static CaptureLimits of(Settings settings) {
    return new CaptureLimits(settings.captureLimit(), settings.captureSnapLength(), settings.captureBudget());
  }

  /** The part of the budget whole packets may use; the rest keeps the headers of the packets after them. */
  long wholePacketBytes() {
    return budget - budget / 4;
  }
}
