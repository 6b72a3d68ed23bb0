package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 16 MB each way through ECHO, DISCARD and a {@code Server}, at MTU 1,500 and 65,535, judged by
 * tshark: not one analysis flag (no retransmission, duplicate ACK, full or zero window, lost or
 * unseen segment), no warning, no bad checksum or malformed packet, and window scaling and
 * timestamps negotiated by both ends. Where an application on the fake host reads, the window may fill
 * and close (flow control), and where the test JVM stalls the host probes: see {@link #assertClean}.
 * The capture keeps 128 bytes of each packet (the headers): whole
 * packets at this rate overflow libpcap's ring on a busy machine, and a packet missing from the capture
 * is one tshark would flag; {@link ChecksumTest} checks whole packets.
 */
class CleanTransferTest {
  static final int BYTES = 16 << 20;
  static final byte[] DATA = Transfers.pattern(BYTES);

  static FakeNetworkExtension network(String subnet, int mtu) {
    String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
    return FakeNetworkExtension.newInstance().subnet(subnet + "/24").mtu(mtu).mode(Mode.REJECT)
        .rule(Rule.of(prefix + "5", "*", Mode.ECHO))
        .rule(Rule.of(prefix + "6", "*", Mode.DISCARD))
        .rule(Rule.of(prefix + "7", "*", Transfers.uploadThenDownload(DATA)))
        .captureSnapLength(128)
        .build();
  }

  @Nested
  class AtMtu1500 extends Transfers16Mb {
    @RegisterExtension
    final FakeNetworkExtension network = network("10.118.0.0", 1500);
  }

  @Nested
  class AtMtu65535 extends Transfers16Mb {
    @RegisterExtension
    final FakeNetworkExtension network = network("10.118.1.0", 65535);
  }

  /** The three transfers, on the network of the class that extends this one. */
  abstract static class Transfers16Mb {
    @Test
    void echo(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
      assertClean(net, Tshark.analyseComplete(capture, test, () -> Transfers.echo(net.socketAddress(5, 7), DATA)),
          net.address(5), true);
    }

    @Test
    void discard(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
      assertClean(net, Tshark.analyseComplete(capture, test, () -> Transfers.discard(net.socketAddress(6, 9), DATA)),
          net.address(6), false);
    }

    @Test
    void server(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
      assertClean(net, Tshark.analyseComplete(capture, test,
          () -> Transfers.upAndDown(net.socketAddress(7, 8080), DATA)), net.address(7), true);
    }
  }

  /**
   * Asserts tshark's verdict on a clean transfer with {@code fake}. Allowed, and counted: the window
   * filling and closing where an application on the fake host reads ({@code applicationReads}: ECHO's
   * echo, a {@code Server}), as it does between Linux hosts when the reader is slower than the writer;
   * up to five tail-loss probes by the host after the fake host was silent for 2 ms, several round trips
   * here (the host probes after 2 SRTT: 4.95 ms after its last segment in one run, the fake host stalled
   * 4.1 ms; the test JVM's GC pauses and a busy machine do that); and one or two duplicate ACKs from the fake host where the host fast-retransmits
   * nothing (the right answer to a probe's duplicate data; or, seen once, an ACK repeated with nothing new).
   */
  static void assertClean(NetworkInfo net, TsharkVerdict verdict, InetAddress fake, boolean applicationReads) {
    List<TsharkPacket> probes = verdict.tailProbesBy(net.hostAddress(), 0.002);
    assertThat(probes).withFailMessage("more tail-loss probes than stalls explain: %s", verdict.describe(probes))
        .hasSizeLessThanOrEqualTo(5);
    Set<String> flowControl = applicationReads
        ? Set.of(TsharkPacket.WINDOW_FULL, TsharkPacket.ZERO_WINDOW, TsharkPacket.ZERO_WINDOW_PROBE,
            TsharkPacket.ZERO_WINDOW_PROBE_ACK, TsharkPacket.KEEP_ALIVE, TsharkPacket.KEEP_ALIVE_ACK)
        : Set.of();
    // A lone duplicate ACK from the fake host (an ACK repeated without data or a window change) is
    // harmless while fewer than three come in a row (the host then resends nothing); counted and printed.
    List<TsharkPacket> duplicates = verdict.flagged(TsharkPacket.DUPLICATE_ACK, fake);
    List<TsharkPacket> loneDuplicates = duplicates.stream().filter(p -> p.has(TsharkPacket.DUPLICATE_ACK)
        && verdict.flagged(TsharkPacket.FAST_RETRANSMISSION, net.hostAddress()).isEmpty() && duplicates.size() <= 2
        && p.analysis().stream().filter(TsharkVerdict.TROUBLE::contains).count() == 1).toList();
    List<TsharkPacket> problems = verdict.problems().stream()
        .filter(p -> !probes.contains(p) && !loneDuplicates.contains(p))
        .filter(p -> p.badChecksum()
            || TsharkVerdict.TROUBLE.stream().anyMatch(f -> p.has(f) && !flowControl.contains(f))
            || p.warnings().stream().anyMatch(w -> !flowControl.stream().anyMatch(f -> p.has(f))))
        .toList();
    System.out.printf("%s: %d frames, tshark's counts %s, of which the host's tail-loss probes after a stall: %d,"
        + " lone duplicate ACKs from the fake host: %s%n", verdict.pcap().getFileName(), verdict.packets().size(),
        verdict.summary(), probes.size(), loneDuplicates.stream().map(TsharkPacket::line).toList());
    assertThat(problems).withFailMessage("tshark's findings: %s", verdict.describe(problems)).isEmpty();

    TsharkPacket syn = verdict.filter(p -> p.hasFlag(TsharkPacket.SYN) && !p.hasFlag(TsharkPacket.ACK)).get(0);
    TsharkPacket synAck = verdict.filter(p -> p.hasFlag(TsharkPacket.SYN) && p.hasFlag(TsharkPacket.ACK)).get(0);
    assertThat(synAck.source()).isEqualTo(fake.getHostAddress());
    for (TsharkPacket opening : new TsharkPacket[] {syn, synAck}) {
      assertThat(opening.analysis()).as("options of %s", opening.line())
          .contains(TsharkPacket.WINDOW_SCALE, TsharkPacket.TIMESTAMPS, TsharkPacket.SACK_PERMITTED);
    }
    assertThat(verdict.from(fake)).as("the fake host's segments all carry timestamps")
        .allMatch(p -> p.has(TsharkPacket.TIMESTAMPS));
    assertThat(verdict.from(net.hostAddress())).as("this machine's segments all carry timestamps")
        .allMatch(p -> !p.isTcp() || p.has(TsharkPacket.TIMESTAMPS));
    assertThat(verdict.from(fake).stream().mapToLong(TsharkPacket::window).max().orElse(0))
        .as("the fake host's largest window, scaled: over 64 KiB").isGreaterThan(65535);
  }
}
