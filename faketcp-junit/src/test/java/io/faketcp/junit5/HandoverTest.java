package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;

import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A test that closes a socket and ends at once leaves nothing for the next test on its subnet: the
 * fixture lets the fake host acknowledge the FIN first, so the kernel never retransmits it into the
 * next test's network (where that test's peer would answer with a reset), and the last ACK of the close
 * is not in the next test's capture either.
 */
class HandoverTest {

  @Test
  void aCloseAtTheEndOfATestFinishesBeforeTheNextTestOnTheSubnetBegins() {
    Kit.assertAllSucceeded(Kit.run(PerTestTestCases.class, PerClassTestCases.class,
        PerClassWithLatencyTestCases.class), 3 * ROUNDS);
    Kit.assertCleanedUp();
  }

  private static final int ROUNDS = 5;
  /**
   * Longer than the kernel's retransmission timeout here (200 ms at least, plus the round trip): a FIN
   * left unanswered comes back within it.
   */
  private static final long LOOK_MILLIS = 400;

  /** Looks for anything left of the test before, then closes a connection and ends without waiting. */
  static void lookThenCloseAndEnd(NetworkInfo net, Capture capture) throws IOException, InterruptedException {
    lookThenCloseAndEnd(net, capture, false);
  }

  /** As {@link #lookThenCloseAndEnd(NetworkInfo, Capture)}; {@code abort}: closes with a reset (SO_LINGER 0). */
  static void lookThenCloseAndEnd(NetworkInfo net, Capture capture, boolean abort)
      throws IOException, InterruptedException {
    Thread.sleep(LOOK_MILLIS);
    assertThat(capture).hasSize(0);
    try (Socket s = new Socket(net.address(5), 80)) {
      s.getOutputStream().write(1);
      if (abort) {
        s.setSoLinger(true, 0);
      }
    }
  }

  // The fake host answers 20 ms late: the test is over before the FIN is acknowledged, every time.
  @FakeNetwork(subnet = "10.24.0.0/24", faults = "latency=20ms")
  static class PerTestTestCases {
    @RepeatedTest(ROUNDS)
    void closesAndEnds(NetworkInfo net, Capture capture) throws Exception {
      lookThenCloseAndEnd(net, capture);
    }
  }

  static class PerClassTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.24.0.0/24").build();

    @RepeatedTest(ROUNDS)
    void closesAndEnds(NetworkInfo info, Capture capture) throws Exception {
      lookThenCloseAndEnd(info, capture);
    }
  }

  static class PerClassWithLatencyTestCases {
    // The fake host's echo of the byte leaves 20 ms late; the host resets the connection at once, so
    // both ends are closed while the echo is still held back: it must not reach the next test.
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.24.0.0/24").mode(Mode.ECHO)
        .fault(Fault.latency(Duration.ofMillis(20))).build();

    @RepeatedTest(ROUNDS)
    void resetsAndEnds(NetworkInfo info, Capture capture) throws Exception {
      lookThenCloseAndEnd(info, capture, true);
    }
  }
}
