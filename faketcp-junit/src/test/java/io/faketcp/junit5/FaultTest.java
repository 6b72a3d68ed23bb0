package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.peer.Mode;
import io.faketcp.tun.TunException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

/**
 * Faults inside and around a test: whatever happens — an interrupt, a timeout on a separate thread, a
 * peer that throws, the interface deleted from outside — the test fails with the cause (or passes), the
 * next test gets a fresh, working network, and afterwards no device and no faketcp thread is left.
 */
class FaultTest {

  @Test
  void interruptedAndTimedOutTestsLeaveNothingBehind() {
    EngineExecutionResults results = Kit.run(InterruptTestCases.class);
    results.testEvents().assertThatEvents()
        .haveExactly(1, event(test("interruptsItselfAndReturns"), finishedSuccessfully()))
        .haveExactly(1, event(test("throwsInterruptedException"), finishedWithFailure(instanceOf(InterruptedException.class))))
        .haveExactly(1, event(test("timesOutOnASeparateThreadWhileReading"),
            finishedWithFailure(instanceOf(TimeoutException.class))))
        .haveExactly(1, event(test("afterwardsTheNetworkWorks"), finishedSuccessfully()));
    Kit.assertCleanedUp();
  }

  @Test
  void afterThePeerFailsTheNextTestGetsAFreshWorkingNetwork() {
    EngineExecutionResults results = Kit.run(PeerFailsOnceTestCases.class);
    results.testEvents().assertThatEvents()
        .haveExactly(1, event(test("responderThrows"), finishedWithFailure(instanceOf(AssertionFailedError.class),
            cause(instanceOf(IllegalStateException.class), message("responder broke once")))))
        .haveExactly(1, event(test("nextTestEchoes"), finishedSuccessfully()));
    Kit.assertCleanedUp();
  }

  @Test
  void anInterfaceDeletedFromOutsideFailsTheTestWithThePeersErrorAndNothingHangs() {
    long start = System.nanoTime();
    EngineExecutionResults results = Kit.run(DeletedTestCases.class);
    long millis = (System.nanoTime() - start) / 1_000_000;
    results.testEvents().assertThatEvents()
        .haveExactly(1, event(test("deletesItsInterface"), finishedWithFailure(instanceOf(AssertionFailedError.class),
            message(m -> m.contains("the fake peer on tun") && m.contains("deleted from outside")),
            cause(instanceOf(TunException.class), message(m -> m.contains("deleted from outside"))))))
        .haveExactly(1, event(test("nextTestEchoes"), finishedSuccessfully()));
    assertThat(millis).as("whole run, ms").isLessThan(10_000);
    Kit.assertCleanedUp();
  }

  // ---- test cases, run only by the kit ----

  // A subnet of its own: the timed-out test's socket is closed seconds later, and its FIN is
  // retransmitted for a minute or more into whatever network then holds the subnet.
  @FakeNetwork(mode = Mode.ACCEPT, subnet = "10.26.0.0/24")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class InterruptTestCases {
    @Test
    @Order(1)
    void interruptsItselfAndReturns(NetworkInfo net) throws IOException {
      new Socket(net.address(5), 80).close();
      Thread.currentThread().interrupt(); // left set for the extension's cleanup to cope with
    }

    @Test
    @Order(2)
    void throwsInterruptedException(NetworkInfo net) throws Exception {
      new Socket(net.address(5), 80).close();
      throw new InterruptedException("interrupted mid-test");
    }

    @Test
    @Order(3)
    @Timeout(value = 300, unit = TimeUnit.MILLISECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void timesOutOnASeparateThreadWhileReading(NetworkInfo net) throws IOException {
      try (Socket s = new Socket(net.address(5), 80)) {
        s.setSoTimeout(3000); // ACCEPT never answers: the read blocks past the timeout
        s.getInputStream().read();
      } catch (SocketTimeoutException expected) {
        // the abandoned thread ends here, after the network is gone
      }
    }

    @Test
    @Order(4)
    @FakeNetwork(mode = Mode.ECHO)
    void afterwardsTheNetworkWorks(NetworkInfo net) throws IOException {
      assertEchoes(net);
    }
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PeerFailsOnceTestCases {
    static final AtomicBoolean broken = new AtomicBoolean();

    @RegisterExtension
    final FakeNetworkExtension net = FakeNetworkExtension.newInstance().mode(Mode.ECHO)
        .responder((packet, out) -> {
          if (broken.compareAndSet(false, true)) {
            throw new IllegalStateException("responder broke once");
          }
          return false;
        })
        .build();

    @Test
    @Order(1)
    void responderThrows() throws IOException {
      try (Socket s = new Socket()) {
        s.connect(net.info().socketAddress(5, 7), 200);
      } catch (IOException expected) {
        // the SYN went to the failing responder: the connect times out; the test fails with the peer's cause
      }
    }

    @Test
    @Order(2)
    void nextTestEchoes() throws IOException {
      assertEchoes(net.info());
    }
  }

  @FakeNetwork(mode = Mode.ECHO)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class DeletedTestCases {
    @Test
    @Order(1)
    void deletesItsInterface(NetworkInfo net) throws Exception {
      assertEchoes(net);
      Process p = new ProcessBuilder("ip", "link", "del", net.interfaceName()).inheritIO().start();
      assertThat(p.waitFor()).isZero();
      Thread.sleep(100); // the peer notices at once; the extension reports it after the test
    }

    @Test
    @Order(2)
    void nextTestEchoes(NetworkInfo net) throws IOException {
      assertEchoes(net);
    }
  }

  static void assertEchoes(NetworkInfo net) throws IOException {
    try (Socket s = new Socket(net.address(7), 7)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
    }
  }
}
