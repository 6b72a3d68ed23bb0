package io.faketcp.bench;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How exactly the packet faults do what they say, measured from outside: kernel sockets through the
 * tun (run it in a private network namespace, e.g. under {@code bin/faketcp-netns}).
 *
 * <pre>
 * java io.faketcp.bench.FaultAccuracyBench latency 10ms [SAMPLES=300]
 * java io.faketcp.bench.FaultAccuracyBench latency-echo 10ms [SAMPLES=300]
 * java io.faketcp.bench.FaultAccuracyBench bandwidth-in 50MB/s [SECONDS=2]
 * java io.faketcp.bench.FaultAccuracyBench bandwidth-out 50MB/s [SECONDS=2]
 * </pre>
 *
 * <p>latency: one byte echoed by fake host .5 with {@code latency=D}, SAMPLES times after as many
 * round trips of warm-up ({@code -Dfaketcp.bench.warmup=N} sets it); prints the round trip's p50, p99
 * and max, and what the fault added (less the p50 of the same exchange with .6, which has no fault),
 * measured, and over the warm-up ("cold": the JVM's first seconds of faulted traffic, while the JIT
 * compiles the fault's path and the peer thread wakes up to a few ms late; see BENCHMARKS.md), and the
 * p99 of the host without the fault ({@code -Dfaketcp.bench.fresh=true}: the faulted host first, so
 * that its warm-up is a fresh JVM's first exchanges, as in a test; else after the plain host's), the
 * peer thread's CPU time over the faulted warm-up and samples ({@code cold-peer-cpu-ms},
 * {@code peer-cpu-ms}: steadier than the tail on a loaded machine) and how long the peer took to
 * start ({@code peer-start-ms}, with what it does once per JVM for a timing fault). latency-echo:
 * the same client and figures against a thread that echoes each byte after the delay ({@link
 * TimedEchoReference}): the client's and the machine's share of the tail. bandwidth-in: RATE × SECONDS bytes written to a DISCARD host with
 * {@code bandwidth-in=RATE}, from the first write to the fake host's FIN (which follows the last
 * byte); bandwidth-out: the same bytes echoed by an ECHO host with {@code bandwidth-out=RATE}, from
 * the first write to the last byte read. Prints the rate achieved and its ratio to the one asked,
 * and what the link carried over the same time ({@code link-bytes}, {@code link-ratio}): the data and
 * any copies the sender resent (a host's tail-loss probe at 10 KB/s costs a 1 s transfer 7 % of its
 * rate, but not the link).
 * A RATE of {@code none} runs the same transfer without the fault (its ratio is to 200 MB/s). With
 * {@code FAULTACCURACY_TRACE} set, every packet a fault touched is printed to stderr (µs, action, packet).
 * {@code -Dfaketcp.bench.mtu=N} sets the device's MTU (default 1500), {@code
 * -Dfaketcp.bench.checksumOffload=true} opens it with checksum offload.
 *
 * <p>Bandwidth: {@code -Dfaketcp.bench.repeat=N} makes N transfers in the same JVM, one after the other
 * on new connections ({@code transfer 1} is a fresh JVM's, while the JIT compiles the peer's data
 * path; the next ones are warm); {@code -Dfaketcp.bench.timeline=true} prints to stderr when the link
 * stood idle (by tenth of the transfer) and the host's retransmissions. Both: {@code
 * -Dfaketcp.bench.dump=DIR} captures the device with tcpdump (kernel timestamps) and writes the
 * client's and the peer's timestamps beside it, for {@code src/main/python/wire-latency.py} (where a
 * round trip's time went: the peer reading late, the timer firing late, the client) and {@code
 * wire-bandwidth.py} (the transfer as the wire shows it).
 */
public final class FaultAccuracyBench {
  private static final int PORT_ECHO = 7;
  private static final int PORT_DISCARD = 9;

