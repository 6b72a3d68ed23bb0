package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 2 MB echoed through 2 % random loss, judged by tshark. On the way to the host an iptables rule in the
 * test's namespace drops the fake host's packets (after the capture saw them): the fake host's
 * retransmissions are what tshark calls retransmissions or fast retransmissions, and nothing it sends
 * follows a gap or acknowledges a segment unseen, nor resends what the host acknowledged. On the way
 * from the host the fake peer's {@code loss-in=2%} drops the host's packets (an iptables rule cannot: a
 * packet dropped in OUTPUT is a failed send to the host's TCP, which sends it again, and the wire shows
 * no loss): the fake host never acknowledges a segment unseen, its duplicate ACKs carry SACK blocks, and the host resends
 * nothing the fake host had acknowledged.
 */
class LossTest {
  static final byte[] DATA = Transfers.pattern(2 << 20);
  static final double LOSS = 0.02;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.119.0.0/24").mode(Mode.ECHO)
      .captureSnapLength(128).build();

  @Test
  void theFakeHostResendsWhatWasLostOnTheWayToTheHost(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    TsharkVerdict verdict = echoWithLossToTheHost(net, capture, test);
    InetAddress fake = net.address(5);

    List<TsharkPacket> resent = verdict.filter(p -> p.source().equals(fake.getHostAddress())
        && (p.has(TsharkPacket.RETRANSMISSION) || p.has(TsharkPacket.FAST_RETRANSMISSION)));
    assertThat(resent).as("the fake host's retransmissions").isNotEmpty();
    // a SYN+ACK the rule dropped comes again when the host's SYN does, 1 s later
    assertThat(resent).as("retransmitted data, FIN or SYN").allMatch(p -> p.length() > 0
        || p.hasFlag(TsharkPacket.FIN) || p.hasFlag(TsharkPacket.SYN));
    assertNone(verdict, fake, TsharkPacket.LOST_SEGMENT, TsharkPacket.ACK_LOST_SEGMENT);
    // tshark calls a segment resent within 3 ms of the highest one "out-of-order" (SACK recovery resends
    // holes back to back): right, as long as it is data sent before, never new data out of order
    List<TsharkPacket> newOutOfOrder = verdict.filter(p -> p.source().equals(fake.getHostAddress())
        && p.has(TsharkPacket.OUT_OF_ORDER) && p.seq() + p.length() > highestSentBefore(verdict, p));
    assertThat(newOutOfOrder).withFailMessage("new data sent out of order: %s", verdict.describe(newOutOfOrder))
        .isEmpty();
    assertNone(verdict, net.hostAddress(), TsharkPacket.ACK_LOST_SEGMENT);
  }

  /**
   * The fake host never resends what the host had acknowledged (tshark: spurious retransmissions, each
   * answered by a D-SACK). It once did, hundreds of segments a run: after a retransmission timeout it
   * cleared its SACK scoreboard and sent the whole flight again at once, and a hole resent late in one
   * recovery went again when the next recovery began, before the first resend's ACK came.
   */
  @Test
  void theFakeHostNeverResendsWhatTheHostAcknowledged(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    TsharkVerdict verdict = echoWithLossToTheHost(net, capture, test);
    assertNone(verdict, net.address(5), TsharkPacket.SPURIOUS_RETRANSMISSION);
  }

  private static TsharkVerdict echoWithLossToTheHost(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    return analyse(capture, test, () -> {
      try (PathLoss loss = PathLoss.toHost(net.interfaceName(), LOSS)) {
        Transfers.echo(net.socketAddress(5, 7), DATA);
        return loss.dropped();
      }
    });
  }

  /** The highest sequence number {@code frame}'s sender had sent before it. */
  private static long highestSentBefore(TsharkVerdict verdict, TsharkPacket frame) {
    return verdict.filter(p -> p.frame() < frame.frame() && p.source().equals(frame.source())
        && p.sourcePort() == frame.sourcePort()).stream().mapToLong(p -> p.seq() + p.length()).max().orElse(0);
  }

  @Test
  void theFakeHostAcknowledgesOnlyWhatCameThroughFromTheHost(NetworkInfo net, NetworkControl control, Capture capture,
      TestInfo test) throws Exception {
    Fault loss = Fault.parse("loss-in=2%");
    long[] dropped = new long[1];
    TsharkVerdict verdict = analyse(capture, test, () -> {
      control.fault(loss);
      Transfers.echo(net.socketAddress(5, 7), DATA);
      control.clearFaults();
      dropped[0] = control.faultActions(loss);
      return dropped[0];
    });
    InetAddress fake = net.address(5);

    List<TsharkPacket> resent = verdict.filter(p -> p.source().equals(net.hostAddress().getHostAddress())
        && (p.has(TsharkPacket.RETRANSMISSION) || p.has(TsharkPacket.FAST_RETRANSMISSION)));
    assertThat(resent).as("the host's retransmissions, %d of its packets lost", dropped[0]).isNotEmpty();
    assertNone(verdict, fake, TsharkPacket.ACK_LOST_SEGMENT, TsharkPacket.SPURIOUS_RETRANSMISSION,
        TsharkPacket.LOST_SEGMENT);
    assertNone(verdict, net.hostAddress(), TsharkPacket.SPURIOUS_RETRANSMISSION);
    List<TsharkPacket> duplicates = verdict.flagged(TsharkPacket.DUPLICATE_ACK, fake);
    assertThat(duplicates).as("the fake host's duplicate ACKs").isNotEmpty();
    assertThat(duplicates).withFailMessage("duplicate ACKs without SACK blocks: %s",
        verdict.describe(duplicates.stream().filter(p -> !p.has(TsharkPacket.SACK)).toList()))
        .allMatch(p -> p.has(TsharkPacket.SACK));
  }

  /** A transfer through loss, returning how many packets were lost. */
  @FunctionalInterface
  interface LossyTraffic {
    long run() throws Exception;
  }

  private static TsharkVerdict analyse(Capture capture, TestInfo test, LossyTraffic traffic) throws Exception {
    long[] dropped = new long[1];
    TsharkVerdict verdict = Tshark.analyseComplete(capture, test, () -> dropped[0] = traffic.run());
    assertThat(dropped[0]).as("packets lost").isPositive();
    System.out.printf("%s: %d frames, %d packets lost, tshark's counts %s%n", verdict.pcap().getFileName(),
        verdict.packets().size(), dropped[0], verdict.summary());
    assertThat(verdict.filter(p -> p.badChecksum() || p.has(TsharkPacket.MALFORMED)))
        .as("bad checksums or malformed frames").isEmpty();
    return verdict;
  }

  private static void assertNone(TsharkVerdict verdict, InetAddress sender, String... flags) {
    List<TsharkPacket> found = verdict.filter(p -> p.source().equals(sender.getHostAddress())
        && List.of(flags).stream().anyMatch(p::has));
    assertThat(found).withFailMessage("%s sent frames tshark flags %s: %s", sender.getHostAddress(), List.of(flags),
        verdict.describe(found)).isEmpty();
  }
}
