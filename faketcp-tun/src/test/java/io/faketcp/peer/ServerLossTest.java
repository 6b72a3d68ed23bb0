package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user's {@link Server} under loss: 5% of the fake hosts' packets dropped on the way to the host
 * (iptables INPUT in the test JVM's namespace) and 5% of the host's swallowed before the peer sees
 * them. The server's bytes are retransmitted by the connection's endpoint like any other.
 */
@ExtendWith(RequiresTun.class)
class ServerLossTest {

  @Test
  void echoServerReturnsThreeStreamsOfFourMegabytesIdenticalWithFivePercentLossBothWays() throws Exception {
    LossyPathTest.LossyResponder lossy = new LossyPathTest.LossyResponder(0.05);
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5-192.168.0.7", "7", Server.echo())),
            lossy);
        Iptables drop = Iptables.dropInput(f.device.name(), 0.05)) {
      long start = System.nanoTime();
      CompletableFuture<?>[] streams = new CompletableFuture<?>[3];
      for (int i = 0; i < streams.length; i++) {
        String address = f.address(5 + i);
        streams[i] = ServerTest.inThread("echo " + address, () -> ServerTest.echo(address, 4 * 1024 * 1024, 7));
      }
      CompletableFuture.allOf(streams).get(90, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      System.out.printf("server echo, 3 x 4 MB, 5%% loss both ways: %d ms, %d of the host's packets dropped,"
          + " %d retransmissions by the peer%n", took.toMillis(), lossy.dropped.get(), f.peer.counters().retransmissions());
      assertThat(lossy.dropped.get()).as("host packets dropped").isPositive();
      assertThat(f.peer.counters().retransmissions()).as("the peer retransmitted").isPositive();
      assertThat(f.peer.failure()).isEmpty();
    }
  }
}
