package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

  /**
   * Interfaces of this namespace (our launcher remounts /sys, so these are the namespace's), but the
   * loopback and the launcher's reach (pasta's {@code reach0}).
   */
  static List<String> tunDevices() {
    try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lo") && !n.equals("reach0")).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The tun fds open in the processes of this namespace, as {@code pid/fd iff}: fdinfo names the
   * interface of a tun fd. Another holder of a device's file keeps its interface after our close.
   */
  static String tunFileHolders() {
    List<String> found = new java.util.ArrayList<>();
    try (Stream<Path> pids = Files.list(Path.of("/proc"))) {
      String self = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      for (Path pid : (Iterable<Path>) pids.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
        try (Stream<Path> fds = Files.list(pid.resolve("fdinfo"))) {
          if (!Files.readSymbolicLink(pid.resolve("ns/net")).toString().equals(self)) {
            continue;
          }
          for (Path fd : (Iterable<Path>) fds::iterator) {
            Files.readAllLines(fd).stream().filter(l -> l.startsWith("iff:")).forEach(l ->
                found.add(pid.getFileName() + "/" + fd.getFileName() + " " + l.substring(4).trim()));
          }
        } catch (IOException | RuntimeException e) {
          // the process or fd went meanwhile
        }
      }
    } catch (IOException e) {
      return e.toString();
    }
    return found.toString();
  }

  static List<String> faketcpThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("faketcp-peer-") || n.startsWith("faketcp-capture-")).sorted()
        .collect(Collectors.toList());
  }

  /**
   * After a kit run: no device, no peer or capture thread left. When an interface is left, the failure
   * says who held a tun fd then, and how long the interface took to go (waiting up to 10 s, to tell a late
   * removal from a leak).
   */
  static void assertCleanedUp() {
    List<String> left = tunDevices();
    if (!left.isEmpty()) {
      long start = System.nanoTime();
      String holders = tunFileHolders();
      String threads = Thread.getAllStackTraces().keySet().stream().map(t -> t.getName() + " " + t.getState())
          .filter(t -> t.startsWith("faketcp")).sorted().collect(Collectors.joining(", "));
      List<String> now = left;
      while (!now.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        now = tunDevices();
      }
      throw new AssertionError("interfaces left in the namespace: " + left + (now.isEmpty()
          ? " (gone " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms later)"
          : " (still there 10 s later: " + now + ")")
          + "; tun fds open then: " + holders + "; faketcp threads then: " + threads);
    }
    assertThat(faketcpThreads()).as("faketcp threads left").isEmpty();
  }
}
