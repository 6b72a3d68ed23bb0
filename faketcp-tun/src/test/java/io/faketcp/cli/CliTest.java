package io.faketcp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.tun.RequiresTun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The faketcp command as a separate process in the test JVM's private namespace. */
@ExtendWith(RequiresTun.class)
class CliTest {

  @Test
  void acceptPrintsReadyThenOneLinePerPacketAndSigtermRemovesTheDevice() throws Exception {
    Cli cli = Cli.start("accept", "--device", "faketcp-cli");
    assertThat(cli.awaitLine("ready ")).isEqualTo("ready faketcp-cli 192.168.0.1/24");
    try (Socket socket = new Socket("192.168.0.5", 80)) {
      assertThat(socket.isConnected()).isTrue();
    }
    assertThat(cli.awaitLine("IP 192.168.0.5.80 > 192.168.0.1.")).contains("Flags [S.]");
    cli.process.toHandle().destroy(); // SIGTERM, keeping our end of its stdout open (Process.destroy closes it)
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.awaitLine("counters: ")).contains("connections opened 1");
    assertThat(Path.of("/sys/class/net/faketcp-cli")).doesNotExist();
  }

  @Test
  void echoWithTwoQueuesAnswersEveryConnectionOnOneOfTwoPeerThreads() throws Exception {
    Cli cli = Cli.start("echo", "--quiet", "--queues", "2", "--device", "faketcp-mq");
    cli.awaitLine("ready ");
    assertThat(Path.of("/sys/class/net/faketcp-mq/queues/rx-1")).exists();
    for (int i = 0; i < 40; i++) {
      try (Socket socket = new Socket("192.168.0." + (2 + i % 20), 7000 + i)) {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(new byte[] {(byte) i, 2, 3});
        byte[] back = socket.getInputStream().readNBytes(3);
        assertThat(back).as("echoed on connection " + i).containsExactly((byte) i, 2, 3);
      }
    }
    cli.process.toHandle().destroy();
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    String first = cli.awaitLine("counters (queue 0): ");
    String second = cli.awaitLine("counters (queue 1): ");
    assertThat(counter(first, "connections opened") + counter(second, "connections opened"))
        .as("connections over both queues").isEqualTo(40);
    assertThat(counter(first, "connections opened")).as("connections on queue 0").isPositive();
    assertThat(counter(second, "connections opened")).as("connections on queue 1").isPositive();
    for (String queue : List.of(first, second)) {
      assertThat(counter(queue, "resets")).as("segments that reached a queue not knowing their connection: " + queue)
          .isZero();
    }
    assertThat(Path.of("/sys/class/net/faketcp-mq")).doesNotExist();
  }

  private static int counter(String counters, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + " (\\d+)").matcher(counters);
    assertThat(m.find()).as(name + " in " + counters).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void rejectRefusesAndIcmpechoAnswersPing() throws Exception {
    Cli cli = Cli.start("reject", "--quiet", "--subnet", "10.44.0.0/24");
    cli.awaitLine("ready ");
    assertThatThrownBy(() -> new Socket("10.44.0.9", 443).close()).isInstanceOf(ConnectException.class);
    assertThat(InetAddress.getByName("10.44.0.9").isReachable(2000)).isTrue();
    cli.stop();
  }

  @Test
  void connectManyOpensTheConnectionsAndPrintsTheResult() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("0.0.0.0", 9000), 1024);
      List<SocketChannel> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (accepted.size() < 500) {
            accepted.add(server.accept());
          }
        } catch (Exception e) {
          // closed
        }
      });
      acceptor.start();
      Cli cli = Cli.start("connect-many", "192.168.0.1", "9000", "500", "--quiet");
      assertThat(cli.awaitLine("connect-many ")).contains("500 requested, 500 established, 0 refused, 0 timed out");
      acceptor.join(10_000);
      assertThat(accepted).hasSize(500);
      cli.stop();
      for (SocketChannel c : accepted) {
        c.close();
      }
    }
  }

  @Test
  void aProgramAfterDashDashRunsOnceReadyAndGivesTheExitStatus() throws Exception {
    Cli ok = Cli.start("echo", "--quiet", "--", "true");
    assertThat(ok.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ok.process.exitValue()).isZero();
    Cli failing = Cli.start("echo", "--quiet", "--", "false");
    assertThat(failing.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(failing.process.exitValue()).isEqualTo(1);
  }

  @Test
  void faultsApplyPerAddressAndArePrintedWithTheSeed() throws Exception {
    Cli cli = Cli.start("echo", "--fault", "latency=100ms", "--fault", "unreachable=host@192.168.0.5:80",
        "--fault", "seed=7");
    assertThat(cli.awaitLine("faults ")).isEqualTo("faults [latency=100ms, unreachable=host@192.168.0.5:80] seed 7"
        + " (replay with --fault seed=7)");
    assertThatThrownBy(() -> new Socket("192.168.0.5", 80)).isInstanceOf(java.net.NoRouteToHostException.class);
    long start = System.nanoTime();
    new Socket("192.168.0.6", 80).close();
    assertThat((System.nanoTime() - start) / 1_000_000).as("connect through 100 ms latency").isBetween(100L, 1000L);
    assertThat(cli.awaitLine("fault unreachable=host@192.168.0.5:80: forged IP 192.168.0.5 > 192.168.0.1: ICMP"))
        .isNotEmpty();
    assertThat(cli.awaitLine("fault latency=100ms: delayed 100000us IP 192.168.0.6.80 > 192.168.0.1.")).isNotEmpty();
    cli.stop();
  }

  @Test
  void aBadFaultNamesTheBadPart() throws Exception {
    Cli cli = Cli.start("echo", "--fault", "latency=100@192.168.0.5:80");
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.process.exitValue()).isEqualTo(2);
    assertThat(cli.output()).contains("faketcp: --fault: fault 'latency=100@192.168.0.5:80': latency '100' has no unit");
  }

  @Test
  void badArgumentsPrintUsageAndExitWithTwo() throws Exception {
    for (String[] args : new String[][] {{}, {"bogus"}, {"accept", "extra"}, {"--subnet", "10.0.0.1/24", "accept"},
        {"connect-many", "192.168.0.1", "80"}, {"connect-many", "192.168.0.9", "80", "5"}, {"--device", "x".repeat(20),
        "accept"}, {"--rule", "nonsense", "accept"}, {"--mtu", "abc", "accept"}}) {
      Cli cli = Cli.start(args);
      assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(cli.process.exitValue()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(cli.output()).as(String.join(" ", args)).contains("usage: faketcp");
    }
  }

  /** The CLI started with this JVM's java and class path; stdout and stderr merged, read by a thread. */
  private static final class Cli {
    final Process process;
    final java.util.concurrent.BlockingQueue<String> incoming = new java.util.concurrent.LinkedBlockingQueue<>();
    final List<String> lines = new ArrayList<>();
    final Thread reader;

    private Cli(Process process) {
      this.process = process;
      this.reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            incoming.add(line);
          }
        } catch (java.io.IOException e) {
          // process gone
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    static Cli start(String... args) throws Exception {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--enable-native-access=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"), Main.class.getName()));
      command.addAll(List.of(args));
      return new Cli(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    String awaitLine(String containing) throws Exception {
      for (String line : lines) {
        if (line.contains(containing)) {
          return line;
        }
      }
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (System.nanoTime() < deadline) {
        String line = incoming.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          lines.add(line);
          if (line.contains(containing)) {
            return line;
          }
        }
      }
      process.destroyForcibly();
      throw new AssertionError("no line containing '" + containing + "' in:\n" + String.join("\n", lines));
    }

    String output() throws Exception {
      reader.join(10_000);
      incoming.drainTo(lines);
      return String.join("\n", lines);
    }

    void stop() throws Exception {
      process.destroy();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
