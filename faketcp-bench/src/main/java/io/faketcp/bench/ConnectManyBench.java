package io.faketcp.bench;

import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Connect-many: the fake peer plays COUNT clients towards a server already listening on the host
 * address (e.g. {@link AcceptServer}). Prints the engine's own result and peer-busy, the peer
 * thread's CPU time over the run (100% = the peer was the limit), and where SYNs or replies were
 * lost: the kernel's listener counters of this namespace over the run ({@code /proc/net/netstat},
 * what {@code nstat} shows: listen-overflows, listen-drops, reqqfull-drops, syncookies-sent,
 * kernel-synack-retx) and the
 * tun device's own drop counters ({@code tx-dropped}: replies the kernel could not queue for us,
 * {@code rx-dropped}: packets we wrote that the kernel refused).
 *
 * <pre>java io.faketcp.bench.ConnectManyBench PORT COUNT [IN_FLIGHT=512] [TXQUEUELEN]</pre>
 *
 * <p>TXQUEUELEN (an experiment, not what the engine does): sets the tun device's transmit queue with
 * {@code ip link} before the run; the kernel default is 500 packets.
 *
 * <p>Also printed: {@code alloc-per-conn}, the bytes the peer thread allocated over the run per
 * established connection (the JVM's exact per-thread counter). For profiling:
 * {@code -Dbench.warmup=N} opens N connections first (the server must expect COUNT + N), and
 * {@code -Dbench.await=FILE} then prints {@code profile-ready} and waits until FILE exists before the
 * measured run, so that a profiler can attach to the peer thread ({@code perf record -t TID}).
 */
public final class ConnectManyBench {
  private static final String[][] KERNEL_COUNTERS = {
      {"TcpExt", "ListenOverflows", "listen-overflows"},
      {"TcpExt", "ListenDrops", "listen-drops"},
      {"TcpExt", "TCPReqQFullDrop", "reqqfull-drops"},
      {"TcpExt", "SyncookiesSent", "syncookies-sent"},
      {"TcpExt", "TCPReqQFullDoCookies", "reqqfull-cookies"},
      {"TcpExt", "TCPSynRetrans", "kernel-synack-retx"},
  };

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    try (TunDevice tun = TunDevice.builder().open();
         FakePeer peer = FakePeer.builder(tun).mode(Mode.ACCEPT).start()) {
      if (args.length > 3) {
        new ProcessBuilder("ip", "link", "set", tun.name(), "txqueuelen", args[3]).inheritIO().start().waitFor();
      }
      com.sun.management.ThreadMXBean cpu =
          (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
      long peerThread = peerThread(tun.name());
      int warmup = Integer.getInteger("bench.warmup", 0);
      if (warmup > 0) {
        peer.connectMany(ConnectMany.to(new InetSocketAddress(tun.subnet().hostAddress(), port), warmup)
            .inFlight(inFlight).timeout(Duration.ofSeconds(90)));
        peer.closeClientConnections(true);
      }
      String await = System.getProperty("bench.await");
      if (await != null) {
        System.out.println("profile-ready");
        System.out.flush();
        while (!Files.exists(Path.of(await))) {
          Thread.sleep(20);
        }
      }
      Map<String, Long> before = counters(tun.name());
      long cpu0 = cpu.getThreadCpuTime(peerThread);
      long alloc0 = cpu.getThreadAllocatedBytes(peerThread);
      Path peerStat = nativeThreadStat("faketcp-peer-");
      long[] ticks0 = userSystemTicks(peerStat);
      ConnectManyResult r = peer.connectMany(
          ConnectMany.to(new InetSocketAddress(tun.subnet().hostAddress(), port), count).inFlight(inFlight)
              .timeout(Duration.ofSeconds(90)));
      double s = r.elapsed().toNanos() / 1e9;
      double busy = (cpu.getThreadCpuTime(peerThread) - cpu0) / 1e9 / s * 100;
      long allocated = cpu.getThreadAllocatedBytes(peerThread) - alloc0;
      long[] ticks1 = userSystemTicks(peerStat);
      double perConnTick = 1e6 / CLOCK_TICKS / Math.max(1, r.established());
      Map<String, Long> after = counters(tun.name());
      StringBuilder losses = new StringBuilder();
      after.forEach((name, value) -> losses.append(' ').append(name).append(' ').append(value - before.get(name)));
      System.out.printf(Locale.ROOT,
          "connectmany requested %d established %d refused %d timedout %d failed %d synretx %d seconds %.3f rate %.0f/s"
              + " peer-busy %.0f%% alloc-per-conn %.0f peer-user-us %.1f peer-sys-us %.1f%s%n",
          r.requested(), r.established(), r.refused(), r.timedOut(), r.failed(), r.synRetransmissions(), s,
          r.established() / s, busy, (double) allocated / Math.max(1, r.established()),
          (ticks1[0] - ticks0[0]) * perConnTick, (ticks1[1] - ticks0[1]) * perConnTick, losses);
    }
  }

  /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
  private static final int CLOCK_TICKS = 100;

  /** /proc/self/task/TID/stat of the native thread whose name starts with {@code prefix}. */
  static Path nativeThreadStat(String prefix) throws IOException {
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        if (Files.readString(task.resolve("comm")).startsWith(prefix)) {
          return task.resolve("stat");
        }
      }
    }
    throw new IllegalStateException("no native thread named " + prefix + "...");
  }

  /** utime and stime of a thread, in clock ticks: its CPU time in user mode (our Java, the JVM) and in the kernel. */
  static long[] userSystemTicks(Path stat) throws IOException {
    String line = Files.readString(stat);
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
  }

  /** The peer's thread: its CPU time over the run says whether the peer or the server was the limit. */
  static long peerThread(String device) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("faketcp-peer-" + device)) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no thread faketcp-peer-" + device);
  }

  /** This namespace's listener counters and the device's drop counters, by the names printed. */
  static Map<String, Long> counters(String device) throws IOException {
    Map<String, Long> values = new LinkedHashMap<>();
    java.util.List<String> netstat = Files.readAllLines(Path.of("/proc/net/netstat"));
    for (String[] counter : KERNEL_COUNTERS) {
      values.put(counter[2], netstat(netstat, counter[0], counter[1]));
    }
    for (String statistic : new String[] {"tx_dropped", "rx_dropped"}) {
      values.put(statistic.replace('_', '-'),
          Long.parseLong(Files.readString(Path.of("/sys/class/net", device, "statistics", statistic)).trim()));
    }
    return values;
  }

  /** One counter of /proc/net/netstat: a line of names after "Prefix:", then a line of values. */
  private static long netstat(java.util.List<String> lines, String prefix, String name) {
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      String[] names = lines.get(i).split(" ");
      String[] values = lines.get(i + 1).split(" ");
      if (names[0].equals(prefix + ":")) {
        for (int k = 1; k < names.length && k < values.length; k++) {
          if (names[k].equals(name)) {
            return Long.parseLong(values[k]);
          }
        }
      }
    }
    return 0; // a kernel without this counter: nothing to report
  }
}
