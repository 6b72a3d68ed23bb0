package io.faketcp.peer.internal.connectmany;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.Mode;
import io.faketcp.peer.TestAccess;
import io.faketcp.peer.internal.tcp.TcpRig;
import io.faketcp.tun.Subnet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Connect-many's SYN schedule on a fake clock, the test playing the server: no tun. */
class ConnectManyRunTest {
  static final int SERVER_PORT = 8080;

  /** Connect-many as {@code request} says, started at the rig's now. Also used by {@link ConnectionReuseTest}. */
  static ConnectManyRun start(TcpRig rig, ConnectMany request) {
    return start(rig, request, new ClientPool());
  }

  /** The same, reusing connections through {@code pool}. */
  static ConnectManyRun start(TcpRig rig, ConnectMany request, ClientPool pool) {
    ConnectManyRun run = new ConnectManyRun(TestAccess.plan(request), rig.tcp, new ConnectManyRun.Sources(Subnet.DEFAULT),
        pool);
    run.start(rig.now);
    return run;
  }

  static ConnectMany request(int count) {
    return ConnectMany.to(new InetSocketAddress("192.168.0.1", SERVER_PORT), count);
  }

  /** The server's SYN+ACK to {@code syn}, with its ISN 5000. */
  static void answer(TcpRig rig, TcpSegment syn) {
    rig.deliver(TcpRig.segment(SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort(), SYN | ACK, 5000,
        syn.sequenceNumber() + 1, 65535));
  }

  private static List<TcpSegment> syns(List<TcpSegment> segments) {
    return segments.stream().filter(s -> s.syn() && !s.ack()).collect(Collectors.toList());
  }

