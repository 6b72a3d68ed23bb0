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
 * timestamps negotiated by both ends. The window may fill, and close where an application on the fake
 * host reads (flow control), and where the test JVM stalls the host probes: see {@link #assertClean}.
 * The capture keeps 128 bytes of each packet (the headers): whole
 * packets at this rate overflow libpcap's ring on a busy machine, and a packet missing from the capture
 * is one tshark would flag (a transfer the capture missed packets of is run again, see
 * {@link Tshark#analyseComplete}); {@link ChecksumTest} checks whole packets.
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
   * filling (the host sends up to the window the fake host offers while it still grows, as a Linux
   * receiver's does in its first round trips at MTU 65,535), and closing where an application on the
   * fake host reads ({@code applicationReads}: ECHO's echo, a {@code Server}), as between Linux hosts when
   * the reader is slower than the writer (DISCARD's window never closes); up to five segments the host
   * sends again by a timer, never after duplicate ACKs and never data acknowledged (the host probes when
   * an ACK is later than 2 SRTT, 5 to 10 ms here: the fake host stalled 4 to 50 ms now and then at loads
   * of 5 to 8, with GC pauses of 5 to 120 ms in the test JVM); and the fake host's duplicate ACKs that
   * answer them, one more at most, while the host fast-retransmits nothing.
   */
  static void assertClean(NetworkInfo net, TsharkVerdict verdict, InetAddress fake, boolean applicationReads) {
    List<TsharkPacket> resent = verdict.timerRetransmissionsBy(net.hostAddress());
    assertThat(resent).withFailMessage("more timer retransmissions than stalls explain: %s", verdict.describe(resent))
        .hasSizeLessThanOrEqualTo(5);
    Set<String> flowControl = applicationReads
        ? Set.of(TsharkPacket.WINDOW_FULL, TsharkPacket.ZERO_WINDOW, TsharkPacket.ZERO_WINDOW_PROBE,
            TsharkPacket.ZERO_WINDOW_PROBE_ACK, TsharkPacket.KEEP_ALIVE, TsharkPacket.KEEP_ALIVE_ACK)
        : Set.of(TsharkPacket.WINDOW_FULL);
    List<TsharkPacket> duplicates = verdict.flagged(TsharkPacket.DUPLICATE_ACK, fake);
    boolean duplicatesHarmless = duplicates.size() <= resent.size() + 1
        && verdict.flagged(TsharkPacket.FAST_RETRANSMISSION, net.hostAddress()).isEmpty();
    List<TsharkPacket> answers = duplicatesHarmless ? duplicates.stream()
        .filter(p -> p.analysis().stream().filter(TsharkVerdict.TROUBLE::contains).count() == 1).toList() : List.of();
    List<TsharkPacket> problems = verdict.problems().stream()
        .filter(p -> !resent.contains(p) && !answers.contains(p))
        .filter(p -> p.badChecksum()
            || TsharkVerdict.TROUBLE.stream().anyMatch(f -> p.has(f) && !flowControl.contains(f))
            || p.warnings().stream().anyMatch(w -> !flowControl.stream().anyMatch(f -> p.has(f))))
        .toList();
    System.out.printf("%s: %d frames, tshark's counts %s; the host's timer retransmissions %s; the fake host's"
        + " duplicate ACKs %s%n", verdict.pcap().getFileName(), verdict.packets().size(), verdict.summary(),
        resent.stream().map(TsharkPacket::line).toList(), duplicates.stream().map(TsharkPacket::line).toList());
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
