package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Faults through the extension: a bad spec stops the test before it runs; a failure names the seed that replays it. */
class FaultReportingTest {

  @Test
  void aBadSpecOnATestFailsItBeforeItRunsNamingTheBadPartAndTheFix() {
    BadSpecTestCases.ran = false;
    Kit.run(BadSpecTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("lossAboveAHundredPercent"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.startsWith("@FakeNetwork(faults = \"loss=150%\") is invalid: fault 'loss=150%': loss '150%'"
                + " is not a percentage from 0% to 100%: write e.g. loss=5% or loss=0.5%")))));
    assertThat(BadSpecTestCases.ran).as("the test body ran").isFalse();
    Kit.assertCleanedUp();
  }

  @Test
  void aBadSpecOnAClassFailsTheClassNamingTheUnknownFault() {
    Kit.run(BadClassSpecTestCases.class).containerEvents().assertThatEvents().haveExactly(1,
        event(container(BadClassSpecTestCases.class), finishedWithFailure(
            instanceOf(ExtensionConfigurationException.class),
            message(m -> m.startsWith("@FakeNetwork(faults = \"lag=1s\") is invalid: fault 'lag=1s': unknown fault"
                + " 'lag': expected one of latency, latency-in, loss,")))));
    Kit.assertCleanedUp();
  }

  @Test
  void aFailingTestWithRandomFaultsNamesItsSeedInTheFailureAndTheTranscript() throws IOException {
    Path txt = Path.of("target/faketcp/FaultReportingTest.RandomFaultTestCases.failsWithLoss.txt");
    Files.deleteIfExists(txt);
    EngineExecutionResults results = Kit.run(RandomFaultTestCases.class);

    results.testEvents().assertStatistics(s -> s.failed(2).succeeded(0));
    String replay = "seed " + RandomFaultTestCases.seed + " (-Dfaketcp.seed=" + RandomFaultTestCases.seed
        + " replays it)";
    Throwable captured = failure(results, "failsWithLoss");
    assertThat(captured).hasMessage("the application broke");
    assertThat(captured.getSuppressed()).singleElement().extracting(Throwable::getMessage).asString()
        .contains("faults [loss=5%] " + replay, txt.toString());
    assertThat(Files.readString(txt)).contains("\n# faults [loss=5%] " + replay);

    Throwable uncaptured = failure(results, "failsWithLossAndNoCapture");
    assertThat(uncaptured.getSuppressed()).as("no capture, yet the seed is named").singleElement()
        .extracting(Throwable::getMessage).asString()
        .startsWith("faketcp faults [loss=5%] seed " + RandomFaultTestCases.seedWithoutCapture + " (-Dfaketcp.seed="
            + RandomFaultTestCases.seedWithoutCapture + " replays it)");
    Kit.assertCleanedUp();
  }

  @Test
  void theSeedPropertyReplaysASeedAndTheNetworksSeedOrASeedSpecWinsOverIt() {
    SeedPropertyTestCases.seeds.clear();
    String before = System.getProperty("faketcp.seed");
    System.setProperty("faketcp.seed", "987654321");
    try {
      Kit.assertAllSucceeded(Kit.run(SeedPropertyTestCases.class), 3);
    } finally {
      if (before == null) {
        System.clearProperty("faketcp.seed");
      } else {
        System.setProperty("faketcp.seed", before);
      }
    }
    assertThat(SeedPropertyTestCases.seeds).containsExactly(987654321L, 5L, 6L);
  }

  private static Throwable failure(EngineExecutionResults results, String test) {
    return results.testEvents().failed().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(test + "("))
        .findFirst().orElseThrow().getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  static class BadSpecTestCases {
    static boolean ran;

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = {"latency=10ms", "loss=150%"})
    void lossAboveAHundredPercent() {
      ran = true;
    }
  }

  @FakeNetwork(mode = Mode.ECHO, faults = {"latency=10ms", "lag=1s"})
  static class BadClassSpecTestCases {
    @Test
    void test() {}
  }

  @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
  static class SeedPropertyTestCases {
    static final java.util.List<Long> seeds = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = "loss=5%", capture = false)
    void a(NetworkControl control) {
      seeds.add(control.seed());
    }

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = {"loss=5%", "seed=5"}, capture = false)
    void b(NetworkControl control) {
      seeds.add(control.seed());
    }

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = "loss=5%", seed = 6, capture = false)
    void c(NetworkControl control) {
      seeds.add(control.seed());
    }
  }

  static class RandomFaultTestCases {
    static long seed;
    static long seedWithoutCapture;

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = "loss=5%")
    void failsWithLoss(NetworkInfo net, NetworkControl control) throws IOException {
      seed = control.seed();
      echo(net);
      fail("the application broke");
    }

    @Test
    @FakeNetwork(mode = Mode.ECHO, faults = "loss=5%", capture = false)
    void failsWithLossAndNoCapture(NetworkInfo net, NetworkControl control) throws IOException {
      seedWithoutCapture = control.seed();
      echo(net);
      fail("the application broke");
    }

    private static void echo(NetworkInfo net) throws IOException {
      try (Socket socket = new Socket(net.address(5), 7)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(new byte[100]);
        socket.getInputStream().readNBytes(100);
      }
    }
  }
}
