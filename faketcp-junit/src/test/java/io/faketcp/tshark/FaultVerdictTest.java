package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connection faults as tshark labels them, each on an ECHO host after 1,000 bytes of a 3,000-byte
 * write: {@code reset-after} acknowledges exactly 1,000 bytes and resets within a round trip (no zero
 * window, no probe); {@code blackhole-after} acknowledges 1,000 and goes silent with its window open, and
 * the host retransmits (no zero window); {@code stall-after} closes its window at 1,000, and the host
 * probes it (no retransmission).
 */
class FaultVerdictTest {
  static final int AFTER = 1000;
  static final byte[] WRITE = Transfers.pattern(3000);

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.120.0.0/24").mode(Mode.ECHO)
      .rule(Rule.of("10.120.0.5", "*", Mode.ECHO).withFaults(Fault.parse("reset-after=" + AFTER)))
      .rule(Rule.of("10.120.0.6", "*", Mode.ECHO).withFaults(Fault.parse("blackhole-after=" + AFTER)))
      .rule(Rule.of("10.120.0.7", "*", Mode.ECHO).withFaults(Fault.parse("stall-after=" + AFTER)))
      .build();

  @Test
  void resetAfterAcknowledgesExactlyItsBytesAndResetsWithinARoundTrip(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    try (Socket socket = new Socket(net.address(5), 7)) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(WRITE);
      assertThatThrownBy(() -> socket.getInputStream().readNBytes(WRITE.length + 1))
          .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }
    TsharkVerdict verdict = Tshark.analyse(capture, test);
    InetAddress fake = net.address(5);

    List<TsharkPacket> resets = verdict.filter(p -> p.source().equals(fake.getHostAddress())
        && p.hasFlag(TsharkPacket.RST));
    assertThat(resets).withFailMessage("no RST from the fake host: %s", verdict).isNotEmpty();
    TsharkPacket reset = resets.get(0);
    assertThat(reset.experts()).as("tshark's label of %s", reset.line())
        .anyMatch(e -> e.message().equals("Connection reset (RST)"));
    assertThat(acknowledged(verdict, fake)).as("bytes the fake host acknowledged: %s", verdict).isEqualTo(AFTER);
    TsharkPacket crossing = verdict.filter(p -> p.source().equals(net.hostAddress().getHostAddress())
        && p.seq() + p.length() > AFTER + 1).get(0);
    assertThat(reset.time() - crossing.time()).as("seconds from %s to %s", crossing.line(), reset.line())
        .isLessThan(0.050);
    assertNoWindowTrouble(verdict, fake);
    assertThat(verdict.flagged(TsharkPacket.RETRANSMISSION, net.hostAddress())).as("the host's retransmissions")
        .isEmpty();
  }

  @Test
  void blackholeAfterLeavesTheWindowOpenAndTheHostRetransmits(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    echoThenSilence(net.address(6));
    TsharkVerdict verdict = Tshark.analyse(capture, test);
    InetAddress fake = net.address(6);

    List<TsharkPacket> retransmissions = verdict.filter(p -> p.source().equals(net.hostAddress().getHostAddress())
        && p.has(TsharkPacket.RETRANSMISSION) && p.length() > 0 && p.seq() >= AFTER + 1);
    assertThat(retransmissions).withFailMessage("the host retransmits the bytes past %d: %s", AFTER, verdict)
        .isNotEmpty();
    assertThat(acknowledged(verdict, fake)).as("bytes the fake host acknowledged").isEqualTo(AFTER);
    assertThat(verdict.from(fake)).as("the fake host sends no RST or FIN").noneMatch(
        p -> p.hasFlag(TsharkPacket.RST) || p.hasFlag(TsharkPacket.FIN));
    assertNoWindowTrouble(verdict, fake);
  }

  @Test
  void stallAfterClosesTheWindowAndTheHostProbes(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
    echoThenSilence(net.address(7));
    TsharkVerdict verdict = Tshark.analyse(capture, test);
    InetAddress fake = net.address(7);
    InetAddress host = net.hostAddress();

    assertThat(verdict.flagged(TsharkPacket.ZERO_WINDOW, fake)).withFailMessage("no zero window from the fake host: %s",
        verdict).isNotEmpty();
    List<TsharkPacket> probes = verdict.filter(p -> p.source().equals(host.getHostAddress())
        && (p.has(TsharkPacket.ZERO_WINDOW_PROBE) || p.has(TsharkPacket.KEEP_ALIVE)));
    assertThat(probes).withFailMessage("no zero-window probe from the host: %s", verdict).isNotEmpty();
    assertThat(verdict.filter(p -> p.source().equals(fake.getHostAddress()) && p.frame() > probes.get(0).frame()))
        .as("the fake host answers the probes with window 0").isNotEmpty()
        .allMatch(p -> p.window() == 0 && p.has(TsharkPacket.ZERO_WINDOW));
    assertThat(verdict.flagged(TsharkPacket.RETRANSMISSION, host)).as("the host's retransmissions").isEmpty();
    System.out.printf("%s: tshark's counts %s%n", verdict.pcap().getFileName(), verdict.summary());
  }

  /** Writes 3,000 bytes, reads the 1,000 echoed, then waits 1 s in vain for more. */
  private static void echoThenSilence(InetAddress fake) throws Exception {
    try (Socket socket = new Socket(fake, 7)) {
      socket.setSoTimeout(1000);
      socket.getOutputStream().write(WRITE);
      assertThat(socket.getInputStream().readNBytes(AFTER)).as("the first 1,000 bytes echoed")
          .isEqualTo(Arrays.copyOf(WRITE, AFTER));
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }
  }

  /** The bytes of the host's data the fake host acknowledged, by its highest relative ACK. */
  private static long acknowledged(TsharkVerdict verdict, InetAddress fake) {
    return verdict.from(fake).stream().filter(p -> p.hasFlag(TsharkPacket.ACK)).mapToLong(TsharkPacket::ack).max()
        .orElse(0) - 1;
  }

  private static void assertNoWindowTrouble(TsharkVerdict verdict, InetAddress fake) {
    List<String> flags = List.of(TsharkPacket.ZERO_WINDOW, TsharkPacket.ZERO_WINDOW_PROBE,
        TsharkPacket.ZERO_WINDOW_PROBE_ACK, TsharkPacket.KEEP_ALIVE, TsharkPacket.WINDOW_FULL);
    List<TsharkPacket> trouble = verdict.filter(p -> flags.stream().anyMatch(p::has));
    assertThat(trouble).withFailMessage("window trouble with %s: %s", fake.getHostAddress(), verdict.describe(trouble))
        .isEmpty();
    System.out.printf("%s: tshark's counts %s%n", verdict.pcap().getFileName(), verdict.summary());
  }
}
