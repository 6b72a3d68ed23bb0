package io.faketcp.junit5;

import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.junit5.internal.Environment;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Missing prerequisites: fail by default, skip when the annotation opts in, fail again when the build requires. */
class PrerequisitesTest {
  private static final String MISSING = "/dev/net/tun is missing: load the driver with 'sudo modprobe tun'";
  private String require;

  /** Runs {@code testClass} pretending that {@link #MISSING} is missing (only within that run). */
  private static EngineExecutionResults runWithoutTun(Class<?> testClass) {
    return Kit.run(Map.of("faketcp.internal.simulateMissing", MISSING), testClass);
  }

  @BeforeEach
  void clearRequire() {
    require = System.getProperty(Environment.REQUIRE_PROPERTY);
    System.clearProperty(Environment.REQUIRE_PROPERTY);
  }

  @AfterEach
  void restore() {
    if (require == null) {
      System.clearProperty(Environment.REQUIRE_PROPERTY);
    } else {
      System.setProperty(Environment.REQUIRE_PROPERTY, require);
    }
  }

  @Test
  void byDefaultTheTestFailsWithOneLineSayingWhatIsMissingAndHowToFixIt() {
    runWithoutTun(DefaultTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("test"), finishedWithFailure(instanceOf(IllegalStateException.class),
            message("faketcp cannot create a fake network: " + MISSING
                + " (@FakeNetwork(skipIfUnavailable = true) skips instead of failing)"))));
    Kit.assertCleanedUp();
  }

  @Test
  void skipIfUnavailableSkipsTheTest() {
    runWithoutTun(SkipTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        skippedWithReason("faketcp cannot run here: " + MISSING));
  }

  @Test
  void skipIfUnavailableInTheBuilderSkipsToo() {
    runWithoutTun(BuilderSkipTestCases.class).allEvents().assertThatEvents().haveAtLeastOne(
        skippedWithReason(r -> r.contains(MISSING)));
  }

  @Test
  void aBuildThatRequiresTheNetworkFailsEvenWhenSkippingIsAllowed() {
    System.setProperty(Environment.REQUIRE_PROPERTY, "true");
    runWithoutTun(SkipTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("test"), finishedWithFailure(instanceOf(IllegalStateException.class),
            message(m -> m.contains(MISSING) && m.contains("-Dfaketcp.require=true")))));
  }

  @FakeNetwork
  static class DefaultTestCases {
    @Test
    void test() {}
  }

  @FakeNetwork(skipIfUnavailable = true)
  static class SkipTestCases {
    @Test
    void test() {}
  }

  static class BuilderSkipTestCases {
    @org.junit.jupiter.api.extension.RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().skipIfUnavailable(true).build();

    @Test
    void test() {}
  }
}
