package io.faketcp.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.peer.PeerCounters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * The fixture's cost, run through the JUnit test kit in this JVM (which must be in a private network
 * namespace):
 * <ul>
 *   <li>{@code overhead ROUNDS}: per round, 200 plain empty tests, 200 {@code @FakeNetwork} tests with
 *       capture, 200 without and 200 with capture and three declared names (a fake DNS server); per-test
 *       time is STARTED..FINISHED (setup, empty test, teardown);
 *       prints the medians and the overhead (median minus the plain median) for each round.</li>
 *   <li>{@code capture LOADGEN TOTAL INFLIGHT}: one {@code @FakeNetwork} test runs {@code loadgen
 *       connect 80 TOTAL INFLIGHT} (the handshake-rate load) and compares what the peer read and wrote
 *       with what the capture holds.</li>
 * </ul>
 */
public final class FixtureBench {
  static final int TESTS = 200;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "overhead":
        overhead(Integer.parseInt(args[1]));
        break;
      case "capture":
        System.setProperty("bench.loadgen", args[1]);
        System.setProperty("bench.total", args[2]);
        System.setProperty("bench.inflight", args[3]);
        EngineExecutionResults r = run(CaptureLoad.class);
        r.testEvents().failed().stream().forEach(e -> System.out.println("FAILED " + e));
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
    System.exit(0);
  }

  private static void overhead(int rounds) {
    run(CaptureTestCases.class); // warm-up: class loading, libpcap, JIT
    run(PlainTestCases.class);
    for (int i = 0; i < rounds; i++) {
      double plain = median(run(PlainTestCases.class));
      double capture = median(run(CaptureTestCases.class));
      double noCapture = median(run(NoCaptureTestCases.class));
      double names = median(run(NamesTestCases.class));
      System.out.printf(Locale.ROOT,
          "fixture round %d plain %.3f ms capture %.3f ms nocapture %.3f ms overhead-capture %.3f ms"
          + " overhead-nocapture %.3f ms names %.3f ms overhead-names %.3f ms%n", i + 1, plain, capture, noCapture,
          capture - plain, noCapture - plain, names, names - plain);
    }
  }

  static EngineExecutionResults run(Class<?> c) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(c)).execute();
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

  /** As {@link CaptureTestCases}, with three declared names: a fake DNS server runs in every test. */
  @FakeNetwork(hosts = {"db.test=192.168.0.5", "api.test=192.168.0.6", "cache.test=192.168.0.7"})
  static class NamesTestCases {
    @RepeatedTest(TESTS)
    void empty() {}
  }

  static class CaptureLoad {
    // A million handshake packets, about 124 bytes each in the budget's count: all kept whole.
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().captureLimit(1_000_000)
        .captureBudget(256L << 20).build();

    @Test
    void handshakeLoad(NetworkControl control, Capture capture) throws Exception {
      Process p = new ProcessBuilder(System.getProperty("bench.loadgen"), "connect", "80",
          System.getProperty("bench.total"), System.getProperty("bench.inflight")).redirectErrorStream(true).start();
      String out;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        out = r.readLine();
      }
      p.waitFor();
      long t0 = System.nanoTime();
      CapturedPackets packets = capture.packets();
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      PeerCounters c = control.counters();
      long peer = c.packetsIn() + c.packetsOut();
      System.out.printf(Locale.ROOT,
          "capture load: %s%ncapture peer-packets %d captured %d missing %d complete %b waited %d ms note '%s'%n",
          out, peer, packets.size(), packets.missing(), packets.isComplete(), waitedMs, packets.note());
    }
  }
}
