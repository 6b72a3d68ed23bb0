package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.peer.Mode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Soak: many fixture cycles with traffic (a TCP echo, a ping and a capture assertion each), then the
 * JVM's open fds, live threads, the namespace's interfaces and the heap after GC must be back where
 * they were after a warm-up. The build runs 1,000 cycles (about 25 s); {@code mvn -Psoak} runs 10,000,
 * {@code -Dfaketcp.soak.cycles=N} any other number (0 skips). The figures go to the output and to
 * {@code target/soak-figures.txt}.
 */
class SoakTest {
  private static final int PER_RUN = 100;

  @Test
  void thousandFixtureCyclesWithTrafficLeakNothing() throws Exception {
    int cycles = Integer.getInteger("faketcp.soak.cycles", 0);
    assumeTrue(cycles > 0, "soak turned off: -Dfaketcp.soak.cycles=0");
    int runs = Math.max(1, (cycles + PER_RUN - 1) / PER_RUN);
    Kit.run(CycleTestCases.class).testEvents().assertStatistics(s -> s.succeeded(PER_RUN)); // warm-up
    CycleTestCases.closeLeftOver();
    Figures before = Figures.now();
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      Kit.run(CycleTestCases.class).testEvents().assertStatistics(s -> s.succeeded(PER_RUN).failed(0));
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    CycleTestCases.closeLeftOver();
    Figures after = Figures.now();
    String report = "soak: " + runs * PER_RUN + " fixture cycles with traffic in " + seconds + " s\n"
        + "  before: " + before + "\n  after:  " + after + "\n";
    System.out.print(report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/soak-figures.txt"), report, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    CycleTestCases.closeLeftOver();
    assertThat(after.fds).as("open fds").isEqualTo(before.fds);
    // A leak adds threads; one fewer (a pool thread that was still idling when "before" was taken, on a
    // loaded machine) is not one.
    assertThat(after.threads).as("live threads (before: %s, after: %s)", before.names, after.names)
        .isLessThanOrEqualTo(before.threads);
    assertThat(after.interfaces).as("interfaces in /sys/class/net").isEqualTo(before.interfaces);
    assertThat(after.heapAfterGc).as("heap after GC").isLessThan(before.heapAfterGc + (16L << 20));
    Kit.assertCleanedUp();
  }

  /**
   * One fixture cycle per repetition: a fresh network, traffic, a capture assertion, and a connection
   * whose echo is never read, so the test ends with the peer's data in flight and its timers armed.
   * That socket is closed in the next cycle, once its network is gone.
   */
  @FakeNetwork(mode = Mode.ECHO)
  static class CycleTestCases {
    private static Socket leftOver;

    static void closeLeftOver() throws IOException {
      if (leftOver != null) {
        leftOver.close();
        leftOver = null;
      }
    }

    @RepeatedTest(PER_RUN)
    void echoPingAndCapture(NetworkInfo net, Capture capture) throws IOException {
      closeLeftOver();
      leftOver = new Socket();
      leftOver.setReceiveBufferSize(4096); // the host's window stays small: most of the echo waits at the peer
      leftOver.connect(new java.net.InetSocketAddress(net.address(2 + (int) (System.nanoTime() % 250)), 7), 3000);
      leftOver.getOutputStream().write(new byte[100_000]);
      int n = 2 + (int) (System.nanoTime() % 250);
      try (Socket s = new Socket(net.address(n), 7)) {
        s.setSoTimeout(3000);
        s.getOutputStream().write("soak".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().readNBytes(4)).isEqualTo("soak".getBytes(StandardCharsets.US_ASCII));
      }
      assertThat(InetAddress.getByName(net.address(n).getHostAddress()).isReachable(2000)).isTrue();
      assertThat(capture).hasHandshakeWith(net.socketAddress(n, 7));
    }
  }

  private static final class Figures {
    final long fds;
    final int threads;
    final long interfaces;
    final long heapAfterGc;
    final java.util.Set<String> names;

    private Figures(long fds, java.util.Set<String> names, long interfaces, long heapAfterGc) {
      this.fds = fds;
      this.names = names;
      this.threads = names.size();
      this.interfaces = interfaces;
      this.heapAfterGc = heapAfterGc;
    }

    static Figures now() throws Exception {
      Thread.sleep(3000); // the pool's idle threads time out after 2 s
      // On a loaded machine the last cycle's threads may take longer to go: wait until the count holds still.
      int threads = Thread.getAllStackTraces().size();
      for (int i = 0; i < 20; i++) {
        Thread.sleep(500);
        int now = Thread.getAllStackTraces().size();
        if (now == threads) {
          break;
        }
        threads = now;
      }
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      java.util.Set<String> names = new java.util.TreeSet<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (!t.getName().equals("process reaper")) { // the JDK's, for an earlier test's child process: exits when idle
          names.add(t.getName() + "#" + t.getId());
        }
      }
      return new Figures(count(Path.of("/proc/self/fd")), names,
          count(Path.of("/sys/class/net")), heap);
    }

    private static long count(Path dir) throws IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return s.count();
      }
    }

    @Override
    public String toString() {
      return fds + " fds, " + threads + " threads, " + interfaces + " interfaces, heap after GC "
          + heapAfterGc / 1024 + " KiB";
    }
  }
}