  public static void main(String[] args) throws Exception {
    String what = args[0];
    String value = args[1];
    if (what.equals("latency-echo")) { // the same client against the simplest timed echo: no tun
      int samples = args.length > 2 ? Integer.parseInt(args[2]) : 300;
      TimedEchoReference.run(value, samples, Integer.getInteger("faketcp.bench.warmup", samples));
      return;
    }
    TunDevice.Builder device = TunDevice.builder().mtu(Integer.getInteger("faketcp.bench.mtu", 1500));
    if (Boolean.getBoolean("faketcp.bench.checksumOffload")) {
      device.checksumOffload(true); // only then: a baseline's TunDevice may not have it
    }
    try (TunDevice tun = device.open()) {
      InetAddress faulty = tun.subnet().address(5);
      String scope = "@" + faulty.getHostAddress() + ":*";
      switch (what) {
        case "latency": {
          int samples = args.length > 2 ? Integer.parseInt(args[2]) : 300;
          int warmUp = Integer.getInteger("faketcp.bench.warmup", samples);
          String dump = System.getProperty("faketcp.bench.dump");
          ExchangeDump exchanges = dump == null ? null : new ExchangeDump(java.nio.file.Path.of(dump), tun.name());
          FakePeer.Builder builder = FakePeer.builder(tun).rules(Rules.of(Mode.ECHO).withFaults("latency=" + value + scope));
          if (exchanges != null) {
            builder.faultListener((action, fault, direction, packet, delay) -> exchanges.delayed(packet, delay));
          }
          long starting = System.nanoTime();
          try (FakePeer peer = builder.start()) {
            long started = System.nanoTime() - starting; // with what the peer does once per JVM for its faults
            // fresh: the faulted host first, as a test's first exchanges in a new JVM; else the plain host first
            boolean fresh = Boolean.getBoolean("faketcp.bench.fresh");
            long[] peerCpu = new long[2]; // the peer thread's CPU over the faulted warm-up and samples
            long peerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("faketcp-peer")).mapToLong(Thread::getId).findFirst().orElse(-1);
            long[][] faulted = fresh ? echoes(faulty, PORT_ECHO, warmUp, samples, exchanges, peerCpu, peerThread) : null;
            long[] base = echoes(tun.subnet().address(6), PORT_ECHO, warmUp, samples, null, new long[2], peerThread)[1];
            faulted = fresh ? faulted : echoes(faulty, PORT_ECHO, warmUp, samples, exchanges, peerCpu, peerThread);
            if (exchanges != null) {
              exchanges.close();
            }
            long[] cold = faulted[0];
            long[] rtt = faulted[1];
            double baseP50 = percentile(base, 50);
            System.out.printf(Locale.ROOT,
                "faultaccuracy latency=%s samples %d rtt-p50-ms %.3f rtt-p99-ms %.3f rtt-max-ms %.3f"
                    + " added-p50-ms %.3f added-p99-ms %.3f base-p50-ms %.3f base-p99-ms %.3f"
                    + " warm-up %d cold-added-p50-ms %.3f cold-added-p99-ms %.3f cold-peer-cpu-ms %.1f peer-cpu-ms %.1f peer-start-ms %.1f%n",
                value, samples, percentile(rtt, 50) / 1e6, percentile(rtt, 99) / 1e6, rtt[rtt.length - 1] / 1e6,
                (percentile(rtt, 50) - baseP50) / 1e6, (percentile(rtt, 99) - baseP50) / 1e6, baseP50 / 1e6,
                percentile(base, 99) / 1e6, warmUp, cold.length == 0 ? Double.NaN : (percentile(cold, 50) - baseP50) / 1e6,
                cold.length == 0 ? Double.NaN : (percentile(cold, 99) - baseP50) / 1e6, peerCpu[0] / 1e6,
                peerCpu[1] / 1e6, started / 1e6);
          }
          break;
        }
        case "bandwidth-in":
        case "bandwidth-out": {
          double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
          boolean none = value.equals("none"); // the same transfer without the fault: what the path gives
          double asked = none ? 200e6 : bytesPerSecond(value);
          long bytes = Math.max(10_000, (long) (asked * seconds));
          boolean in = what.equals("bandwidth-in");
          Mode mode = in ? Mode.DISCARD : Mode.ECHO;
          Rules rules = none ? Rules.of(mode) : Rules.of(mode).withFaults(what + "=" + value + scope);
          LinkTimeline link = new LinkTimeline();
          java.util.concurrent.atomic.AtomicLong carried = new java.util.concurrent.atomic.AtomicLong();
          String dump = System.getProperty("faketcp.bench.dump");
          ExchangeDump wire = dump == null ? null : new ExchangeDump(java.nio.file.Path.of(dump), tun.name());
          try (FakePeer peer = FakePeer.builder(tun).rules(rules).faultListener((action, fault, direction, packet, delay) -> {
            if (action == io.faketcp.peer.FaultListener.Action.DELAYED) {
              link.delayed(System.nanoTime(), delay);
              carried.addAndGet(tcpPayload(packet));
              if (wire != null) {
                wire.delayed(packet, delay);
              }
            }
            if (System.getenv("FAULTACCURACY_TRACE") != null) {
              System.err.println(System.nanoTime() / 1000 + " " + action + " " + io.faketcp.packet.Tcpdump.format(packet));
            }
          }).start()) {
            for (int round = 0, rounds = Integer.getInteger("faketcp.bench.repeat", 1); round < rounds; round++) {
              link.clear();
              carried.set(0);
              long[] span = new long[1];
              String before = kernelCounters(tun.name());
              long nanos = in ? upload(faulty, bytes, span) : echo(faulty, bytes, span);
              if (Boolean.getBoolean("faketcp.bench.timeline")) {
                System.err.println("transfer started at JVM uptime ms "
                    + (java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - nanos / 1_000_000));
                System.err.println(link.report(span[0], span[0] + nanos) + " kernel before " + before + " after "
                    + kernelCounters(tun.name()));
              }
              double rate = bytes * 1e9 / nanos;
              // what the link carried: the transfer's data and any copies the sender resent (a host's
              // tail-loss probe, say), as a real link would carry them; its ratio is the link's own rate
              long linkBytes = none ? bytes : carried.get();
              System.out.printf(Locale.ROOT,
                  "faultaccuracy %s=%s bytes %d seconds %.3f rate-Bps %.0f ratio %.4f fault-drops %d peer-retransmissions %d"
                      + " link-bytes %d link-ratio %.4f transfer %d%n",
                  what, value, bytes, nanos / 1e9, rate, rate / asked, peer.counters().faultDrops(),
                  peer.counters().retransmissions(), linkBytes, linkBytes * 1e9 / nanos / asked, round + 1);
            }
            if (wire != null) {
              wire.close();
            }
          }
          break;
        }
        default:
          throw new IllegalArgumentException("what to measure: latency, bandwidth-in or bandwidth-out, not " + what);
      }
    }
  }

  /**
   * Round trips of one byte echoed by {@code host}'s {@code port} (ns, each sorted): the first {@code
   * warmUp} on the new connection, then {@code samples} more; {@code peerCpu} gets the CPU time (ns) of
   * the thread that answers ({@code peerThread}, its id) over each of the two ({@code -1} where the JVM
   * does not measure it).
   */
  static long[][] echoes(InetAddress host, int port, int warmUp, int samples, ExchangeDump dump, long[] peerCpu,
      long peerThread) throws Exception {
    try (Socket s = new Socket(host, port)) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long[][] rtt = {new long[warmUp], new long[samples]};
      for (int k = 0; k < 2; k++) {
        long[] set = rtt[k];
        long cpu = TimedEchoReference.cpu(peerThread);
        for (int i = 0; i < set.length; i++) {
          long t0 = System.nanoTime();
          out.write(i);
          if (in.read() < 0) {
            throw new IllegalStateException("the echo ended early");
          }
          set[i] = System.nanoTime() - t0;
          if (dump != null) {
            dump.exchange(t0, set[i]);
          }
        }
        Arrays.sort(set);
        peerCpu[k] = cpu < 0 ? -1 : TimedEchoReference.cpu(peerThread) - cpu;
      }
      return rtt;
    }
  }

  /** Writes {@code bytes} to a DISCARD host and waits for its FIN; ns from the first write. */
  private static long upload(InetAddress host, long bytes, long[] start0) throws Exception {
    try (Socket s = new Socket(host, PORT_DISCARD)) {
      s.setSoTimeout(120_000);
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      long start = System.nanoTime();
      start0[0] = start;
      for (long left = bytes; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      s.shutdownOutput();
      if (s.getInputStream().read() != -1) {
        throw new IllegalStateException("DISCARD sent data");
      }
      return System.nanoTime() - start;
    }
  }

  /** Writes {@code bytes} to an ECHO host while reading them back; ns from the first write to the last byte read. */
  private static long echo(InetAddress host, long bytes, long[] start0) throws Exception {
    try (Socket s = new Socket(host, PORT_ECHO)) {
      s.setSoTimeout(120_000);
      AtomicReference<Exception> failed = new AtomicReference<>();
      long start = System.nanoTime();
      start0[0] = start;
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          byte[] chunk = new byte[64 * 1024];
          for (long left = bytes; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
          }
        } catch (Exception e) {
          failed.set(e);
        }
      });
      writer.start();
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long read = 0;
      while (read < bytes) {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IllegalStateException("the echo ended after " + read + " bytes", failed.get());
        }
        read += n;
      }
      long nanos = System.nanoTime() - start;
      writer.join();
      return nanos;
    }
  }

  /** The host's TCP retransmissions and the device's dropped packets (its queue full), as the kernel counts them. */
  private static String kernelCounters(String device) throws java.io.IOException {
    String retrans = "?";
    java.util.List<String> snmp = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
    for (int i = 0; i + 1 < snmp.size(); i++) {
      if (snmp.get(i).startsWith("Tcp:") && snmp.get(i + 1).startsWith("Tcp:")) {
        java.util.List<String> k = Arrays.asList(snmp.get(i).split(" "));
        retrans = snmp.get(i + 1).split(" ")[k.indexOf("RetransSegs")];
        break;
      }
    }
    String dropped = "?";
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/dev"))) {
      String[] f = line.trim().split("[:\\s]+");
      if (f[0].equals(device)) {
        dropped = "rx-drop " + f[4] + " tx-drop " + f[12];
      }
    }
    return "retrans " + retrans + " " + dropped;
  }

  /** The TCP data in the IPv4 packet {@code packet} (whole packets for other protocols, as the link charges them). */
  private static int tcpPayload(java.nio.ByteBuffer packet) {
    int at = packet.position();
    int header = (packet.get(at) & 0x0f) * 4;
    int total = packet.getShort(at + 2) & 0xffff;
    if ((packet.get(at + 9) & 0xff) != 6 || total < header + 20) {
      return total;
    }
    return Math.max(0, total - header - ((packet.get(at + header + 12) >> 4) & 0x0f) * 4);
  }

  static double percentile(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  /** {@code 50MB/s}, {@code 10KB/s}, {@code 1MiB/s}: bytes per second (decimal K, M, G as the fault spec reads them). */
  private static double bytesPerSecond(String rate) {
    String r = rate.replace("/s", "");
    double scale = 1;
    String[][] units = {{"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}, {"GB", "1e9"}, {"MB", "1e6"},
        {"KB", "1e3"}, {"B", "1"}};
    for (String[] u : units) {
      if (r.endsWith(u[0])) {
        scale = Double.parseDouble(u[1]);
        r = r.substring(0, r.length() - u[0].length());
        break;
      }
    }
    return Double.parseDouble(r) * scale;
  }
}
