package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Faults combine with every mode: the same latency on a refusal, an accept, a discard and an echo. */
@ExtendWith(RequiresTun.class)
class FaultsWithModesTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.90.0/24");

  @Test
  void latencyDelaysTheAnswerOfEveryMode() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.REJECT).withFaults("latency=100ms"), null,
        (direction, packet) -> { })) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> new Socket(f.address(5), 80)).isInstanceOf(ConnectException.class);
      // never sooner than the latency; the upper bounds are loose (a wall clock past them measures a
      // loaded machine), the fault's actions are counted below
      assertThat(millisSince(start)).as("REJECT: the RST+ACK 100 ms late").isBetween(100L, 1000L);

      for (Mode mode : new Mode[] {Mode.ACCEPT, Mode.DISCARD, Mode.ECHO}) {
        f.peer.rules(Rules.of(mode).withFaults("latency=100ms"));
        start = System.nanoTime();
        try (Socket socket = new Socket(f.address(5), 80)) {
          assertThat(millisSince(start)).as("%s: the SYN+ACK 100 ms late", mode).isBetween(100L, 1000L);
        }
      }
      assertThat(f.peer.faultActions().get(Fault.parse("latency=100ms"))).isGreaterThanOrEqualTo(4);
    }
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
