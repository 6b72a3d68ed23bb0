package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;
import static io.faketcp.peer.internal.tcp.TcpRig.bytes;
import static io.faketcp.peer.internal.tcp.TcpRig.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.servers.Discard;
import io.faketcp.tun.Subnet;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The endpoint without a tun: segments from the packet builders, a clock the test moves. */
class ConnectionTest {
  private static final int WINDOW = 65535;

  @Test
  void echoedDataIsRetransmittedUntilAcknowledged() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40000, WINDOW);
    rig.deliver(rig.from(40000, ACK, seq[0], seq[1], WINDOW, bytes(1000, 1)));
    TcpSegment echo = rig.next();
    assertThat(echo.sequenceNumber()).isEqualTo(seq[1]);
    assertThat(payload(echo)).isEqualTo(bytes(1000, 1));
    assertThat(echo.acknowledgmentNumber()).isEqualTo(seq[0] + 1000);

    rig.advance(190);
    assertThat(rig.sent).as("nothing before the RTO: 200 ms, the minimum, after a fast handshake").isEmpty();
    rig.advance(20);
    TcpSegment again = rig.next();
    assertThat(again.sequenceNumber()).isEqualTo(seq[1]);
    assertThat(payload(again)).isEqualTo(bytes(1000, 1));
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).isEqualTo(1);

    rig.deliver(rig.from(40000, ACK, seq[0] + 1000, seq[1] + 1000, WINDOW, new byte[0]));
    rig.advance(60_000);
    assertThat(rig.sent).as("acknowledged: no more retransmissions").isEmpty();
  }

  @Test
  void finIsRetransmittedUntilAcknowledgedThenTheConnectionIsGone() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40001, WINDOW);
    rig.deliver(rig.from(40001, FIN | ACK, seq[0], seq[1], WINDOW, new byte[0]));
    TcpSegment fin = rig.next();
    assertThat(fin.fin()).isTrue();
    assertThat(fin.acknowledgmentNumber()).isEqualTo(seq[0] + 1);
    assertThat(rig.sent).as("the FIN carries the ACK of the host's FIN").isEmpty();

    rig.advance(1100);
    TcpSegment again = rig.next();
    assertThat(again.fin()).isTrue();
    assertThat(again.sequenceNumber()).isEqualTo(fin.sequenceNumber());
    assertThat(rig.counters.get(Counters.CLOSING)).isEqualTo(1);

    rig.deliver(rig.from(40001, ACK, seq[0] + 1, seq[1] + 1, WINDOW, new byte[0]));
    assertThat(rig.endpoint(40001)).isNull();
    assertThat(rig.counters.get(Counters.CLOSING)).isZero();
    assertThat(rig.counters.get(Counters.ESTABLISHED)).isZero();
  }

  @Test
  void aConnectionWithNoAnswerIsAbortedAfterEightRetransmissionsAndCounted() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40002, WINDOW);
    rig.deliver(rig.from(40002, ACK, seq[0], seq[1], WINDOW, bytes(10, 2)));
    rig.drain();
    long[] gaps = gaps(rig, TcpSender.MAX_RETRIES, again -> assertThat(payload(again)).isEqualTo(bytes(10, 2)));
    assertThat(gaps).as("exponential backoff, capped").containsExactly(200, 400, 800, 1600, 3200, 5000, 5000, 5000);
    rig.advance(5000);
    TcpSegment rst = rig.next();
    assertThat(rst.rst()).isTrue();
    assertThat(rig.endpoint(40002)).isNull();
    assertThat(rig.counters.get(Counters.ABORTED)).isEqualTo(1);
    assertThat(rig.counters.get(Counters.ESTABLISHED)).isZero();
  }

  /**
   * RFC 6298 §5 for the handshake (docs/modes-and-rules.md): a SYN+ACK whose ACK never comes is sent
   * 5 more times from an RTO of 1 s, doubling up to the 5 s cap; then the half-open connection is
   * forgotten without a RST and counted as aborted.
   */
  @Test
  void anUnansweredSynAckIsResentFiveTimesWithBackoffThenForgotten() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    rig.deliver(rig.from(40012, SYN, 1000, 0, WINDOW, new byte[0]));
    TcpSegment synAck = rig.next();
    assertThat(synAck.syn() && synAck.ack()).isTrue();
    long[] gaps = gaps(rig, Handshake.MAX_SYN_ACK_RETRIES, again -> {
      assertThat(again.syn() && again.ack()).as("resent: " + again).isTrue();
      assertThat(again.sequenceNumber()).isEqualTo(synAck.sequenceNumber());
    });
    assertThat(gaps).as("ms between SYN+ACKs").containsExactly(1000, 2000, 4000, 5000, 5000);
    assertThat(rig.counters.get(Counters.SYN_RECEIVED)).isEqualTo(1);
    rig.advance(5000);
    assertThat(rig.sent).as("nothing more, no RST for a connection never open").isEmpty();
    assertThat(rig.endpoint(40012)).isNull();
    assertThat(rig.counters.get(Counters.SYN_RECEIVED)).isZero();
    assertThat(rig.counters.get(Counters.ABORTED)).isEqualTo(1);
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).isEqualTo(5);
  }

  /**
   * Moves the rig's clock 10 ms at a time until the peer sends, {@code sends} times; each segment sent
   * goes to {@code check}. Returns the ms between one send and the next (the first from now).
   */
  private static long[] gaps(TcpRig rig, int sends, java.util.function.Consumer<TcpSegment> check) {
    long previous = rig.now;
    long[] gaps = new long[sends];
    for (int i = 0; i < sends; i++) {
      while (rig.sent.isEmpty()) {
        rig.advance(10);
      }
      gaps[i] = (rig.now - previous) / 1_000_000;
      previous = rig.now;
      check.accept(rig.next());
    }
    return gaps;
  }

  @Test
  void threeDuplicateAcksRetransmitTheFirstUnacknowledgedSegmentAtOnce() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40003, WINDOW);
    rig.deliver(rig.from(40003, ACK, seq[0], seq[1], WINDOW, bytes(6000, 3)));
    List<TcpSegment> echoed = rig.drain();
    assertThat(echoed).hasSize(5); // 4 x 1460 + 160
    long second = seq[1] + 1460;
    rig.deliver(rig.from(40003, ACK, seq[0] + 6000, second, WINDOW, new byte[0])); // new data acked
    rig.deliver(rig.from(40003, ACK, seq[0] + 6000, second, WINDOW, new byte[0])); // duplicate 1
    assertThat(rig.sent).as("two duplicate ACKs are not enough").isEmpty();
    rig.deliver(rig.from(40003, ACK, seq[0] + 6000, second, WINDOW, new byte[0]));
    rig.deliver(rig.from(40003, ACK, seq[0] + 6000, second, WINDOW, new byte[0]));
    TcpSegment retransmitted = rig.next();
    assertThat(retransmitted.sequenceNumber()).isEqualTo(second);
    assertThat(payload(retransmitted)).hasSize(1460);
    // a partial ACK shows the next hole: that segment goes at once too (NewReno)
    rig.deliver(rig.from(40003, ACK, seq[0] + 6000, second + 1460, WINDOW, new byte[0]));
    assertThat(rig.next().sequenceNumber()).isEqualTo(second + 1460);
  }

  private static final int MSS = 1460;
  private static final int TEN_SEGMENTS = 10 * MSS;

  /** The sequence numbers of the segments in {@code sent} that resend bytes below {@code sndMax}, in order. */
  private static List<Long> resent(List<TcpSegment> sent, long sndMax) {
    return sent.stream().filter(s -> s.payloadLength() > 0 && s.sequenceNumber() < sndMax)
        .map(TcpSegment::sequenceNumber).collect(java.util.stream.Collectors.toList());
  }

  /**
   * A connection from {@code port} that had ten segments of {@code seed}'s bytes echoed, all on their
   * way: returns the host's next sequence number and the first echoed byte's.
   */
  private static long[] tenSegmentsEchoed(TcpRig rig, int port, int seed) {
    long[] seq = rig.open(port, WINDOW);
    rig.deliver(rig.from(port, ACK, seq[0], seq[1], WINDOW, bytes(TEN_SEGMENTS, seed)));
    rig.drain();
    return new long[] {seq[0] + TEN_SEGMENTS, seq[1]};
  }

  @Test
  void aHoleBelowThreeSackedSegmentsIsRetransmittedEvenWhenTheAcksCarryData() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40050, WINDOW);
    byte[] echoed = bytes(TEN_SEGMENTS, 50);
    rig.deliver(rig.from(40050, ACK, seq[0], seq[1], WINDOW, echoed));
    assertThat(rig.drain()).hasSize(10);
    long p = seq[1];
    long hostSeq = seq[0] + TEN_SEGMENTS;
    // The first segment is lost; the host's ACKs of the next ones ride on its own data (full duplex).
    for (int sacked = 1; sacked <= 2; sacked++) {
      rig.deliver(rig.sacking(40050, ACK, hostSeq, p, WINDOW, bytes(10, sacked), p + MSS, p + MSS + sacked * MSS));
      hostSeq += 10;
      assertThat(resent(rig.drain(), p + TEN_SEGMENTS)).as("%d segments SACKed: not yet lost", sacked).isEmpty();
    }
    rig.deliver(rig.sacking(40050, ACK, hostSeq, p, WINDOW - 100, bytes(10, 3), p + MSS, p + 4 * MSS));
    List<TcpSegment> sent = rig.drain();
    assertThat(resent(sent, p + TEN_SEGMENTS)).as("three segments SACKed above the hole").containsExactly(p);
    TcpSegment hole = sent.stream().filter(s -> s.sequenceNumber() == p).findFirst().orElseThrow();
    assertThat(payload(hole)).isEqualTo(java.util.Arrays.copyOfRange(echoed, 0, MSS));
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).isEqualTo(1);
  }

  @Test
  void everyLostHoleIsRetransmittedLowestFirstAndSackedDataNever() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40051, WINDOW);
    byte[] echoed = bytes(TEN_SEGMENTS, 51);
    rig.deliver(rig.from(40051, ACK, seq[0], seq[1], WINDOW, echoed));
    rig.drain();
    long p = seq[1];
    long end = p + TEN_SEGMENTS;
    long host = seq[0] + TEN_SEGMENTS;
    // Segments 0 and 4 are lost, the host holds the rest.
    rig.deliver(rig.sacking(40051, ACK, host, p, WINDOW, new byte[0], p + 5 * MSS, end, p + MSS, p + 4 * MSS));
    List<TcpSegment> sent = rig.drain();
    assertThat(resent(sent, end)).as("both holes at once, lowest first").containsExactly(p, p + 4 * MSS);
    assertThat(sent).allSatisfy(s -> assertThat(s.payloadLength()).isEqualTo(MSS));
    assertThat(payload(sent.get(1))).isEqualTo(java.util.Arrays.copyOfRange(echoed, 4 * MSS, 5 * MSS));

    // The first hole arrives: a partial ACK up to the second, which was resent already.
    rig.deliver(rig.sacking(40051, ACK, host, p + 4 * MSS, WINDOW, new byte[0], p + 5 * MSS, end));
    assertThat(rig.sent).as("the second hole is on its way: not resent twice").isEmpty();
    rig.deliver(rig.from(40051, ACK, host, end, WINDOW, new byte[0]));
    rig.advance(60_000);
    assertThat(rig.sent).as("all acknowledged").isEmpty();
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).as("only the two lost segments, nothing SACKed").isEqualTo(2);
  }

  @Test
  void afterATimeoutOnlyTheFirstHoleGoesThenSlowStartAndSackedDataNever() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40052, 52);
    long p = at[1];
    long end = p + TEN_SEGMENTS;
    long host = at[0];
    rig.deliver(rig.sacking(40052, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 3 * MSS));
    assertThat(rig.sent).as("two segments SACKed: no fast retransmit").isEmpty();

    rig.advance(210);
    assertThat(resent(rig.drain(), end)).as("the timeout: a loss window of one segment, the first").containsExactly(p);
    rig.deliver(rig.sacking(40052, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 4 * MSS));
    assertThat(rig.sent).as("no fast recovery until all sent before the timeout is acknowledged").isEmpty();
    rig.deliver(rig.from(40052, ACK, host, p + 4 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).as("slow start: two segments, past what the host SACKed")
        .containsExactly(p + 4 * MSS, p + 5 * MSS);
    rig.deliver(rig.from(40052, ACK, host, p + 5 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).containsExactly(p + 6 * MSS, p + 7 * MSS);
    rig.deliver(rig.from(40052, ACK, host, p + 7 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).containsExactly(p + 8 * MSS, p + 9 * MSS);
    rig.deliver(rig.from(40052, ACK, host, end, WINDOW, new byte[0]));
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).as("nothing the host SACKed").isEqualTo(7);

    rig.deliver(rig.from(40052, ACK, host, end, WINDOW, bytes(TEN_SEGMENTS, 53)));
    assertThat(rig.drain().stream().filter(s -> s.payloadLength() > 0)).as("all acknowledged: the window alone limits")
        .hasSize(10);
  }

  @Test
  void afterATimeoutWhatTheHostSackedGoesAgainWhenItsAckShowsItDroppedIt() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40055, 55);
    long p = at[1];
    long end = p + TEN_SEGMENTS;
    long host = at[0];
    rig.deliver(rig.sacking(40055, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 3 * MSS));
    rig.advance(210);
    assertThat(resent(rig.drain(), end)).containsExactly(p);
    // The host's ACK stops at the start of what it had SACKed: it reneged (RFC 2018).
    rig.deliver(rig.from(40055, ACK, host, p + MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).as("the SACKed segments again, in slow start")
        .containsExactly(p + MSS, p + 2 * MSS);
  }

  @Test
  void aHoleResentInOneRecoveryIsNotResentWhenTheNextOneBeginsButAfterATimeout() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40056, 56);
    long p = at[1];
    long host = at[0];
    rig.deliver(rig.sacking(40056, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 4 * MSS));
    assertThat(resent(rig.drain(), p + 20 * MSS)).as("the first recovery: the first segment").containsExactly(p);
    // More to echo: ten new segments, above the recovery point; the third of them is lost, and so was
    // the fifth of the first ten.
    rig.deliver(rig.sacking(40056, ACK, host, p, WINDOW, bytes(TEN_SEGMENTS, 57), p + MSS, p + 4 * MSS));
    host += TEN_SEGMENTS;
    assertThat(resent(rig.drain(), p + TEN_SEGMENTS)).isEmpty();
    rig.deliver(rig.sacking(40056, ACK, host, p + 4 * MSS, WINDOW, new byte[0], p + 5 * MSS, p + 12 * MSS,
        p + 13 * MSS, p + 16 * MSS));
    assertThat(resent(rig.drain(), p + 20 * MSS)).as("the partial ACK's hole, and one above the recovery point")
        .containsExactly(p + 4 * MSS, p + 12 * MSS);

    // The partial ACK's resend arrives: that recovery is over, and the host SACKs more above the last hole.
    rig.deliver(rig.sacking(40056, ACK, host, p + 12 * MSS, WINDOW, new byte[0], p + 13 * MSS, p + 17 * MSS));
    assertThat(rig.sent).as("the last hole's resend is on its way: a new recovery does not send it twice")
        .isEmpty();
    rig.advance(210);
    assertThat(resent(rig.drain(), p + 20 * MSS)).as("lost again: the timer resends it").containsExactly(p + 12 * MSS);
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).isEqualTo(4);
  }

  @Test
  void aResentHoleIsResentAgainWhenTheHostSacksDataSentAfterIt() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40058, 58);
    long p = at[1];
    long host = at[0];
    rig.deliver(rig.sacking(40058, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 4 * MSS));
    assertThat(resent(rig.drain(), p + 20 * MSS)).containsExactly(p);
    rig.deliver(rig.sacking(40058, ACK, host, p, WINDOW, bytes(TEN_SEGMENTS, 59), p + MSS, p + 4 * MSS));
    host += TEN_SEGMENTS;
    assertThat(resent(rig.drain(), p + TEN_SEGMENTS)).as("ten new segments, after the resend").isEmpty();
    rig.deliver(rig.sacking(40058, ACK, host, p, WINDOW, new byte[0], p + 4 * MSS, p + 10 * MSS));
    assertThat(rig.sent).as("the host SACKs only segments sent before the resend: it may be on its way").isEmpty();
    rig.deliver(rig.sacking(40058, ACK, host, p, WINDOW, new byte[0], p + 10 * MSS, p + 11 * MSS));
    assertThat(resent(rig.drain(), p + 20 * MSS)).as("a segment sent after the resend came first: it was lost")
        .containsExactly(p);
    rig.deliver(rig.sacking(40058, ACK, host, p, WINDOW, new byte[0], p + 10 * MSS, p + 12 * MSS));
    assertThat(rig.sent).as("the second resend went after all of them: on its way").isEmpty();
  }

  @Test
  void aPartialAckWithNothingSackedAboveItResendsNothingStillOnItsWay() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40057, 57);
    long p = at[1];
    long end = p + TEN_SEGMENTS;
    long host = at[0];
    rig.deliver(rig.sacking(40057, ACK, host, p, WINDOW, new byte[0], p + MSS, p + 4 * MSS));
    assertThat(resent(rig.drain(), end)).containsExactly(p);
    // The resend filled the hole; the segments after the SACKed ones are still arriving, in order.
    rig.deliver(rig.from(40057, ACK, host, p + 4 * MSS, WINDOW, new byte[0]));
    rig.deliver(rig.from(40057, ACK, host, p + 6 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).as("the host holds nothing above: no hole, no resend").isEmpty();
    // A hole below SACKed data is one, though.
    rig.deliver(rig.sacking(40057, ACK, host, p + 7 * MSS, WINDOW, new byte[0], p + 8 * MSS, p + 9 * MSS));
    assertThat(resent(rig.drain(), end)).containsExactly(p + 7 * MSS);
  }

  @Test
  void aDuplicateAckWithNothingNewSackedDoesNotCount() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] at = tenSegmentsEchoed(rig, 40053, 53);
    long p = at[1];
    long host = at[0];
    rig.deliver(rig.from(40053, ACK, host, p + MSS, WINDOW, new byte[0]));
    for (int i = 0; i < 4; i++) {
      // D-SACK (RFC 2883): the host got the first segment twice; the block lies below the ACK.
      rig.deliver(rig.sacking(40053, ACK, host, p + MSS, WINDOW, new byte[0], p, p + MSS));
    }
    assertThat(rig.sent).as("reports of duplicates, not of losses").isEmpty();
    rig.deliver(rig.sacking(40053, ACK, host, p + MSS, WINDOW, new byte[0], p + 2 * MSS, p + 3 * MSS));
    rig.deliver(rig.sacking(40053, ACK, host, p + MSS, WINDOW, new byte[0], p + 2 * MSS, p + 4 * MSS));
    assertThat(rig.sent).isEmpty();
    rig.deliver(rig.sacking(40053, ACK, host, p + MSS, WINDOW, new byte[0], p + 2 * MSS, p + 5 * MSS));
    assertThat(resent(rig.drain(), p + TEN_SEGMENTS)).containsExactly(p + MSS);
  }

  @Test
  void withoutSackOnlyPureDuplicateAcksCountAndEachPartialAckResendsOneSegment() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40054, WINDOW, false);
    rig.deliver(rig.from(40054, ACK, seq[0], seq[1], WINDOW, bytes(TEN_SEGMENTS, 54)));
    rig.drain();
    long p = seq[1];
    long end = p + TEN_SEGMENTS;
    long host = seq[0] + TEN_SEGMENTS;
    for (int i = 0; i < 3; i++) {
      rig.deliver(rig.from(40054, ACK, host, p, WINDOW, bytes(10, i)));
      host += 10;
    }
    assertThat(resent(rig.drain(), end)).as("ACKs carrying data are not duplicates (RFC 5681)").isEmpty();
    for (int i = 0; i < 3; i++) {
      rig.deliver(rig.from(40054, ACK, host, p, WINDOW, new byte[0]));
    }
    assertThat(resent(rig.drain(), end)).as("three pure duplicates: the first segment").containsExactly(p);
    rig.deliver(rig.from(40054, ACK, host, p + 4 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).as("NewReno: the partial ACK's hole").containsExactly(p + 4 * MSS);
    rig.deliver(rig.from(40054, ACK, host, p + 7 * MSS, WINDOW, new byte[0]));
    assertThat(resent(rig.drain(), end)).containsExactly(p + 7 * MSS);
    assertThat(rig.counters.get(Counters.RETRANSMISSIONS)).isEqualTo(3);
  }

  @Test
  void aZeroWindowIsProbedUntilItOpensThenTheDataFlows() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40004, 0);
    rig.deliver(rig.from(40004, ACK, seq[0], seq[1], 0, bytes(100, 4)));
    TcpSegment ack = rig.next();
    assertThat(ack.acknowledgmentNumber()).isEqualTo(seq[0] + 100);
    assertThat(ack.payloadLength()).as("the host's window is 0: nothing echoed").isZero();

    rig.advance(210);
    TcpSegment probe = rig.next();
    assertThat(probe.payloadLength()).isZero();
    assertThat(probe.sequenceNumber()).as("an old sequence number, which the host must answer").isEqualTo(seq[1] - 1);
    rig.deliver(rig.from(40004, ACK, seq[0] + 100, seq[1], 0, new byte[0]));
    rig.advance(380);
    assertThat(rig.sent).as("the next probe backs off to 400 ms").isEmpty();
    rig.advance(30);
    assertThat(rig.next().sequenceNumber()).isEqualTo(seq[1] - 1);
    assertThat(rig.endpoint(40004)).as("probes answered: never aborted").isNotNull();

    rig.deliver(rig.from(40004, ACK, seq[0] + 100, seq[1], 1000, new byte[0]));
    TcpSegment echo = rig.next();
    assertThat(payload(echo)).isEqualTo(bytes(100, 4));
  }

  @Test
  void keepalivesAndProbesOfOurZeroWindowGetAnAck() {
    // Regression 1: only data and FIN were answered, so keepalives timed the connection out.
    TcpRig rig = new TcpRig(Mode.DISCARD);
    long[] seq = rig.open(40005, WINDOW);
    rig.deliver(rig.from(40005, ACK, seq[0] - 1, seq[1], WINDOW, new byte[0]));
    TcpSegment answer = rig.next();
    assertThat(answer.ack()).isTrue();
    assertThat(answer.acknowledgmentNumber()).isEqualTo(seq[0]);

    TcpRig echo = new TcpRig(Mode.ECHO);
    long[] e = echo.open(40006, 0); // the host never takes the echo: our window closes
    long next = e[0];
    int window = WINDOW;
    while (window > 0) {
      echo.deliver(echo.from(40006, ACK, next, e[1], 0, bytes(Math.min(1460, window), 6)));
      TcpSegment last = echo.drain().get(0);
      next = last.acknowledgmentNumber();
      window = last.window();
    }
    echo.deliver(echo.from(40006, ACK, next, e[1], 0, bytes(1, 6)));
    TcpSegment probeAnswer = echo.next();
    assertThat(probeAnswer.acknowledgmentNumber()).as("the probe's byte is not taken").isEqualTo(next);
    assertThat(probeAnswer.window()).isZero();
  }

  @Test
  void aResetCountsOnlyAtExactlyTheNextSequenceNumber() {
    // Regression 5 (RFC 5961 §3): any RST closed the connection.
    TcpRig rig = new TcpRig(Mode.DISCARD);
    long[] seq = rig.open(40007, WINDOW);
    rig.deliver(rig.from(40007, RST, seq[0] + 100, 0, 0, new byte[0]));
    TcpSegment challenge = rig.next();
    assertThat(challenge.ack()).isTrue();
    assertThat(challenge.rst()).isFalse();
    assertThat(challenge.acknowledgmentNumber()).isEqualTo(seq[0]);
    assertThat(rig.endpoint(40007)).isNotNull();

    rig.deliver(rig.from(40007, RST, seq[0] + 100_000, 0, 0, new byte[0]));
    assertThat(rig.sent).as("outside the window: ignored").isEmpty();
    assertThat(rig.endpoint(40007)).isNotNull();

    rig.deliver(rig.from(40007, RST, seq[0], 0, 0, new byte[0]));
    assertThat(rig.endpoint(40007)).isNull();
    assertThat(rig.counters.get(Counters.ESTABLISHED)).isZero();
  }

  @Test
  void aSynOnAnEstablishedConnectionGetsAChallengeAck() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    long[] seq = rig.open(40008, WINDOW);
    rig.deliver(rig.from(40008, SYN, seq[0] + 5, 0, WINDOW, new byte[0]));
    TcpSegment challenge = rig.next();
    assertThat(challenge.syn()).isFalse();
    assertThat(challenge.acknowledgmentNumber()).isEqualTo(seq[0]);
    assertThat(rig.endpoint(40008).state()).isEqualTo(TcpState.ESTABLISHED);
  }

  @Test
  void dataInTheSynIsNotAcknowledgedAndIsEchoedWhenTheHostSendsItAgain() {
    // RFC 7413 §4.2.2: no Fast Open cookie is ever issued, so the SYN's data waits for the handshake.
    TcpRig rig = new TcpRig(Mode.ECHO);
    rig.deliver(rig.from(40009, SYN, 1000, 0, WINDOW, "hello".getBytes()));
    TcpSegment synAck = rig.next();
    assertThat(synAck.acknowledgmentNumber()).isEqualTo(1001);
    rig.deliver(rig.from(40009, ACK, 1001, synAck.sequenceNumber() + 1, WINDOW, new byte[0]));
    assertThat(rig.sent).isEmpty();
    rig.deliver(rig.from(40009, ACK | PSH, 1001, synAck.sequenceNumber() + 1, WINDOW, "hello".getBytes()));
    TcpSegment echo = rig.next();
    assertThat(payload(echo)).isEqualTo("hello".getBytes());
    assertThat(echo.sequenceNumber()).isEqualTo(synAck.sequenceNumber() + 1);
    assertThat(echo.acknowledgmentNumber()).isEqualTo(1006);
  }

  @Test
  void anAckOfDataNeverSentIsAnsweredAndDropped() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40010, WINDOW);
    rig.deliver(rig.from(40010, ACK, seq[0], seq[1] + 5000, WINDOW, bytes(10, 10)));
    TcpSegment answer = rig.next();
    assertThat(answer.acknowledgmentNumber()).as("the data was dropped with the segment").isEqualTo(seq[0]);
    assertThat(answer.sequenceNumber()).isEqualTo(seq[1]);
    assertThat(rig.sent).isEmpty();
  }

  @Test
  void anOldAckDoesNotChangeTheWindow() {
    // SND.WL1/WL2: a window from an ACK older than the last one is stale.
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40011, WINDOW);
    rig.deliver(rig.from(40011, ACK, seq[0], seq[1], WINDOW, bytes(100, 11)));
    rig.drain();
    rig.deliver(rig.from(40011, ACK, seq[0] + 100, seq[1] + 100, WINDOW, new byte[0]));
    rig.deliver(rig.from(40011, ACK, seq[0] + 100, seq[1], 0, new byte[0])); // reordered, older
    rig.deliver(rig.from(40011, ACK, seq[0] + 100, seq[1] + 100, WINDOW, bytes(50, 12)));
    assertThat(payload(rig.next())).as("the window is still open").isEqualTo(bytes(50, 12));
  }

  @Test
  void outOfOrderSegmentsGetADuplicateAckEachAtOnce() {
    // Regression 2: one duplicate ACK per batch, so the host seldom saw three.
    TcpRig rig = new TcpRig(Mode.DISCARD);
    long[] seq = rig.open(40012, WINDOW);
    for (int k = 1; k <= 3; k++) {
      rig.tcp.handle(rig.from(40012, ACK, seq[0] + 1000L * k, seq[1], WINDOW, bytes(1000, k)));
    }
    List<TcpSegment> acks = rig.drain();
    assertThat(acks).hasSize(3).allSatisfy(a -> assertThat(a.acknowledgmentNumber()).isEqualTo(seq[0]));
    // overlapping a segment already taken: the new part is taken
    rig.deliver(rig.from(40012, ACK, seq[0], seq[1], WINDOW, bytes(500, 0)));
    rig.deliver(rig.from(40012, ACK, seq[0] + 250, seq[1], WINDOW, bytes(500, 0)));
    assertThat(rig.drain()).last().satisfies(a -> assertThat(a.acknowledgmentNumber()).isEqualTo(seq[0] + 750));
  }

  @Test
  void theWindowUpdateAfterTheHostTakesOurEchoReopensAZeroWindow() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] e = rig.open(40013, 0);
    long next = e[0];
    int window = WINDOW;
    while (window > 0) {
      rig.deliver(rig.from(40013, ACK, next, e[1], 0, bytes(Math.min(1460, window), 13)));
      TcpSegment last = rig.drain().get(0);
      next = last.acknowledgmentNumber();
      window = last.window();
    }
    rig.deliver(rig.from(40013, ACK, next, e[1], 65535, new byte[0]));
    List<TcpSegment> out = rig.drain();
    long echoed = out.stream().mapToLong(TcpSegment::payloadLength).sum();
    assertThat(echoed).as("whole segments within the window (no sliver)").isEqualTo(44 * 1460);
    long una = e[1] + echoed;
    rig.deliver(rig.from(40013, ACK, next, una, 65535, new byte[0]));
    List<TcpSegment> after = rig.drain();
    assertThat(after).isNotEmpty();
    assertThat(after.get(after.size() - 1).window()).as("our window opens again").isPositive();
  }

  // ---- connect-many: the peer is the client ----------------------------------------------------

  private static final int SERVER_PORT = 8080;

  /** Opens our own connections as connect-many does, its SYN sent again after a second. */
  private static final class Client implements ActiveOpen {
    @Override
    public void synTimerExpired(TcpEndpoint e, long now) {
      e.resendSyn(now + 1_000_000_000L);
    }

    @Override
    public void established(TcpEndpoint e) {
    }

    @Override
    public void refused(TcpEndpoint e) {
    }

    @Override
    public void ended(TcpEndpoint e) {
    }
  }

  private static TcpSegment clientSyn(TcpRig rig) {
    rig.tcp.connect(new Client(), Discard.DISCARD, null, TcpRig.HOST, SERVER_PORT, TcpRig.FAKE_HOST, 40999, rig.now + 1_000_000_000L);
    TcpSegment syn = rig.next();
    assertThat(syn.syn()).isTrue();
    return syn;
  }

  private static TcpSegment fromServer(TcpSegment syn, int flags, long seq, long ack) {
    return TcpRig.segment(SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort(), flags, seq, ack, WINDOW);
  }

  @Test
  void inSynSentAnUnacceptableAckIsAnsweredWithReset() {
    // Regression 4: a TIME-WAIT socket's ACK was ignored, so the 4-tuple stayed blocked for a minute.
    TcpRig rig = new TcpRig(Mode.DISCARD);
    TcpSegment syn = clientSyn(rig);
    rig.deliver(fromServer(syn, ACK, 777, 123_456));
    TcpSegment rst = rig.next();
    assertThat(rst.rst()).isTrue();
    assertThat(rst.sequenceNumber()).isEqualTo(123_456);

    rig.deliver(fromServer(syn, RST | ACK, 0, 99)); // RFC 5961: a RST not acking our SYN is ignored
    assertThat(rig.tcp.table().get(TcpRig.HOST, SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort()).state())
        .isEqualTo(TcpState.SYN_SENT);
  }

  @Test
  void aLostFinalAckIsSentAgainWhenTheServerRepeatsItsSynAck() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    TcpSegment syn = clientSyn(rig);
    rig.deliver(fromServer(syn, SYN | ACK, 5000, syn.sequenceNumber() + 1));
    assertThat(rig.next().acknowledgmentNumber()).isEqualTo(5001);
    rig.deliver(fromServer(syn, SYN | ACK, 5000, syn.sequenceNumber() + 1));
    TcpSegment again = rig.next();
    assertThat(again.ack()).isTrue();
    assertThat(again.syn()).isFalse();
    assertThat(again.acknowledgmentNumber()).isEqualTo(5001);
  }

  @Test
  void simultaneousCloseEndsInTimeWaitWhichAnswersARetransmittedFin() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    TcpSegment syn = clientSyn(rig);
    long iss = syn.sequenceNumber();
    rig.deliver(fromServer(syn, SYN | ACK, 5000, iss + 1));
    rig.drain();
    TcpEndpoint c = rig.tcp.table().get(TcpRig.HOST, SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort());
    c.close(false);
    TcpSegment ourFin = rig.next();
    assertThat(ourFin.fin()).isTrue();
    // the server's FIN crosses ours: it does not acknowledge our FIN yet
    rig.deliver(fromServer(syn, FIN | ACK, 5001, iss + 1));
    assertThat(c.state()).isEqualTo(TcpState.CLOSING);
    assertThat(rig.next().acknowledgmentNumber()).isEqualTo(5002);
    rig.deliver(fromServer(syn, ACK, 5002, iss + 2));
    assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
    assertThat(rig.counters.get(Counters.CLOSING)).isZero();

    rig.deliver(fromServer(syn, FIN | ACK, 5001, iss + 2)); // our last ACK was lost
    assertThat(rig.next().acknowledgmentNumber()).isEqualTo(5002);
    rig.advance(1100);
    assertThat(rig.tcp.table().size()).as("TIME-WAIT over").isZero();
  }

  @Test
  void halfCloseFromTheHostStillGetsEveryEchoedByteBeforeTheFin() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40014, 1000); // a small window: the echo waits for the host's ACKs
    rig.deliver(rig.from(40014, ACK, seq[0], seq[1], 1000, bytes(3000, 14)));
    rig.deliver(rig.from(40014, FIN | ACK, seq[0] + 3000, seq[1], 1000, new byte[0]));
    long una = seq[1];
    byte[] all = new byte[3000];
    int total = 0;
    boolean fin = false;
    for (int round = 0; round < 10 && !fin; round++) {
      for (TcpSegment s : rig.drain()) {
        byte[] p = payload(s);
        System.arraycopy(p, 0, all, (int) (s.sequenceNumber() - seq[1]), p.length);
        total = Math.max(total, (int) (s.sequenceNumber() - seq[1]) + p.length);
        fin |= s.fin();
        una = s.sequenceNumber() + p.length + (s.fin() ? 1 : 0);
      }
      rig.deliver(rig.from(40014, ACK, seq[0] + 3001, una, 1000, new byte[0]));
    }
    assertThat(fin).isTrue();
    assertThat(total).isEqualTo(3000);
    assertThat(all).isEqualTo(bytes(3000, 14));
    assertThat(rig.endpoint(40014)).isNull();
  }

  @Test
  void outOfOrderDataIsKeptAndSackedUntilTheHoleIsFilled() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40015, WINDOW);
    byte[] all = bytes(3000, 15);
    rig.deliver(rig.from(40015, ACK, seq[0] + 1000, seq[1], WINDOW, java.util.Arrays.copyOfRange(all, 1000, 2000)));
    rig.deliver(rig.from(40015, ACK, seq[0] + 2000, seq[1], WINDOW, java.util.Arrays.copyOfRange(all, 2000, 3000)));
    List<TcpSegment> dupAcks = rig.drain();
    assertThat(dupAcks).hasSize(2);
    TcpSegment last = dupAcks.get(1);
    assertThat(last.acknowledgmentNumber()).isEqualTo(seq[0]);
    assertThat(last.options().sackBlockCount()).isEqualTo(1);
    assertThat(last.options().sackLeft(0)).isEqualTo(seq[0] + 1000);
    assertThat(last.options().sackRight(0)).isEqualTo(seq[0] + 3000);

    rig.deliver(rig.from(40015, ACK, seq[0], seq[1], WINDOW, java.util.Arrays.copyOfRange(all, 0, 1000)));
    List<TcpSegment> echoed = rig.drain();
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    echoed.forEach(e -> got.writeBytes(payload(e)));
    assertThat(got.toByteArray()).as("echoed in order once the hole is filled").isEqualTo(all);
    assertThat(echoed.get(echoed.size() - 1).acknowledgmentNumber()).isEqualTo(seq[0] + 3000);
    assertThat(echoed.get(echoed.size() - 1).options().sackBlockCount()).as("nothing kept any more").isZero();
  }

  @Test
  void segmentsCarryingSackBlocksAreShorterSoThatNoneExceedsTheMtu() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40016, 0); // the host's window is closed: what it sends is echoed later
    rig.deliver(rig.from(40016, ACK, seq[0], seq[1], 0, bytes(4000, 16)));
    rig.deliver(rig.from(40016, ACK, seq[0] + 4500, seq[1], 0, bytes(100, 17))); // after a hole: kept, SACKed
    rig.drain();
    rig.deliver(rig.from(40016, ACK, seq[0] + 4600, seq[1], WINDOW, new byte[0])); // the host's window opens
    List<TcpSegment> echoed = rig.drain();
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    for (TcpSegment e : echoed) {
      got.writeBytes(payload(e));
      assertThat(e.options().sackBlockCount()).isEqualTo(1);
      assertThat(e.ip().totalLength()).as("a packet of the MTU at most, SACK option included").isLessThanOrEqualTo(TcpRig.MTU);
    }
    assertThat(echoed).extracting(TcpSegment::payloadLength).as("payload lengths").containsExactly(1448, 1448, 1104);
    assertThat(java.util.Arrays.equals(got.toByteArray(), bytes(4000, 16))).as("the bytes echoed in order").isTrue();
    assertThat(echoed.get(0).payloadLength()).as("a full segment less the 12 bytes of one SACK block").isEqualTo(1460 - 12);
  }

  @Test
  void outOfOrderDataFarPastAHoleIsKeptApartWhereTheWindowEdgeHasPassedTwoToThe31() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    int port = 40017;
    int inOrder = 100 * 1460; // taken in order: the window grows to about 206 KiB, past 64 KiB
    long isn = (1L << 31) - 100_000 - inOrder - 1; // then RCV.NXT = 2^31 - 100,000, its window's edge past 2^31
    rig.deliver(TcpRig.parse(TcpSegment.builder().source(TcpRig.HOST).destination(TcpRig.FAKE_HOST).sourcePort(port)
        .destinationPort(7).flags(SYN).sequenceNumber(isn).window(65535).mss(1460).sackPermitted(true).windowScale(7)
        .build()));
    long peerSeq = (rig.next().sequenceNumber() + 1) & 0xffffffffL;
    byte[] all = bytes(inOrder + 2000, 17);
    long seq = isn + 1;
    for (int at = 0; at < inOrder; at += 1460) {
      rig.deliver(rig.from(port, ACK, seq + at, peerSeq, 65535, java.util.Arrays.copyOfRange(all, at, at + 1460)));
    }
    long rcvNxt = seq + inOrder;
    rig.deliver(rig.from(port, ACK, rcvNxt + 1000, peerSeq, 65535,
        java.util.Arrays.copyOfRange(all, inOrder + 1000, inOrder + 2000)));
    // 64 KiB further on: the same place in a 64 KiB ring, kept apart (the window reaches past it)
    rig.deliver(rig.from(port, ACK, rcvNxt + 65536 + 1000, peerSeq, 65535, bytes(1000, 99)));
    rig.deliver(rig.from(port, ACK, rcvNxt, peerSeq, 65535, java.util.Arrays.copyOfRange(all, inOrder, inOrder + 1000)));

    byte[] echoed = new byte[all.length];
    long una = peerSeq;
    for (int round = 0; round < 200 && una - peerSeq < all.length; round++) {
      for (TcpSegment s : rig.drain()) {
        byte[] p = payload(s);
        long offset = (s.sequenceNumber() - peerSeq) & 0xffffffffL;
        if (p.length > 0 && offset + p.length <= all.length) {
          System.arraycopy(p, 0, echoed, (int) offset, p.length);
          una = Math.max(una, peerSeq + offset + p.length);
        }
      }
      rig.deliver(rig.from(port, ACK, rcvNxt + 2000, una, 65535, new byte[0]));
    }
    assertThat(una - peerSeq).as("bytes echoed").isEqualTo(all.length);
    assertThat(java.util.Arrays.mismatch(echoed, all)).as("first byte echoed wrong (-1: none); the bytes after"
        + " the hole start at %d", inOrder + 1000).isEqualTo(-1);
  }

  @Test
  void aHostTurnedToDropGoesSilentAndItsConnectionsEndWithoutAWord() {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40016, WINDOW);
    rig.deliver(rig.from(40016, ACK, seq[0], seq[1], WINDOW, bytes(10, 16)));
    rig.drain();
    rig.rules(Rules.of(Mode.DROP));
    for (int i = 0; i < 60; i++) {
      rig.advance(1000);
    }
    assertThat(rig.sent).as("no retransmission, no probe, no RST").isEmpty();
    assertThat(rig.endpoint(40016)).isNull();
    assertThat(rig.counters.get(Counters.ABORTED)).isEqualTo(1);
    assertThat(rig.counters.get(Counters.RESETS_SENT)).isZero();
  }
}
