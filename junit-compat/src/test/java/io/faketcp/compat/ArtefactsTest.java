package io.faketcp.compat;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** A failing test leaves its capture as .pcap and .txt, published as report entries and named in the failure. */
class ArtefactsTest {

  @Test
  void aFailingTestLeavesItsCaptureBehind() throws Exception {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(FailsOnPurpose.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
        .execute();

    List<Event> failed = results.testEvents().failed().list();
    assertThat(failed).hasSize(1);
    Throwable failure = failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .orElseThrow().getThrowable().orElseThrow();
    assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("but there was none");

    Map<String, String> entries = results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
        .flatMap(m -> m.entrySet().stream())
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b));
    Path pcap = Path.of(entries.get("faketcp.pcap"));
    Path transcript = Path.of(entries.get("faketcp.transcript"));
    assertThat(pcap).exists().hasExtension("pcap");
    assertThat(Files.readAllBytes(pcap)).hasSizeGreaterThan(24); // more than the pcap file header
    assertThat(Files.readString(transcript)).contains("In  IP 192.168.40.5.2003 > 192.168.40.1.").contains("Flags [R.]");
    assertThat(failure.getSuppressed()).anySatisfy(s -> assertThat(s.getMessage()).contains(pcap.getFileName().toString()));
  }

  /** Run only by the test kit above (Surefire leaves nested classes out). */
  @FakeNetwork(subnet = "192.168.40.0/24", mode = Mode.REJECT)
  static class FailsOnPurpose {
    @Test
    void expectsAHandshakeButTheServerRefuses(NetworkInfo net, Capture capture) {
      try (Socket socket = new Socket(net.address(5), 2003)) {
        socket.getOutputStream().write(1);
      } catch (java.io.IOException refused) {
        // the assertion below says what happened
      }
      assertThat(capture).hasHandshakeWith(net.socketAddress(5, 2003));
    }
  }
}
