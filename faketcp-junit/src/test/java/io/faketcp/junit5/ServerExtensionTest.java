package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

/**
 * Servers given by the extension's builder: a server that throws fails the test with its exception,
 * and a server still running when the test ends is interrupted, its connection reset, its thread gone.
 */
class ServerExtensionTest {

  @Test
  void aServerThatThrowsFailsTheTestWithItsException() {
    EngineExecutionResults results = Kit.run(ThrowingServerTestCases.class);
    results.testEvents().assertThatEvents()
        .haveExactly(1, event(test("serverThrows"), finishedWithFailure(instanceOf(AssertionFailedError.class),
            cause(instanceOf(IllegalStateException.class), message("unexpected request: GET")))))
        .haveExactly(1, event(test("nextTestIsServedAgain"), finishedSuccessfully()));
    Kit.assertCleanedUp();
  }

  @Test
  void aServerStillRunningWhenTheTestEndsIsInterruptedAndItsConnectionReset() throws Exception {
    EngineExecutionResults results = Kit.run(RunningServerTestCases.class);
    Kit.assertAllSucceeded(results, 1);

    assertThatThrownBy(() -> RunningServerTestCases.leftOpen.getInputStream().read())
        .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    RunningServerTestCases.leftOpen.close();
    assertThat(RunningServerTestCases.interrupted.await(5, TimeUnit.SECONDS)).as("server interrupted").isTrue();
    assertThat(serverThreads()).as("server threads left").isEmpty();
    Kit.assertCleanedUp();
  }

  private static List<String> serverThreads() throws InterruptedException {
    List<String> names = List.of();
    for (int i = 0; i < 100; i++) {
      names = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("faketcp-server")).map(Thread::getName)
          .collect(Collectors.toList());
      if (names.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    return names;
  }

  // ---- test cases, run only by the kit ----

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ThrowingServerTestCases {
    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance()
        .mode(Mode.REJECT)
        .rule(Rule.of("*", "80", connection -> {
          String request = new String(connection.input().readNBytes(3), StandardCharsets.US_ASCII);
          if (request.equals("GET")) {
            throw new IllegalStateException("unexpected request: " + request);
          }
          connection.output().write("fine".getBytes(StandardCharsets.US_ASCII));
        }))
        .build();

    @Test
    @Order(1)
    void serverThrows() throws IOException {
      try (Socket s = new Socket(net.info().address(5), 80)) {
        s.setSoTimeout(5000);
        s.getOutputStream().write("GET".getBytes(StandardCharsets.US_ASCII));
        s.getInputStream().read();
      } catch (SocketException expected) {
        // reset: the application under test copes; the test still fails with the server's exception
      }
    }

    @Test
    @Order(2)
    void nextTestIsServedAgain() throws IOException {
      try (Socket s = new Socket(net.info().address(5), 80)) {
        s.setSoTimeout(5000);
        s.getOutputStream().write("PUT".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("fine");
      }
    }
  }

  static class RunningServerTestCases {
    static Socket leftOpen;
    static final CountDownLatch interrupted = new CountDownLatch(1);
    static final CountDownLatch serving = new CountDownLatch(1);

    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance()
        .mode(Mode.REJECT)
        .rule(Rule.of("*", "80", connection -> {
          serving.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
        }))
        .build();

    @Test
    void leavesAConnectionOpen() throws Exception {
      leftOpen = new Socket(net.info().address(5), 80);
      leftOpen.setSoTimeout(5000);
      assertThat(serving.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
