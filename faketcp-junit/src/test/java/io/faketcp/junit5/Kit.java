package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs test-case classes with the Jupiter engine and checks what they leave behind. */
final class Kit {
  private Kit() {}

  static EngineExecutionResults run(Class<?>... classes) {
    return run(Map.of(), classes);
  }

  static EngineExecutionResults run(Map<String, String> configuration, Class<?>... classes) {
    ClassSelector[] selectors = Stream.of(classes).map(c -> selectClass(c)).toArray(ClassSelector[]::new);
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameters(configuration)
        .selectors(selectors)
        .execute();
  }

  /**
   * Asserts that every test of the run succeeded, {@code expected} of them; a failure carries each
   * failed test's name and exception, so the kit's inner failure is not lost.
   */
  static void assertAllSucceeded(EngineExecutionResults results, int expected) {
    AssertionError error = new AssertionError("test cases failed or missing: expected " + expected
        + " to succeed, " + results.testEvents().succeeded().count() + " did");
    results.testEvents().failed().stream().forEach(event -> event.getPayload(
        org.junit.platform.engine.TestExecutionResult.class)
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .ifPresent(t -> error.addSuppressed(new AssertionError(event.getTestDescriptor().getDisplayName() + ": " + t, t))));
    if (results.testEvents().succeeded().count() != expected || results.testEvents().failed().count() != 0) {
      throw error;
    }
  }

  /** Interfaces of this namespace (our launcher remounts /sys, so these are the namespace's). */
  static List<String> tunDevices() {
    try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lo")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> faketcpThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("faketcp-peer-") || n.startsWith("faketcp-capture-")).sorted()
        .collect(Collectors.toList());
  }

  /** After a kit run: no device, no peer or capture thread left. */
  static void assertCleanedUp() {
    assertThat(tunDevices()).as("interfaces left in the namespace").isEmpty();
    assertThat(faketcpThreads()).as("faketcp threads left").isEmpty();
  }
}
