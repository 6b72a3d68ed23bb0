package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.peer.Mode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

class LifecycleTest {

  @Test
  void passingTestsGetAWorkingNetworkAndLeaveNothingBehind() {
    EngineExecutionResults results = Kit.run(PassingTestCases.class);
    results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    Kit.assertCleanedUp();
  }

  @Test
  void failingTestsWriteThePcapAndTheTranscriptAndNameThem() throws IOException {
    Path dir = Path.of("target/faketcp");
    Path pcap = dir.resolve("LifecycleTest.FailingTestCases.failsAfterAHandshake.pcap");
    Path txt = dir.resolve("LifecycleTest.FailingTestCases.failsAfterAHandshake.txt");
    Files.deleteIfExists(pcap);
    Files.deleteIfExists(txt);

    EngineExecutionResults results = Kit.run(FailingTestCases.class);

    results.testEvents().assertStatistics(s -> s.failed(3).succeeded(0));
    Throwable failure = results.testEvents().failed().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith("failsAfterAHandshake"))
        .findFirst().orElseThrow().getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
        .getThrowable().orElseThrow();
    assertThat(failure).hasMessageContaining("the server did not answer");
    assertThat(failure.getSuppressed()).hasSize(1);
    assertThat(failure.getSuppressed()[0].getMessage())
        .contains(pcap.toString(), txt.toString())
        .contains("tun", "Out IP 192.168.0.1.", "> 192.168.0.5.80: Flags [S]", "In  IP 192.168.0.5.80 >");
    assertThat(pcap).isNotEmptyFile();
    assertThat(Files.readString(txt)).contains("Flags [S]", "Flags [S.]", "Flags [P.]")
        .containsPattern("\n# TCP connections \\(\\d+\\):\n(#   .*\n)*#   192\\.168\\.0\\.1:\\d+ > 192\\.168\\.0\\.5:80: handshake,"
            + " 7 bytes >, 0 bytes <");
    assertThat(results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getRequiredPayload(org.junit.platform.engine.reporting.ReportEntry.class).getKeyValuePairs()))
        .anySatisfy(entry -> assertThat(entry).containsKeys("faketcp.pcap", "faketcp.transcript")
            .containsValue(pcap.toAbsolutePath().toString()));
    assertThat(dir.resolve("LifecycleTest.FailingTestCases.timesOut.pcap")).exists();
    assertThat(dir.resolve("LifecycleTest.FailingTestCases.afterEachFails.txt")).exists();
    Kit.assertCleanedUp();
  }

  @Test
  void aFailureOfThePeerFailsTheTestWithThatCause() {
    EngineExecutionResults results = Kit.run(PeerFailureTestCases.class);
    results.testEvents().assertThatEvents().haveExactly(1, event(test("responderThrows"),
        finishedWithFailure(instanceOf(AssertionFailedError.class), message(m -> m.contains("fake peer")),
            cause(instanceOf(IllegalStateException.class), message("responder broke")))));
    // at least the SYN; retransmissions from earlier tests' sockets to the same subnet may add more
    assertThat(PeerFailureTestCases.seenByHandler).isNotEmpty()
        .allSatisfy(t -> assertThat(t).hasMessage("responder broke"));
    Kit.assertCleanedUp();
  }

  @Test
  void aStaticFieldGivesOneNetworkPerClassAndAnInstanceFieldOnePerTest() {
    PerClassTestCases.interfaces.clear();
    PerTestTestCases.connectionsSeen.clear();
    Kit.run(PerClassTestCases.class, PerTestTestCases.class).testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(PerClassTestCases.interfaces).hasSize(3).containsOnly(PerClassTestCases.interfaces.get(0));
    // each test's peer is new (the device may be the one the test before used): it has seen only its own connection
    assertThat(PerTestTestCases.connectionsSeen).containsExactly(1L, 1L, 1L);
    Kit.assertCleanedUp();
  }

  @Test
  void everyNetworkIsClosedAlsoWhenJUnitClosesOnlyCloseableResources() {
    // JUnit 5.10 to 5.12 close only CloseableResource store values, and so does 5.13+ with this switch:
    // a network left open would hold its subnet, and the next test on it would wait 60 s.
    long start = System.nanoTime();
    Kit.assertAllSucceeded(Kit.run(Map.of("junit.jupiter.extensions.store.close.autocloseable.enabled", "false"),
        OneSubnetTestCases.class, OneSubnetPerClassTestCases.class, PerTestTestCases.class), 8);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    Kit.assertCleanedUp();
  }

  @Test
  void theMethodsAnnotationWinsOverTheClasss() {
    Kit.run(MethodWinsTestCases.class).testEvents().assertStatistics(s -> s.succeeded(2));
  }

  // ---- test cases, run only by the kit ----

  @FakeNetwork(mode = Mode.REJECT)
  static class PassingTestCases {
    @Test
    void rejectModeRefuses(NetworkInfo net, Capture capture) {
      assertThatThrownBy(() -> new Socket(net.address(5), 80).close()).isInstanceOf(ConnectException.class);
      assertThat(capture).hasResetFrom(net.address(5)).hasSize(2).isComplete();
    }

    @Test
    @FakeNetwork(mode = Mode.ECHO)
    void echoModeEchoes(NetworkInfo net, NetworkControl control, Capture capture) throws IOException {
      try (Socket s = new Socket(net.address(7), 7)) {
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
      }
      assertThat(capture).hasHandshakeWith(net.socketAddress(7, 7))
          .hasBytesSentTo(net.socketAddress(7, 7), 5).hasBytesReceivedFrom(net.socketAddress(7, 7), 5);
      assertThat(control.counters().established() + control.counters().closing()).isLessThanOrEqualTo(1);
    }

    @Test
    void modeChangesMidTest(NetworkInfo net, NetworkControl control) throws IOException {
      control.mode(Mode.ACCEPT);
      new Socket(net.address(9), 443).close();
      assertThat(net.interfaceName()).startsWith("tun");
      assertThat(net.hostAddress().getHostAddress()).isEqualTo("192.168.0.1");
    }
  }

  @FakeNetwork(mode = Mode.ACCEPT)
  static class FailingTestCases {
    @Test
    void failsAfterAHandshake(NetworkInfo net) throws IOException {
      try (Socket s = new Socket(net.address(5), 80)) {
        s.getOutputStream().write("GET /\r\n".getBytes(StandardCharsets.US_ASCII));
        throw new AssertionError("the server did not answer");
      }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
    void timesOut(NetworkInfo net) throws IOException, InterruptedException {
      try (Socket s = new Socket(net.address(5), 80)) {
        Thread.sleep(5000); // the timeout interrupts this
      }
    }

    @Test
    void afterEachFails(NetworkInfo net) throws IOException {
      new Socket(net.address(6), 22).close();
    }

    @AfterEach
    void failOnlyForAfterEachFails(org.junit.jupiter.api.TestInfo info) {
      if (info.getDisplayName().startsWith("afterEachFails")) {
        throw new IllegalStateException("@AfterEach failed");
      }
    }
  }

  static class PeerFailureTestCases {
    static final List<Throwable> seenByHandler = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance()
        .responder((packet, out) -> {
          throw new IllegalStateException("responder broke");
        })
        .onFailure(seenByHandler::add)
        .build();

    @Test
    void responderThrows() throws IOException {
      try (Socket s = new Socket()) {
        s.connect(net.info().socketAddress(5, 80), 200);
      } catch (IOException expected) {
        // the responder swallowed the SYN: the connect times out
      }
    }
  }

  static class PerClassTestCases {
    static final List<String> interfaces = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.20.0.0/24").build();

    @BeforeEach
    void record(NetworkInfo info) {
      interfaces.add(info.interfaceName());
    }

    @Test
    void one(Capture capture) throws IOException {
      new Socket(net.info().address(2), 1).close();
      assertThat(capture).hasHandshakeWith(net.info().socketAddress(2, 1));
      // the close goes on after close() returns: the fixture lets it finish before test two begins
    }

    @Test
    void two(Capture capture) {
      assertThat(capture).hasNoPacketTo(net.info().address(2)); // each test starts with an empty capture
    }

    @Test
    void three(NetworkControl control) throws IOException {
      try (OutputStream out = new Socket(net.info().address(3), 2).getOutputStream()) {
        out.write(1);
      }
    }
  }

  @FakeNetwork(subnet = "10.22.0.0/24")
  static class OneSubnetTestCases {
    @Test
    void one(NetworkInfo net) {
      assertThat(net.hostAddress().getHostAddress()).isEqualTo("10.22.0.1");
    }

    @Test
    void two(NetworkInfo net, Capture capture) throws IOException {
      assertThat(net.address(9).isReachable(2000)).isTrue();
      assertThat(capture).hasEchoReplies(1);
    }

    @Test
    void three(NetworkInfo net) {
      assertThat(net.hostAddress().getHostAddress()).isEqualTo("10.22.0.1");
    }
  }

  static class OneSubnetPerClassTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.22.0.0/24").build();

    @Test
    void one() {
      assertThat(net.info().interfaceName()).startsWith("tun");
    }

    @Test
    void two() {
      assertThat(net.info().interfaceName()).startsWith("tun");
    }
  }

  static class PerTestTestCases {
    static final List<Long> connectionsSeen = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.21.0.0/24").build();

    @Test
    void one() throws IOException {
      connectOnce();
    }

    @Test
    void two() throws IOException {
      connectOnce();
    }

    @Test
    void three() throws IOException {
      connectOnce();
    }

    private void connectOnce() throws IOException {
      try (Socket s = new Socket(net.info().address(2), 1)) {
        connectionsSeen.add(net.control().counters().connectionsOpened());
      }
    }
  }

  @FakeNetwork(subnet = "10.30.0.0/24")
  static class MethodWinsTestCases {
    @Test
    void classSubnet(NetworkInfo net) {
      assertThat(net.subnet()).hasToString("10.30.0.0/24");
    }

    @Test
    @FakeNetwork(subnet = "10.31.0.0/16", mode = Mode.REJECT)
    void methodSubnet(NetworkInfo net) {
      assertThat(net.subnet()).hasToString("10.31.0.0/16");
      assertThatThrownBy(() -> new Socket(net.address(300), 80).close()).isInstanceOf(ConnectException.class);
    }
  }
}
