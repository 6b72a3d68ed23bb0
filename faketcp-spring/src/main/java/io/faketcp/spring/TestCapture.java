package io.faketcp.spring;

import io.faketcp.junit5.Capture;

/**
 * The current test's capture on its application context's fake network: the packets since the test
 * began, without those of the {@link ContextFakeNetwork#background() background} endpoints (the
 * context's own traffic, such as a connection pool's), and, when asked, without the connections opened
 * before the test. Inject it, or {@link Capture}, as a parameter.
 *
 * <pre>{@code
 * @Test
 * void callsThePriceService(TestCapture capture) {
 *   prices.current("ABC");
 *   assertThat(capture).hasHandshakeWith(new InetSocketAddress(PRICES, 80)).hasCount(rst(), 0);
 *   assertThat(capture.everything()).hasHandshakeWith(new InetSocketAddress(DATABASE, 5432));
 * }
 * }</pre>
 */
public interface TestCapture extends Capture {
  /** The same test's capture with the background traffic in it. */
  Capture everything();

  /**
   * This capture without the TCP connections opened before the test began (or before the last
   * {@link #clear()}): a TCP segment is kept only when the capture holds its connection's SYN. For the
   * traffic of connections a pool keeps from test to test, where no background endpoint fits.
   *
   * <pre>{@code
   * assertThat(capture.withoutEarlierConnections()).hasCount(PacketPattern.rst(), 0);
   * }</pre>
   */
  Capture withoutEarlierConnections();
}
