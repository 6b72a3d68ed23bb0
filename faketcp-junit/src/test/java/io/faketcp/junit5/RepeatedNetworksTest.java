package io.faketcp.junit5;

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
}
