package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every misconfiguration fails with an ExtensionConfigurationException naming the attribute and value. */
class ConfigurationTest {

  @Test
  void anInvalidSubnetIsNamed() {
    Kit.run(InvalidSubnetTestCases.class).containerEvents().assertThatEvents().haveExactly(1,
        event(container(InvalidSubnetTestCases.class), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet = \"192.168.0.0/33\") is invalid")))));
    Kit.assertCleanedUp();
  }

  @Test
  void anInvalidSubnetGivenToTheBuilderIsNamed() {
    Kit.run(InvalidBuilderSubnetTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("FakeNetworkExtension.newInstance().subnet(\"10.0.0.1/24\") is invalid")
                && m.contains("host bits set"))));
  }

  /** build() takes the values as they are: what the builder is told afterwards goes to no built extension. */
  @Test
  void aBuiltExtensionKeepsItsValuesWhateverTheBuilderIsToldLater() {
    Kit.assertAllSucceeded(Kit.run(BuilderChangedAfterBuildTestCases.class), 1);
    Kit.assertCleanedUp();
  }

  @Test
  void aMulticastSubnetIsRefusedBeforeAnyDeviceIsMade() {
    Kit.run(MulticastSubnetTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.startsWith("@FakeNetwork(subnet = \"224.0.0.0/24\") is invalid: subnet '224.0.0.0/24' is in"
                + " 224.0.0.0/4, the multicast range") && m.contains("use a private range"))));
    Kit.assertCleanedUp();
  }

  @Test
  void aBadDeviceNameIsNamed() {
    Kit.run(BadDeviceNameTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(deviceName = \"much-too-long-name%d\") is invalid"))));
  }

  @Test
  void aSubnetOverlappingAnAddressOfTheNamespaceIsRefused() {
    // lo holds 127.0.0.1/8
    Kit.run(LoopbackSubnetTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet = \"127.0.0.0/24\") overlaps address 127.0.0.1/8 on lo")))));
    Kit.assertCleanedUp();
  }

  @Test
  void aSubnetOverlappingARouteOfTheNamespaceIsRefused() {
    try (TunDevice other = TunDevice.builder().subnet(Subnet.parse("10.77.0.0/16")).open()) {
      Kit.run(RouteOverlapTestCases.class).testEvents().assertThatEvents().haveExactly(1,
          event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
              message(m -> m.contains("@FakeNetwork(subnet = \"10.77.1.0/24\") overlaps route 10.77.0.0/16 on "
                  + other.name())))));
    }
    Kit.assertCleanedUp();
  }

  @Test
  void aPrefixOverlappingARouteOrAddressOfTheNamespaceIsRefused() {
    try (TunDevice other = TunDevice.builder().subnet(Subnet.parse("fd00:77::/64")).open()) {
      Kit.run(PrefixOverlapTestCases.class).testEvents().assertThatEvents()
          .haveExactly(1, event(test("ipv6Only"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
              message(m -> m.contains("@FakeNetwork(subnet6 = \"fd00:77::/120\") overlaps ")
                  && m.matches("(?s).*overlaps (route fd00:77::/64|address fd00:77::1) on " + other.name() + " .*")
                  && m.contains("choose a prefix that does not overlap it")))))
          .haveExactly(1, event(test("dualStack"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
              message(m -> m.contains("@FakeNetwork(subnet6 = \"fd00:77::/64\") overlaps ")))));
    }
    Kit.assertCleanedUp();
  }

  @Test
  void theReachsUnreachableGuardRoutesAreNoOverlap() throws Exception {
    // reach "all" adds unreachable routes over the private ranges, so that a fake subnet cannot leak
    // once its device is gone: a fake subnet's own route beats them, and they refuse nothing.
    org.junit.jupiter.api.Assumptions.assumeTrue(io.faketcp.tun.Prerequisites.inPrivateNamespace(),
        "changes routes: only in the test JVM's own namespace");
    ip("route", "add", "unreachable", "10.77.0.0/16", "metric", "4000");
    try {
      Kit.run(RouteOverlapTestCases.class).testEvents().assertThatEvents()
          .haveExactly(1, event(test("test"), org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully()));
    } finally {
      ip("route", "del", "unreachable", "10.77.0.0/16", "metric", "4000");
    }
    Kit.assertCleanedUp();
  }

  @Test
  void aSubnetOverlappingTheReachOfTheNamespaceIsRefused() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/reach0")),
        "this test JVM's namespace has no reach (pasta): " + System.getenv("FAKETCP_REACH"));
    Kit.run(ReachOverlapTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet = \"169.254.0.0/16\") overlaps route 169.254.1.0/30 on reach0")))));
    Kit.assertCleanedUp();
  }

  private static void ip(String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("ip"));
    command.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  @Test
  void anUnknownParameterTypeIsNamed() {
    Kit.run(UnknownParameterTestCases.class).testEvents().assertThatEvents()
        .haveExactly(1, event(test("peer"), finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("parameter 0 of UnknownParameterTestCases.peer() has type "
                + FakePeer.class.getName()))))))
        .haveExactly(1, event(test("packets"), finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("inject Capture and call capture.packets()"))))));
    Kit.assertCleanedUp();
  }

  @Test
  void askingForACaptureWithCaptureOffIsNamed() {
    Kit.run(CaptureOffTestCases.class).testEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(capture = false) turns capture off")))));
  }

  @Test
  void declarativeAndProgrammaticRegistrationOnOneClassIsRefused() {
    Kit.run(BothRegistrationsTestCases.class).allEvents().assertThatEvents().haveAtLeastOne(
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("registered twice") && m.contains("@FakeNetwork")
                && m.contains("@RegisterExtension field 'net'"))));
    Kit.assertCleanedUp();
  }

  @Test
  void anInvalidCaptureFilterIsNamed() {
    Kit.run(BadFilterTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("FakeNetworkExtension.newInstance().captureFilter(\"tcp port banana\") is invalid"))));
    Kit.assertCleanedUp();
  }

  // ---- test cases ----

  @FakeNetwork(subnet = "192.168.0.0/33")
  static class InvalidSubnetTestCases {
    @Test
    void test() {}
  }

  static class InvalidBuilderSubnetTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.0.0.1/24").build();

    @Test
    void test() {}
  }

  static class BuilderChangedAfterBuildTestCases {
    static final FakeNetworkExtension.Builder BUILDER = FakeNetworkExtension.newInstance().subnet("10.71.3.0/24")
        .mode(Mode.ECHO);
    @RegisterExtension
    static FakeNetworkExtension net = BUILDER.build();

    static {
      BUILDER.mode(Mode.DROP).subnet("not a subnet").captureLimit(0).rule(Rule.of("10.71.3.5", "*", Mode.REJECT));
    }

    @Test
    void test(NetworkControl control, NetworkInfo info) {
      assertThat(info.subnet()).isEqualTo(Subnet.parse("10.71.3.0/24"));
      assertThat(control.rules().defaultMode()).isEqualTo(Mode.ECHO);
      int fakeHost = ByteBuffer.wrap(info.address(5).getAddress()).getInt();
      assertThat(control.rules().modeFor(fakeHost, 80)).as("no rule for .5").isEqualTo(Mode.ECHO);
    }
  }

  @FakeNetwork(subnet = "224.0.0.0/24")
  static class MulticastSubnetTestCases {
    @Test
    void test() {}
  }

  static class BadDeviceNameTestCases {
    @Test
    @FakeNetwork(deviceName = "much-too-long-name%d")
    void test() {}
  }

  static class LoopbackSubnetTestCases {
    @Test
    @FakeNetwork(subnet = "127.0.0.0/24")
    void test() {}
  }

  static class RouteOverlapTestCases {
    @Test
    @FakeNetwork(subnet = "10.77.1.0/24")
    void test() {}
  }

  static class PrefixOverlapTestCases {
    @Test
    @FakeNetwork(subnet = "", subnet6 = "fd00:77::/120")
    void ipv6Only() {}

    @Test
    @FakeNetwork(subnet = "10.78.0.0/24", subnet6 = "fd00:77::/64")
    void dualStack() {}
  }

  static class ReachOverlapTestCases {
    @Test
    @FakeNetwork(subnet = "169.254.0.0/16")
    void test() {}
  }

  @FakeNetwork
  static class UnknownParameterTestCases {
    @Test
    void peer(FakePeer peer) {}

    @Test
    void packets(CapturedPackets packets) {}
  }

  @FakeNetwork(capture = false)
  static class CaptureOffTestCases {
    @Test
    void test(Capture capture) {}
  }

  @FakeNetwork
  static class BothRegistrationsTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().build();

    @Test
    void test() {}
  }

  static class BadFilterTestCases {
    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance().captureFilter("tcp port banana").build();

    @Test
    void test() {}
  }
}
