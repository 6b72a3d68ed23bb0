package io.faketcp.assertj;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;

/**
 * The entry point for AssertJ assertions on captured packets.
 *
 * <pre>{@code
 * import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
 *
 * assertThat(capture)
 *     .hasHandshakeWith(net.socketAddress(5, 80))
 *     .hasBytesSentTo(net.socketAddress(5, 80), 5)
 *     .hasNoPacketTo(net.address(6));
 * }</pre>
 *
 * <p>A failure message lists every captured packet, one tcpdump-style line each.
 */
public final class FakeNetworkAssertions {
  private FakeNetworkAssertions() {}

  /** Assertions on the packets captured so far (waits, at most 2 s, until the capture is complete). */
  public static CapturedPacketsAssert assertThat(Capture capture) {
    return new CapturedPacketsAssert(capture == null ? null : capture.packets());
  }

  /** Assertions on a snapshot of captured packets. */
  public static CapturedPacketsAssert assertThat(CapturedPackets packets) {
    return new CapturedPacketsAssert(packets);
  }
}
