package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Mode;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of short {@code @FakeNetwork} tests in a row, with and without capture, all pass and leave
 * no interface or thread behind. What they cost per test is a benchmark, not a test: the
 * {@code fixture} and {@code surefire} scenarios of {@code faketcp-bench/run} measure it against
 * plain tests in the same run (BENCHMARKS.md).
 */
class RepeatedNetworksTest {
  private static final int TESTS = 150;

  @Test
  void manyNetworksInARowAreEachSetUpAndReleased() {
    Kit.run(CaptureTestCases.class).testEvents().assertStatistics(s -> s.succeeded(TESTS).failed(0));
    Kit.run(NoCaptureTestCases.class).testEvents().assertStatistics(s -> s.succeeded(TESTS).failed(0));
    Kit.assertCleanedUp();
  }

  @Test
  void testsInARowRunTheirFreshPeersOnTheDevicesOnePeerThreadWhichEndsWithTheRun() {
    SameThreadTestCases.threads.clear();
    SameThreadTestCases.counts.clear();
    Kit.assertAllSucceeded(Kit.run(SameThreadTestCases.class), 4);
    assertThat(SameThreadTestCases.threads).hasSize(4);
    assertThat(SameThreadTestCases.threads.stream().distinct()).as("peer threads of the 4 tests").hasSize(1);
    assertThat(SameThreadTestCases.counts).as("connections each test's peer counted").containsExactly(1L, 1L, 1L, 1L);
    Kit.assertCleanedUp();
    assertThat(SameThreadTestCases.threads.get(0).isAlive()).as("the kept thread after the run").isFalse();
  }

  @FakeNetwork
  static class CaptureTestCases {
    @RepeatedTest(TESTS)
    void empty() {}
  }

  @FakeNetwork(capture = false)
  static class NoCaptureTestCases {
    @RepeatedTest(TESTS)
    void empty() {}
  }

  @FakeNetwork(mode = Mode.ECHO, capture = false)
  static class SameThreadTestCases {
    static final List<Thread> threads = new CopyOnWriteArrayList<>();
    static final List<Long> counts = new CopyOnWriteArrayList<>();

    @RepeatedTest(4)
    void echoes(NetworkInfo info, NetworkControl control) throws Exception {
      try (Socket socket = new Socket(info.address(7), 7)) {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
      }
      counts.add(control.counters().connectionsOpened());
      Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("faketcp-peer-" + info.interfaceName())).forEach(threads::add);
    }
  }
}
