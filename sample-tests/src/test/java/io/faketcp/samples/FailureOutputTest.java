package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs the failing-on-purpose {@link CaptureFailureDemoTest} (excluded from the normal run) and checks
 * that its failures carry what the README promises: the packets, and the paths of the .pcap and .txt.
 */
class FailureOutputTest {

  @Test
  void aFailureShowsThePacketsAndWhereThePcapIs() throws Exception {
    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(CaptureFailureDemoTest.class))
        .execute().testEvents();

    tests.assertStatistics(s -> s.started(2).failed(2).succeeded(0));
    Throwable assertion = failure(tests, "expectsAHandshakeButTheServerRefused");
    assertThat(assertion).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expecting a completed TCP handshake (SYN, SYN+ACK, ACK) with 192.168.0.5:2003")
        .hasMessageContaining("Captured packets on tun")
        .hasMessageContaining("Out IP 192.168.0.1.")
        .hasMessageContaining(" > 192.168.0.5.2003: Flags [S]")
        .hasMessageContaining("In  IP 192.168.0.5.2003 > 192.168.0.1.");
    assertThat(artefacts(assertion)).containsExactly(
        "target/faketcp/CaptureFailureDemoTest.expectsAHandshakeButTheServerRefused.pcap",
        "target/faketcp/CaptureFailureDemoTest.expectsAHandshakeButTheServerRefused.txt");

    Throwable error = failure(tests, "applicationErrorFailsTheTest");
    assertThat(error).isInstanceOf(MetricsSender.MetricsUnavailableException.class)
        .hasMessage("metrics server 192.168.0.6:2003 refused the connection");
    List<String> files = artefacts(error);
    assertThat(files).hasSize(2);
    assertThat(Files.readString(Path.of(files.get(1))))
        .contains("192.168.0.6.2003 > 192.168.0.1.")
        .contains("Flags [R.]");
    assertThat(Files.size(Path.of(files.get(0)))).as("the .pcap").isGreaterThan(24);
  }

  private static Throwable failure(Events tests, String method) {
    List<Event> failed = tests.filter(e -> finishedWithFailure().matches(e)
        && e.getTestDescriptor().getDisplayName().startsWith(method + "(")).collect(Collectors.toList());
    assertThat(failed).as("failed events of %s", method).hasSize(1);
    return failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
        .getThrowable().orElseThrow();
  }

  /** The .pcap and .txt named by the note faketcp adds to a failure. */
  private static List<String> artefacts(Throwable failure) {
    return Arrays.stream(failure.getSuppressed()).map(Throwable::getMessage)
        .filter(m -> m.startsWith("faketcp capture of "))
        .flatMap(m -> Arrays.stream(m.split("\n", 2)[0].split(" ")))
        .filter(word -> word.endsWith(".pcap") || word.endsWith(".txt") || word.endsWith(".txt:"))
        .map(word -> word.endsWith(":") ? word.substring(0, word.length() - 1) : word)
        .collect(Collectors.toList());
  }
}
