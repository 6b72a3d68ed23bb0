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
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
    // A subnet of its own: a socket an earlier test left closing on 192.168.0.0/24 retransmits its
    // FIN into whatever device has that subnet next, and a fake host rightly answers it with RST.
    Cli cli = Cli.start("echo", "--quiet", "--queues", "2", "--device", "faketcp-mq", "--subnet", "10.56.0.0/24");
    cli.awaitLine("ready ");
    assertThat(Path.of("/sys/class/net/faketcp-mq/queues/rx-1")).exists();
    for (int i = 0; i < 40; i++) {
      try (Socket socket = new Socket("10.56.0." + (2 + i % 20), 7000 + i)) {
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

  @Test
  void connectManyWithTwoQueuesEstablishesEveryConnectionThoughTheHostAnswersOnEitherQueue() throws Exception {
    // The host's SYN+ACK goes to the queue its flow hashes to, before the kernel learns that the
    // first queue's peer (which runs connect-many) sent the SYN: half of them reach the second queue.
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("0.0.0.0", 9001), 128);
      Cli cli = Cli.start("connect-many", "10.57.0.1", "9001", "40", "--quiet", "--queues", "2",
          "--subnet", "10.57.0.0/24");
      assertThat(cli.awaitLine("connect-many ")).contains("40 requested, 40 established, 0 refused, 0 timed out");
      cli.process.toHandle().destroy();
      assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      String first = cli.awaitLine("counters (queue 0): ");
      String second = cli.awaitLine("counters (queue 1): ");
      assertThat(counter(second, "packets in")).as("segments the kernel steered to the second queue: " + second)
          .isPositive();
      assertThat(counter(first, "resets") + counter(second, "resets")).as("resets: " + first + " / " + second)
          .isZero();
    }
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
  void aRepeatedSubnetMakesTheNetworkDualStack() throws Exception {
    Cli cli = Cli.start("reject", "--quiet", "--subnet", "10.45.0.0/24", "--subnet", "fd00:45::/64");
    assertThat(cli.awaitLine("ready ")).endsWith(" 10.45.0.1/24 fd00:45::1/64");
    assertThatThrownBy(() -> new Socket("fd00:45::9", 443).close()).isInstanceOf(ConnectException.class)
        .hasMessageContaining("refused");
    assertThatThrownBy(() -> new Socket("10.45.0.9", 443).close()).isInstanceOf(ConnectException.class);
    assertThat(InetAddress.getByName("fd00:45::9").isReachable(2000)).isTrue();
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
    // --fault seed=N: the spec of old, still read
    Cli cli = Cli.start("echo", "--fault", "latency=100ms", "--fault", "unreachable=host@192.168.0.5:80",
        "--fault", "seed=7");
    assertThat(cli.awaitLine("faults ")).isEqualTo("faults [latency=100ms, unreachable=host@192.168.0.5:80] seed 7"
        + " (replay with --seed 7)");
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
  void connectionFaultsActOnlyOnTheAddressesAndPortsTheyName() throws Exception {
    // A subnet of its own: the blackholed and stalled sockets go on sending after the test.
    Cli cli = Cli.start("echo", "--subnet", "10.48.0.0/24",
        "--fault", "reset-after=1000@10.48.0.5:*", "--fault", "blackhole-after=100@10.48.0.6:*",
        "--fault", "slow-close=1s@10.48.0.7:7", "--fault", "stall-after=10000@10.48.0.9:*");
    cli.awaitLine("ready ");
    assertThat(cli.awaitLine("faults ")).startsWith("faults [reset-after=1000@10.48.0.5:*, "
        + "blackhole-after=100@10.48.0.6:*, slow-close=1s@10.48.0.7:7, stall-after=10000@10.48.0.9:*] seed ");

    try (Socket reset = new Socket("10.48.0.5", 7)) {
      reset.setSoTimeout(5000);
      reset.getOutputStream().write(new byte[5000]);
      int port = reset.getLocalPort();
      assertThatThrownBy(() -> reset.getInputStream().readNBytes(5000)).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      long isn = number(cli.awaitLine("IP 10.48.0.1." + port + " > 10.48.0.5.7: Flags [S]"), "seq");
      String rst = cli.awaitLine("fault reset-after=1000@10.48.0.5:*: forged IP 10.48.0.5.7 > 10.48.0.1." + port);
      assertThat(rst).contains("Flags [R.]");
      assertThat((number(rst, "ack") - isn - 1) & 0xffffffffL).as("bytes acknowledged before the RST").isEqualTo(1000);
    }

    try (Socket silent = new Socket("10.48.0.6", 7)) {
      silent.setSoTimeout(500);
      silent.setTcpNoDelay(true);
      silent.getOutputStream().write(new byte[100]);
      assertThat(silent.getInputStream().readNBytes(100)).as("echoed up to the blackhole").hasSize(100);
      silent.getOutputStream().write(new byte[10]);
      assertThatThrownBy(() -> silent.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      String dropped = "fault blackhole-after=100@10.48.0.6:*: dropped IP 10.48.0.1." + silent.getLocalPort()
          + " > 10.48.0.6.7";
      cli.awaitLine(dropped);
      assertThat(cli.awaitLines(dropped, 2)).as("the client retransmits into nothing").hasSize(2);
    }

    assertThat(millisToEndOfStream(cli, "10.48.0.7", 7)).as("slow close on .7 port 7").isBetween(1000L, 2500L);
    // a slow close never ends the stream before its 1 s: anything less is no slow close (a tighter
    // bound would measure the machine's load)
    assertThat(millisToEndOfStream(cli, "10.48.0.7", 8)).as(".7 port 8: no slow close").isLessThan(1000L);

    try (Socket stalled = new Socket("10.48.0.9", 7)) {
      stalled.setSendBufferSize(16 * 1024);
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 1000; i++) {
            stalled.getOutputStream().write(new byte[1000]);
            written.addAndGet(1000);
          }
        } catch (java.io.IOException e) {
          // closed at the end of the test
        }
      });
      writer.setDaemon(true);
      writer.start();
      // The echo takes 10000 bytes; the writer fills the socket's buffer, then blocks.
      long before;
      do {
        before = written.get();
        Thread.sleep(500);
      } while (written.get() != before);
      assertThat(before).as("the writer is blocked").isLessThan(1_000_000);
      assertThat(writer.isAlive()).isTrue();
      String fromStalled = "IP 10.48.0.9.7 > 10.48.0.1." + stalled.getLocalPort() + ": Flags [.]";
      cli.awaitLine(line -> line.contains(fromStalled) && line.contains(", win 0,"), "with a zero window");
    }

    try (Socket fine = new Socket("10.48.0.8", 7)) {
      fine.setSoTimeout(5000);
      fine.getOutputStream().write(new byte[5000]);
      assertThat(fine.getInputStream().readNBytes(5000)).as(".8: no fault").hasSize(5000);
    }
    cli.stop();
    assertThat(cli.output()).doesNotContain("fault reset-after=1000@10.48.0.5:*: forged IP 10.48.0.8")
        .doesNotContain("> 10.48.0.8.7: Flags [R");
  }

  @Test
  void pingThroughLatencyShowsTheDelayOnEveryEchoReply() throws Exception {
    Cli cli = Cli.start("icmpecho", "--quiet", "--subnet", "10.52.0.0/24", "--fault", "latency=100ms", "--",
        "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-w", "10", "10.52.0.9");
    assertThat(cli.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String output = cli.output();
    assertThat(cli.process.exitValue()).as(output).isZero();
    java.util.regex.Matcher time = java.util.regex.Pattern.compile("time=([0-9.]+) ms").matcher(output);
    List<Double> times = new ArrayList<>();
    while (time.find()) {
      times.add(Double.parseDouble(time.group(1)));
    }
    // Upper bound generous: the first echo also waits for a cold JVM's fault path (418 ms once, JDK 25 at load 6).
    // -w: with a count alone, ping waits for the last reply only twice the longest round trip so far
    // (iputils), so at load 8 a third reply 100 ms late was sent but not counted; with a deadline it
    // waits for all three (or 10 s).
    assertThat(times).as(output).hasSize(3).allSatisfy(ms -> assertThat(ms).isBetween(100.0, 1000.0));
  }

  @Test
  void theSeedOfRandomLossIsPrintedAndReplaysTheSameDrops() throws Exception {
    Cli first = Cli.start("icmpecho", "--subnet", "10.49.0.0/24", "--fault", "loss=40%");
    first.awaitLine("ready ");
    String header = first.awaitLine("faults ");
    java.util.regex.Matcher seed = java.util.regex.Pattern.compile(
        "^faults \\[loss=40%] seed (-?\\d+) \\(replay with --seed (-?\\d+)\\)$").matcher(header);
    assertThat(seed.matches()).as(header).isTrue();
    assertThat(seed.group(2)).isEqualTo(seed.group(1));
    String pings = pings("10.49.0.9", 12);
    List<String> drops = drops(first);

    Cli replay = Cli.start("icmpecho", "--subnet", "10.49.0.0/24", "--fault", "loss=40%", "--seed", seed.group(1));
    replay.awaitLine("ready ");
    assertThat(replay.awaitLine("faults ")).isEqualTo(header);
    String replayed = pings("10.49.0.9", 12);
    assertThat(drops(replay)).as("the same packets dropped, in the same order").isEqualTo(drops);

    // A ping is one request, whatever its timing: the drops are the same however slowly the machine
    // runs. Which pings time out also depends on that (a late reply counts as lost), so they are not compared.
    assertThat(drops).as("loss=40%% both ways: about 64%% of the pings lost").isNotEmpty();
    for (String run : List.of(pings, replayed)) {
      assertThat(run.chars().filter(c -> c == '-').count()).as("lost pings in " + run)
          .isGreaterThanOrEqualTo(drops.size());
    }
  }

  /** {@code count} pings, one at a time: '+' for each answered, '-' for each lost. */
  private static String pings(String address, int count) throws Exception {
    StringBuilder result = new StringBuilder();
    for (int i = 0; i < count; i++) {
      result.append(InetAddress.getByName(address).isReachable(300) ? '+' : '-');
    }
    return result.toString();
  }

  /** Stops the CLI and lists what its loss dropped: "request" or "reply", in order. */
  private static List<String> drops(Cli cli) throws Exception {
    cli.stop();
    List<String> drops = new ArrayList<>();
    for (String line : cli.output().split("\n")) {
      if (line.contains(" fault loss=40%: dropped ")) {
        assertThat(line).contains("ICMP echo");
        drops.add(line.contains("ICMP echo request") ? "request" : "reply");
      }
    }
    return drops;
  }

  /** Connects, shuts down output, and reads to end of stream: how long the fake host's FIN took. */
  private static long millisToEndOfStream(Cli cli, String address, int port) throws Exception {
    try (Socket socket = new Socket(address, port)) {
      socket.setSoTimeout(5000);
      long start = System.nanoTime();
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
      return (System.nanoTime() - start) / 1_000_000;
    }
  }

  /** The number after {@code name} in a tcpdump-style line ({@code seq 123}, {@code ack 456}). */
  private static long number(String line, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + name + " (\\d+)").matcher(line);
    assertThat(m.find()).as(name + " in " + line).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void aRelayCarriesAFakeAddressToARealServiceWithTheFaults() throws Exception {
    try (java.net.ServerSocket service = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread serving = new Thread(() -> {
        try (Socket s = service.accept()) {
          s.getInputStream().transferTo(s.getOutputStream()); // an echo service
        } catch (java.io.IOException e) {
          // the test failed or ended
        }
      });
      serving.setDaemon(true);
      serving.start();
      Cli cli = Cli.start("reject", "--quiet", "--relay", "192.168.0.5:6379=127.0.0.1:" + service.getLocalPort(),
          "--fault", "latency=100ms@192.168.0.5:6379");
      cli.awaitLine("ready ");
      try (Socket socket = new Socket("192.168.0.5", 6379)) {
        socket.setSoTimeout(5000);
        long start = System.nanoTime();
        socket.getOutputStream().write("PING".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("PING");
        assertThat((System.nanoTime() - start) / 1_000_000).as("round trip through 100 ms latency").isBetween(100L, 1000L);
      }
      assertThatThrownBy(() -> new Socket("192.168.0.5", 6380)).isInstanceOf(ConnectException.class);
      cli.stop();
    }
    Cli bad = Cli.start("reject", "--relay", "192.168.0.5:6379");
    assertThat(bad.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.process.exitValue()).isEqualTo(2);
    assertThat(bad.output()).contains("faketcp: --relay '192.168.0.5:6379' is not ADDRESS:PORT=HOST:PORT");
  }

  @Test
  void hostsAreServedAndDnsQueriesAndDatagramsArePrinted() throws Exception {
    Cli cli = Cli.start("echo", "--subnet", "10.57.0.0/24", "--host", "db.test=10.57.0.5", "--host",
        "www.test=CNAME db.test");
    try {
      assertThat(cli.awaitLine("dns ")).isEqualTo("dns 10.57.0.254:53 names db.test=10.57.0.5, www.test=CNAME db.test");
      java.net.Inet4Address dns = (java.net.Inet4Address) java.net.InetAddress.getByName("10.57.0.254");
      assertThat(io.faketcp.dns.FakeDns.lookup(dns, "www.test"))
          .containsExactly((java.net.Inet4Address) java.net.InetAddress.getByName("10.57.0.5"));
      assertThat(cli.awaitLine(" A? www.test. ")).matches(".* IP 10\\.57\\.0\\.1\\.\\d+ > 10\\.57\\.0\\.254\\.53: \\d+\\+ A\\? www\\.test\\. \\(26\\)");
      assertThat(cli.awaitLine("CNAME db.test.")).matches(".*\\* 2/0/0 CNAME db\\.test\\., A 10\\.57\\.0\\.5 \\(\\d+\\)");
      try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
        udp.setSoTimeout(2000);
        udp.send(new java.net.DatagramPacket(new byte[] {1, 2, 3}, 3, java.net.InetAddress.getByName("10.57.0.7"), 9));
        udp.receive(new java.net.DatagramPacket(new byte[10], 10));
      }
      assertThat(cli.awaitLine("IP 10.57.0.7.9 > 10.57.0.1.")).endsWith(": UDP, length 3");
    } finally {
      cli.stop();
    }
  }

  @Test
  void onADualStackNetworkTheDnsServerAnswersOnThePrefixsFfToo() throws Exception {
    Cli cli = Cli.start("echo", "--quiet", "--subnet", "10.58.0.0/24", "--subnet", "fd00:58::/64", "--host",
        "db.test=10.58.0.5");
    try {
      cli.awaitLine("ready ");
      String dns = cli.awaitLine("dns ");
      assertThat(dns).isEqualTo("dns 10.58.0.254:53 [fd00:58::ff]:53 names db.test=10.58.0.5");
      // machine-readable: the servers are the words between "dns" and "names", an IPv6 one in brackets
      String server6 = dns.split(" ")[2];
      InetSocketAddress six = new InetSocketAddress(InetAddress.getByName(server6.substring(1, server6.indexOf(']'))),
          Integer.parseInt(server6.substring(server6.lastIndexOf(':') + 1)));
      byte[] query = io.faketcp.packet.DnsMessage.query(0x5858, "db.test", io.faketcp.packet.DnsMessage.AAAA).build();
      try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
        udp.setSoTimeout(3000);
        udp.send(new java.net.DatagramPacket(query, query.length, six));
        java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[512], 512);
        udp.receive(reply);
        assertThat(io.faketcp.packet.DnsMessage.parse(java.nio.ByteBuffer.wrap(reply.getData(), 0, reply.getLength()))
            .addresses6()).containsExactly((java.net.Inet6Address) InetAddress.getByName("fd00:58::5"));
      }
    } finally {
      cli.stop();
    }
  }

  @Test
  void aBadHostNamesTheBadPart() throws Exception {
    Cli cli = Cli.start("echo", "--host", "db.test=10.1.2.3");
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.process.exitValue()).isEqualTo(2);
    assertThat(cli.output()).contains("faketcp: --host: address 10.1.2.3 is not a fake host of 192.168.0.0/24: give one"
        + " from 192.168.0.2 to 192.168.0.253 (the last one is the fake DNS server's)");
    Cli typo = Cli.start("echo", "--host", "db.test=MX mail.test");
    assertThat(typo.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(typo.output()).contains("faketcp: --host 'db.test=MX mail.test': record type 'MX' is not one of A");
  }

  @Test
  void aBadFaultNamesTheBadPart() throws Exception {
    Cli cli = Cli.start("echo", "--fault", "latency=100@192.168.0.5:80");
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.process.exitValue()).isEqualTo(2);
    assertThat(cli.output()).contains("faketcp: --fault: fault 'latency=100@192.168.0.5:80': latency '100' has no unit");
  }

  @Test
  void theGuideShowsTheRealHelpText() throws Exception {
    Cli cli = Cli.start("--help");
    assertThat(cli.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    // What the program printed, without what the JVM adds (JAVA_TOOL_OPTIONS and the like, set on many CI images).
    String help = cli.output().lines().filter(line -> !line.matches("(NOTE: )?Picked up \\w*_OPTIONS: .*"))
        .collect(java.util.stream.Collectors.joining("\n"));
    String page = java.nio.file.Files.readString(Path.of("../docs/command-line.md"));
    int start = page.indexOf("$ ./faketcp --help\n");
    assertThat(start).as("docs/command-line.md shows `$ ./faketcp --help`").isNotNegative();
    String block = page.substring(start + "$ ./faketcp --help\n".length());
    block = block.substring(0, block.indexOf("\n```"));
    assertThat(block).as("docs/command-line.md, as `faketcp --help` prints it").isEqualTo(help.strip());
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
            if (!isFromTheJvmLauncher(line)) {
              incoming.add(line);
            }
          }
        } catch (java.io.IOException e) {
          // process gone
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * The launcher's own notice of JAVA_TOOL_OPTIONS, _JAVA_OPTIONS or JDK_JAVA_OPTIONS (common on CI
     * images and corporate machines): not something the program printed.
     */
    private static boolean isFromTheJvmLauncher(String line) {
      return line.startsWith("Picked up JAVA_TOOL_OPTIONS: ") || line.startsWith("Picked up _JAVA_OPTIONS: ")
          || line.startsWith("Picked up JDK_JAVA_OPTIONS: ");
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
      return awaitLine(line -> line.contains(containing), "containing '" + containing + "'");
    }

    String awaitLine(java.util.function.Predicate<String> wanted, String description) throws Exception {
      for (String line : lines) {
        if (wanted.test(line)) {
          return line;
        }
      }
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (System.nanoTime() < deadline) {
        String line = incoming.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          lines.add(line);
          if (wanted.test(line)) {
            return line;
          }
        }
      }
      process.destroyForcibly();
      throw new AssertionError("no line " + description + " in:\n" + String.join("\n", lines));
    }

    /** The first {@code count} lines containing {@code containing}, waiting for them as {@link #awaitLine} does. */
    List<String> awaitLines(String containing, int count) throws Exception {
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (true) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
          if (line.contains(containing) && found.size() < count) {
            found.add(line);
          }
        }
        if (found.size() == count) {
          return found;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(count + " lines containing '" + containing + "' expected in:\n"
              + String.join("\n", lines));
        }
        String line = incoming.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          lines.add(line);
        }
      }
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
