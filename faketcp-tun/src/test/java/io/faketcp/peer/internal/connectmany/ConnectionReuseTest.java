package io.faketcp.peer.internal.connectmany;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.peer.internal.connectmany.ConnectManyRunTest.SERVER_PORT;
import static io.faketcp.peer.internal.connectmany.ConnectManyRunTest.answer;
import static io.faketcp.peer.internal.connectmany.ConnectManyRunTest.request;
import static io.faketcp.peer.internal.connectmany.ConnectManyRunTest.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.Mode;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.tcp.TcpEndpoint;
import io.faketcp.peer.internal.tcp.TcpRig;
import io.faketcp.peer.internal.tcp.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Connect-many reuses closed client connections instead of allocating new ones: a connection
 * something still refers to must never be reused. (That a recycled endpoint is exactly a new one is
 * TcpEndpointRecycleTest's.)
 */
class ConnectionReuseTest {
  /** The server's RST of the connection {@code syn} opened (accept, then close with SO_LINGER 0). */
  private static void reset(TcpRig rig, TcpSegment syn) {
    rig.deliver(TcpRig.segment(SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort(), RST | ACK, 5001, 0, 0));
  }

  private static TcpEndpoint endpoint(TcpRig rig, TcpSegment syn) {
    return rig.tcp.table().get(TcpRig.HOST, SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort());
  }

  @Test
  void aClosedConnectionLetGoIsKeptAsASpareAndReusedForTheNextSyn() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ClientPool pool = new ClientPool();
    ConnectManyRun run = start(rig, request(3).inFlight(1), pool);
    TcpSegment syn = rig.next();
    TcpEndpoint used = endpoint(rig, syn);
    rig.now += 50_000;
    answer(rig, syn);
    rig.drain();
    rig.now += 200_000_000; // past connect-many's recent-ACK memory
    run.pump(rig.now);
    answer(rig, rig.next()); // the second one's handshake lets the first go from the recent ACKs
    rig.drain();
    reset(rig, syn);
    assertThat(used.state()).isEqualTo(TcpState.CLOSED);
    assertThat(pool.spares()).as("closed and let go: kept as a spare").isEqualTo(1);

    run.pump(rig.now);
    TcpSegment third = rig.next();
    assertThat(third.syn()).isTrue();
    assertThat(endpoint(rig, third)).as("the spare, reused").isSameAs(used);
    assertThat(used.state()).isEqualTo(TcpState.SYN_SENT);
    assertThat(pool.spares()).isZero();
  }

  @Test
  void connectionsResetByTheServerAreReusedForTheNextSyns() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(200).inFlight(1), new ClientPool());
    List<TcpEndpoint> objects = new ArrayList<>();
    TcpSegment previous = null;
    for (int i = 0; i < 200; i++) {
      rig.now += 1_000_000;
      run.pump(rig.now);
      TcpSegment syn = rig.next();
      TcpEndpoint c = endpoint(rig, syn);
      assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
      if (!objects.contains(c)) {
        objects.add(c);
      }
      answer(rig, syn);
      assertThat(rig.next().ack()).as("final ACK").isTrue();
      if (previous != null) {
        reset(rig, previous);
      }
      previous = syn;
      rig.now += 150_000_000; // every handshake leaves the recent-ACK memory before its RST
    }
    assertThat(run.future.getNow(null).established).isEqualTo(200);
    assertThat(objects.size()).as("connection objects for 200 connections").isLessThanOrEqualTo(4);
    assertThat(rig.counters.get(Counters.ESTABLISHED)).as("only the last one is still open").isEqualTo(1);
  }

  @Test
  void aConnectionStillHeldForItsFinalAckIsNotReusedUntilLetGo() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ClientPool pool = new ClientPool();
    ConnectManyRun run = start(rig, request(2).inFlight(1), pool);
    TcpSegment first = rig.next();
    TcpEndpoint c = endpoint(rig, first);
    ClientConnection client = (ClientConnection) c.opener();
    rig.now += 50_000;
    answer(rig, first);
    rig.drain();
    reset(rig, first); // at once: its final ACK is still among the recent ones
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(client.acksKept).isTrue();
    assertThat(pool.spares()).isZero();

    run.pump(rig.now);
    TcpSegment second = rig.next();
    assertThat(endpoint(rig, second)).as("a new object, not the one still held").isNotSameAs(c);
    rig.now += 200_000_000;
    answer(rig, second); // the recent ACKs forget the first: now it is a spare
    assertThat(client.acksKept).isFalse();
    assertThat(pool.spares()).isEqualTo(1);
  }

  @Test
  void closeClientConnectionsClosesEveryOpenConnectionOfTheRunOnceWhateverWasReused() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(20).inFlight(4));
    while (!run.done()) {
      List<TcpSegment> syns = rig.drain().stream().filter(s -> s.syn() && !s.ack()).collect(Collectors.toList());
      for (TcpSegment syn : syns) {
        answer(rig, syn);
      }
      rig.now += 200_000_000;
      for (int k = 0; k < syns.size(); k += 2) {
        reset(rig, syns.get(k)); // the server closed every other one
      }
      run.pump(rig.now);
    }
    rig.drain();
    int open = (int) rig.counters.get(Counters.ESTABLISHED);
    run.closeAll(true);
    rig.tcp.flush();
    List<TcpSegment> resets = rig.drain();
    assertThat(resets).allSatisfy(s -> assertThat(s.rst()).isTrue());
    assertThat(resets).as("one RST per open connection").hasSize(open);
    assertThat(resets.stream().map(TcpSegment::sourcePort).distinct().count()).isEqualTo(open);
    assertThat(rig.counters.get(Counters.ESTABLISHED)).isZero();
  }
}
