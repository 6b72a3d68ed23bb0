package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The open-addressing connection table against a plain map: lookups, replacement, removal with backward shift. */
class ConnectionTableTest {
  private static final int HOST = 0xC0A80001;

  private static TcpEndpoint endpoint(int hostPort, int fakeAddress, int fakePort) {
    return new TcpEndpoint(null, HOST, hostPort, fakeAddress, fakePort);
  }

  private static long key(TcpEndpoint c) {
    return (long) (c.fakeAddress() & 0xff) << 32 | (long) c.hostPort() << 16 | c.fakePort();
  }

  @Test
  void findsEveryConnectionByItsFourTupleAndNothingElse() {
    ConnectionTable table = new ConnectionTable();
    List<TcpEndpoint> all = new ArrayList<>();
    for (int port = 1024; port < 1024 + 5000; port++) {
      TcpEndpoint c = endpoint(8080, 0xC0A80002 + port % 3, port);
      table.put(c);
      all.add(c);
    }
    assertThat(table.size()).isEqualTo(5000);
    assertThat(table.capacity()).as("at most half full").isGreaterThanOrEqualTo(10_000);
    for (TcpEndpoint c : all) {
      assertThat(table.get(HOST, 8080, c.fakeAddress(), c.fakePort())).isSameAs(c);
      assertThat(table.get(HOST, 8081, c.fakeAddress(), c.fakePort())).as("another host port").isNull();
      assertThat(table.get(HOST + 1, 8080, c.fakeAddress(), c.fakePort())).as("another host address").isNull();
    }
    assertThat(table.all()).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void aSecondConnectionOnTheSameTupleReplacesTheFirst() {
    ConnectionTable table = new ConnectionTable();
    TcpEndpoint first = endpoint(80, 0xC0A80005, 40000);
    TcpEndpoint second = endpoint(80, 0xC0A80005, 40000);
    table.put(first);
    table.put(second);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.get(HOST, 80, 0xC0A80005, 40000)).isSameAs(second);
    table.remove(first); // by tuple, as the map did
    assertThat(table.size()).isZero();
    assertThat(table.get(HOST, 80, 0xC0A80005, 40000)).isNull();
  }

  @Test
  void randomPutsAndRemovesAgreeWithAMapAndLeaveNoStaleEntries() {
    ConnectionTable table = new ConnectionTable();
    Map<Long, TcpEndpoint> expected = new HashMap<>();
    SplittableRandom random = new SplittableRandom(11);
    for (int step = 0; step < 200_000; step++) {
      // few distinct tuples, so that removals keep hitting runs of colliding entries
      TcpEndpoint c = endpoint(80 + random.nextInt(2), 0xC0A80002 + random.nextInt(4), 1024 + random.nextInt(600));
      if (random.nextInt(3) == 0 || expected.containsKey(key(c))) {
        table.remove(c);
        expected.remove(key(c));
      } else {
        table.put(c);
        expected.put(key(c), c);
      }
      if (step % 5000 == 0) {
        for (TcpEndpoint e : expected.values()) {
          assertThat(table.get(HOST, e.hostPort(), e.fakeAddress(), e.fakePort())).isSameAs(e);
        }
      }
    }
    assertThat(table.size()).isEqualTo(expected.size());
    assertThat(table.all()).containsExactlyInAnyOrderElementsOf(expected.values());
    for (TcpEndpoint e : new ArrayList<>(expected.values())) {
      table.remove(e);
      expected.remove(key(e));
      assertThat(table.get(HOST, e.hostPort(), e.fakeAddress(), e.fakePort())).isNull();
    }
    assertThat(table.size()).isZero();
    assertThat(table.all()).isEmpty();
  }
}
