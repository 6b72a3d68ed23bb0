package io.faketcp.junit5;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The packets of the current test, captured with pcap on the tun device. Inject it as a parameter
 * or get it from {@link FakeNetworkExtension#capture()}; assert on it with
 * {@code io.faketcp.assertj.FakeNetworkAssertions.assertThat(capture)}. It keeps at most 100,000 packets,
 * each up to its snap length, and 64 MiB in all: whole packets up to three quarters of that, then headers
 * only ({@link FakeNetworkExtension.Builder#captureLimit}, {@link FakeNetworkExtension.Builder#captureSnapLength},
 * {@link FakeNetworkExtension.Builder#captureBudget}); a packet kept cut says so
 * ({@link CapturedPacket#isTruncated()}).
 *
 * <pre>{@code
 * @Test
 * void pings(NetworkInfo net, Capture capture) throws IOException {
 *   net.address(9).isReachable(1000);
 *   assertThat(capture).hasEchoRequests(1).hasEchoReplies(1);
 *   System.out.println(capture.packets().transcript());
 * }
 * }</pre>
 */
public interface Capture {
  /**
   * The packets captured so far. First waits, for at most 2 s, until every packet the fake peer has
   * read or written is in the capture (pcap delivers them a little later); what is still missing then
   * is reported in {@link CapturedPackets#note()}.
   */
  CapturedPackets packets();

  /**
   * Waits until a captured packet matches {@code pattern} (one captured since the test began or the
   * last {@link #clear()} counts too) and returns the first such packet; for traffic that happens in the
   * background, such as a client's retry. Use {@code io.faketcp.assertj.PacketPattern}s for readable
   * messages.
   *
   * <pre>{@code
   * CapturedPacket retry = capture.await(PacketPattern.syn().to(net.address(5), 80), Duration.ofSeconds(3));
   * }</pre>
   *
   * @throws AssertionError when no packet matched within {@code timeout}, listing every packet captured
   * @throws IllegalArgumentException for a null pattern or a null or negative timeout
   */
  CapturedPacket await(Predicate<? super CapturedPacket> pattern, Duration timeout);

  /**
   * Forgets the packets captured so far (e.g. those of a warm-up), and frees the capture's budget. What the
   * capture missed so far goes with them: {@link CapturedPackets#isComplete()} and
   * {@link CapturedPackets#note()} then speak only of the packets since the clear (pcap's counts in the note
   * too), so a warm-up whose packets pcap dropped leaves the capture of what follows complete. Call it once
   * the traffic before it is over: it first lets the capture read what already crossed the device (at most
   * 100 ms), and a packet still on its way after that may hide a packet missed later.
   */
  void clear();

  /**
   * Writes the packets captured so far to {@code file} as pcap (link type RAW, nanosecond
   * timestamps), for Wireshark or {@code tcpdump -r}; a packet kept cut is recorded as tcpdump records
   * one, with the bytes kept and its length on the wire.
   *
   * @return {@code file}
   */
  Path writePcap(Path file);
}