  @Test
  void aSynLostAfterTheRoundTripWasMeasuredIsSentAgainAfterTenMillisecondsNotTheInitialTimeout() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(2).inFlight(1));
    TcpSegment first = rig.next();
    rig.now += 50_000; // the host answers within 50 µs, as a local kernel does
    answer(rig, first);
    assertThat(rig.next().ack()).as("our ACK of the SYN+ACK").isTrue();
    run.pump(rig.now);
    TcpSegment second = rig.next();
    assertThat(second.syn()).isTrue();

    rig.advance(9);
    assertThat(rig.sent).as("nothing before the measured timeout").isEmpty();
    rig.advance(1);
    List<TcpSegment> retransmitted = syns(rig.drain()); // with the first connection's final ACK again
    assertThat(retransmitted).hasSize(1);
    TcpSegment again = retransmitted.get(0);
    assertThat(again.sequenceNumber()).isEqualTo(second.sequenceNumber());
    assertThat(again.sourcePort()).isEqualTo(second.sourcePort());
    rig.advance(19);
    assertThat(rig.sent).as("backed off: doubled").isEmpty();
    rig.advance(1);
    assertThat(syns(rig.drain())).hasSize(1);

    answer(rig, second);
    ConnectManyRun.Outcome result = run.future.getNow(null);
    assertThat(result.established).isEqualTo(2);
    assertThat(result.synRetransmissions).isEqualTo(2);
  }

  @Test
  void beforeAnyAnswerTheInitialTimeoutApplies() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    start(rig, request(1).initialRetransmissionTimeout(Duration.ofMillis(300)));
    rig.next();
    rig.advance(299);
    assertThat(rig.sent).isEmpty();
    rig.advance(1);
    assertThat(rig.next().syn()).isTrue();
  }

  @Test
  void aConnectionGivesUpAfterAsLongAsItsRetransmissionsAtTheInitialTimeoutWouldTake() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    // 100 + 200 + 400 ms: 700 ms of patience, whatever the measured timeout
    ConnectManyRun run = start(rig, request(2).inFlight(1).initialRetransmissionTimeout(Duration.ofMillis(100))
        .maxRetransmissions(2));
    TcpSegment first = rig.next();
    rig.now += 50_000;
    answer(rig, first);
    rig.drain();
    run.pump(rig.now);
    assertThat(rig.next().syn()).isTrue();
    long sentAt = rig.now;
    for (int ms = 0; ms < 699; ms++) {
      rig.advance(1);
    }
    assertThat(run.done()).isFalse();
    List<TcpSegment> retransmitted = syns(rig.drain());
    assertThat(retransmitted.size()).as("sent again from 10 ms on, doubling: 10, 30, 70, 150, 310, 630 ms")
        .isEqualTo(6);
    rig.now = sentAt + Duration.ofMillis(700).toNanos();
    rig.tcp.fireTimers(rig.now);
    ConnectManyRun.Outcome result = run.future.getNow(null);
    assertThat(result).isNotNull();
    assertThat(result.established).isEqualTo(1);
    assertThat(result.timedOut).isEqualTo(1);
    assertThat(rig.tcp.table().size()).as("the given-up connection left the table").isEqualTo(1);
  }

  @Test
  void aLostSynHalvesTheWindowSoFewerNewSynsFollow() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(1000));
    List<TcpSegment> window = rig.drain();
    assertThat(window).hasSize(ConnectManyPacing.INITIAL_WINDOW);
    rig.now += 50_000;
    for (int i = 1; i < window.size(); i++) {
      answer(rig, window.get(i)); // all but the first answered
    }
    rig.drain();
    rig.advance(200); // the first one's timeout: lost
    assertThat(syns(rig.drain())).hasSize(1);
    run.pump(rig.now);
    // slow start: 63 answers took the window from 64 to 127; the loss halves it to 63, one is in flight
    assertThat(syns(rig.drain())).as("half the window, less the one still in flight").hasSize(62);
  }

  @Test
  void aLostSynSendsTheRecentFinalAcksAgainAtOnceAndWhenARetransmittedSynIsAnswered() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(3));
    List<TcpSegment> sent = rig.drain();
    assertThat(sent).hasSize(3);
    rig.now += 50_000;
    answer(rig, sent.get(0));
    answer(rig, sent.get(1));
    List<TcpSegment> acks = rig.drain();
    assertThat(acks).hasSize(2).allSatisfy(a -> assertThat(a.ack() && !a.syn()).isTrue());

    rig.advance(200); // the third SYN (sent before any answer: the initial timeout) is lost: the accept queue
    // was full, so the two ACKs sent just after it may have been dropped too
    List<TcpSegment> afterLoss = rig.drain();
    assertThat(syns(afterLoss)).hasSize(1);
    assertThat(finalAcks(afterLoss)).containsExactlyInAnyOrder(sent.get(0).sourcePort(), sent.get(1).sourcePort());

    answer(rig, sent.get(2)); // the retransmitted SYN got in: the queue has room again
    List<TcpSegment> afterRoom = rig.drain();
    assertThat(finalAcks(afterRoom)).containsExactlyInAnyOrder(sent.get(0).sourcePort(), sent.get(1).sourcePort(),
        sent.get(2).sourcePort());
    assertThat(run.future.getNow(null).established).isEqualTo(3);
  }

  @Test
  void noFinalAckIsSentAgainWhileNoSynIsLost() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    start(rig, request(2));
    List<TcpSegment> sent = rig.drain();
    rig.now += 50_000;
    answer(rig, sent.get(0));
    answer(rig, sent.get(1));
    rig.drain();
    rig.advance(5000);
    assertThat(rig.sent).isEmpty();
  }

  @Test
  void aSynTimeoutWaitsWhileThePeerHasPacketsItHasNotRead() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    start(rig, request(1).initialRetransmissionTimeout(Duration.ofMillis(20)));
    rig.next();
    rig.tcp.readAll(false); // the last read stopped at its batch limit: the SYN+ACK may be waiting
    rig.advance(30);
    assertThat(rig.sent).as("not called lost while answers may be unread").isEmpty();
    rig.tcp.readAll(true);
    rig.advance(1);
    assertThat(rig.next().syn()).isTrue();
  }

  private static List<Integer> finalAcks(List<TcpSegment> segments) {
    return segments.stream().filter(s -> s.ack() && !s.syn() && !s.rst()).map(TcpSegment::sourcePort)
        .collect(Collectors.toList());
  }
}
