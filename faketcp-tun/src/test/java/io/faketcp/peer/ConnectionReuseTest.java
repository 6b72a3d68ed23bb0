package io.faketcp.peer;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.peer.ConnectManyRunTest.SERVER_PORT;
import static io.faketcp.peer.ConnectManyRunTest.answer;
import static io.faketcp.peer.ConnectManyRunTest.request;
import static io.faketcp.peer.ConnectManyRunTest.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Connect-many reuses closed client connections instead of allocating new ones: a reused connection
 * must be exactly a new one, and a connection something still refers to must never be reused.
 */
class ConnectionReuseTest {
  /** The server's RST of the connection {@code syn} opened (accept, then close with SO_LINGER 0). */
  private static void reset(TcpRig rig, TcpSegment syn) {
    rig.deliver(TcpRig.segment(SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort(), RST | ACK, 5001, 0, 0));
  }

  private static Connection connection(TcpRig rig, TcpSegment syn) {
    return rig.tcp.table().get(TcpRig.HOST, SERVER_PORT, syn.ip().sourceInt(), syn.sourcePort());
  }

  private static List<Field> fields() {
    List<Field> fields = new ArrayList<>();
    for (Class<?> k = Connection.class; k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          f.setAccessible(true);
          fields.add(f);
        }
      }
    }
    return fields;
  }

  @Test
  void aReusedConnectionIsFieldForFieldANewOne() throws Exception {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(3).inFlight(1));
    TcpSegment syn = rig.next();
    Connection used = connection(rig, syn);
    rig.now += 50_000;
    answer(rig, syn); // established: sequence numbers, window, RTT, state all moved
    rig.drain();
    rig.now += 200_000_000; // past connect-many's recent-ACK memory
    run.pump(rig.now);
    answer(rig, rig.next()); // the second one's handshake lets the first go from the recent ACKs
    rig.drain();
    reset(rig, syn);
    assertThat(used.state).isEqualTo(Connection.CLOSED);
    assertThat(used.spare).as("closed and let go: kept as a spare").isTrue();
    assertThat(rig.tcp.spareConnections()).isEqualTo(1);

    used.reuse(TcpRig.HOST, 9, TcpRig.PEER, 10, run);
    Connection fresh = new Connection(rig.tcp, TcpRig.HOST, 9, TcpRig.PEER, 10, run);
    for (Field f : fields()) {
      assertThat(f.get(used)).as("field %s after reuse", f.getName()).isEqualTo(f.get(fresh));
    }
  }

  @Test
  void connectionsResetByTheServerAreReusedForTheNextSyns() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(200).inFlight(1));
    List<Connection> objects = new ArrayList<>();
    TcpSegment previous = null;
    for (int i = 0; i < 200; i++) {
      rig.now += 1_000_000;
      run.pump(rig.now);
      TcpSegment syn = rig.next();
      Connection c = connection(rig, syn);
      assertThat(c.state).isEqualTo(Connection.SYN_SENT);
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
    assertThat(run.future.getNow(null).established()).isEqualTo(200);
    assertThat(objects.size()).as("connection objects for 200 connections").isLessThanOrEqualTo(4);
    assertThat(rig.counters.get(Counters.ESTABLISHED)).as("only the last one is still open").isEqualTo(1);
  }

  @Test
  void aConnectionStillHeldForItsFinalAckIsNotReusedUntilLetGo() {
    TcpRig rig = new TcpRig(Mode.DISCARD);
    ConnectManyRun run = start(rig, request(2).inFlight(1));
    TcpSegment first = rig.next();
    Connection c = connection(rig, first);
    rig.now += 50_000;
    answer(rig, first);
    rig.drain();
    reset(rig, first); // at once: its final ACK is still among the recent ones
    assertThat(c.state).isEqualTo(Connection.CLOSED);
    assertThat(c.acksKept).isTrue();
    assertThat(rig.tcp.spareConnections()).isZero();

    run.pump(rig.now);
    TcpSegment second = rig.next();
    assertThat(connection(rig, second)).as("a new object, not the one still held").isNotSameAs(c);
    rig.now += 200_000_000;
    answer(rig, second); // the recent ACKs forget the first: now it is a spare
    assertThat(c.acksKept).isFalse();
    assertThat(rig.tcp.spareConnections()).isEqualTo(1);
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
