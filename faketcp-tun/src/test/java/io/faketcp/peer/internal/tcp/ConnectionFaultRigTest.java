package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.SYN;
import static io.faketcp.peer.internal.tcp.TcpRig.bytes;
import static io.faketcp.peer.internal.tcp.TcpRig.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connection faults on the endpoint, without a tun: what the wire shows for each, segment by segment
 * (the kernel's side of each is in {@code ConnectionFaultTest}).
 */
class ConnectionFaultRigTest {
  private static final int WINDOW = 65535;

  /** The handshake from host port {@code port} under the rig's faults; returns the SYN+ACK. */
  private static TcpSegment handshake(TcpRig rig, int port) {
    rig.deliver(rig.from(port, SYN, 999, 0, WINDOW, new byte[0]));
    TcpSegment synAck = rig.next();
    rig.deliver(rig.from(port, ACK, 1000, synAck.sequenceNumber() + 1, WINDOW, new byte[0]));
    return synAck;
  }

  @Test
  void resetAfterBytesTakesExactlyThatManyFromTheSegmentThatCrossesItThenResetsAtOnce() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("reset-after=1000");
    TcpSegment synAck = handshake(rig, 40300);
    assertThat(synAck.window()).as("the window is the application's, not the fault's").isEqualTo(WINDOW);
    rig.deliver(rig.from(40300, ACK, 1000, synAck.sequenceNumber() + 1, WINDOW, bytes(1460, 1)));
    List<TcpSegment> out = rig.drain();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).rst()).isFalse();
    assertThat(out.get(0).acknowledgmentNumber()).as("exactly 1000 bytes acknowledged").isEqualTo(2000);
    assertThat(out.get(1).rst()).as("then RST, in reply to the same segment").isTrue();
    assertThat(rig.endpoint(40300)).isNull();
  }

  @Test
  void blackholeAfterBytesKeepsTheWindowOpenAndAnswersNothingSoTheHostRetransmits() {
    TcpRig rig = new TcpRig(Mode.ECHO).faults("blackhole-after=100");
    TcpSegment synAck = handshake(rig, 40301);
    assertThat(synAck.window()).isEqualTo(WINDOW);
    long peer = synAck.sequenceNumber() + 1;
    rig.deliver(rig.from(40301, ACK, 1000, peer, WINDOW, bytes(300, 2)));
    List<TcpSegment> out = rig.drain();
    assertThat(out).singleElement().satisfies(echo -> {
      assertThat(payload(echo)).as("the 100 bytes taken, echoed").isEqualTo(bytes(100, 2));
      assertThat(echo.acknowledgmentNumber()).as("and acknowledged, no more").isEqualTo(1100);
      assertThat(echo.window()).as("the window stays open").isPositive();
    });
    rig.deliver(rig.from(40301, ACK, 1100, peer + 100, WINDOW, java.util.Arrays.copyOfRange(bytes(300, 2), 100, 300)));
    rig.advance(5000);
    assertThat(rig.sent).as("the host's retransmission and every timer after: silence").isEmpty();
  }

  @Test
  void stallAfterBytesStillClosesTheWindow() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("stall-after=100");
    TcpSegment synAck = handshake(rig, 40302);
    assertThat(synAck.window()).as("no more than the stall allows").isEqualTo(100);
    rig.deliver(rig.from(40302, ACK, 1000, synAck.sequenceNumber() + 1, WINDOW, bytes(100, 3)));
    TcpSegment ack = rig.next();
    assertThat(ack.acknowledgmentNumber()).isEqualTo(1100);
    assertThat(ack.window()).as("zero window").isZero();
  }

  @Test
  void aBlackholeSetOnAnOpenConnectionSendsNothingMoreOnceInForce() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40303, WINDOW);
    rig.deliver(rig.from(40303, ACK, seq[0], seq[1], WINDOW, bytes(10, 4)));
    assertThat(payload(rig.next())).hasSize(10);
    rig.deliver(rig.from(40303, ACK, seq[0] + 10, seq[1] + 10, WINDOW, new byte[0]));
    rig.drain();

    rig.faultsNow("blackhole-after=0s");
    assertThat(rig.sent).as("no ACK when the fault comes").isEmpty();
    rig.deliver(rig.from(40303, ACK, seq[0] + 10, seq[1] + 10, WINDOW, bytes(10, 5)));
    rig.advance(3000);
    assertThat(rig.sent).as("nothing echoed, nothing acknowledged").isEmpty();
  }

  @Test
  void dataRightAfterAHandshakeUnderABlackholeIsNeitherAcknowledgedNorPassedOn() {
    TcpRig rig = new TcpRig(Mode.ECHO).faults("blackhole-after=0s");
    rig.deliver(rig.from(40304, SYN, 999, 0, WINDOW, new byte[0]));
    long peer = rig.next().sequenceNumber() + 1;
    // The handshake's ACK and the first data in one batch, as the peer reads them.
    rig.tcp.handle(rig.from(40304, ACK, 1000, peer, WINDOW, new byte[0]));
    rig.tcp.handle(rig.from(40304, ACK, 1000, peer, WINDOW, bytes(50, 6)));
    rig.tcp.flush();
    assertThat(rig.sent).as("no echo, no ACK").isEmpty();
  }

  @Test
  void overASlowLinkTheWindowAndWhatIsInFlightStayWithinWhatTheLinkNeeds() {
    // 10 KB/s: a segment takes 150 ms on the link. Two queued would outlast the host's retransmission
    // timer, so it gets a window of one; our own sender keeps two in flight.
    TcpRig rig = new TcpRig(Mode.ECHO).faults("bandwidth=10KB/s");
    TcpSegment synAck = handshake(rig, 40305);
    assertThat(synAck.window()).as("one segment").isEqualTo(1460);
    long peer = synAck.sequenceNumber() + 1;
    rig.deliver(rig.from(40305, ACK, 1000, peer, WINDOW, bytes(1460, 7)));
    rig.deliver(rig.from(40305, ACK, 2460, peer, WINDOW, bytes(1460, 8)));
    rig.deliver(rig.from(40305, ACK, 3920, peer, WINDOW, bytes(1460, 9)));
    List<TcpSegment> echoed = rig.drain();
    assertThat(echoed.stream().mapToInt(TcpSegment::payloadLength).sum()).as("in flight at once: two segments")
        .isEqualTo(2920);
    assertThat(echoed).allMatch(s -> s.window() <= 1460);
    rig.deliver(rig.from(40305, ACK, 5380, peer + 1460, WINDOW, new byte[0]));
    assertThat(rig.next().payloadLength()).as("the third once the first is acknowledged").isEqualTo(1460);
  }

  @Test
  void aFastLinkLeavesTheWindowAlone() {
    TcpRig rig = new TcpRig(Mode.ECHO).faults("bandwidth=1MB/s");
    assertThat(handshake(rig, 40306).window()).isEqualTo(WINDOW);
  }
}
