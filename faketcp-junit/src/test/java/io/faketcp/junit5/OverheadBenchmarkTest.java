package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * Measures what @FakeNetwork adds to each test as the test run sees it (from the test's STARTED to
 * its FINISHED event: setup, the empty test, teardown): median over 200 tests, with and without
 * capture, minus the median of 200 plain empty tests. Run alone with
 * {@code mvn -o -pl faketcp-junit test -Dtest=OverheadBenchmarkTest}; the numbers are printed.
 */
class OverheadBenchmarkTest {
  private static final int TESTS = 200;

  @Test
  void perTestOverheadIsSmall() {
    Kit.run(CaptureTestCases.class); // warm-up: class loading, libpcap, JIT
    double baseline = median(Kit.run(PlainTestCases.class));
    double withCapture = median(Kit.run(CaptureTestCases.class));
    double withoutCapture = median(Kit.run(NoCaptureTestCases.class));
    System.out.printf(Locale.ROOT, "faketcp per-test overhead (median of %d tests, STARTED..FINISHED):"
        + " with capture %.2f ms, without capture %.2f ms (plain empty test %.3f ms subtracted)%n",
        TESTS, withCapture - baseline, withoutCapture - baseline, baseline);
    // A loose bound that only catches a regression to the naive cycle (about 56 ms).
    assertThat(withCapture - baseline).isLessThan(30);
    assertThat(withoutCapture - baseline).isLessThan(30);
    Kit.assertCleanedUp();
  }

  private static double median(EngineExecutionResults results) {
    results.testEvents().assertStatistics(s -> s.succeeded(TESTS));
    Map<Object, Event> started = new HashMap<>();
    List<Double> millis = new ArrayList<>();
    for (Event e : results.testEvents().list()) {
      if (e.getType() == EventType.STARTED) {
        started.put(e.getTestDescriptor().getUniqueId(), e);
      } else if (e.getType() == EventType.FINISHED) {
        Event s = started.get(e.getTestDescriptor().getUniqueId());
        millis.add(Duration.between(s.getTimestamp(), e.getTimestamp()).toNanos() / 1e6);
      }
    }
    millis.sort(null);
    return millis.get(millis.size() / 2);
  }

  static class PlainTestCases {
    @RepeatedTest(TESTS)
    void empty() {}
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
