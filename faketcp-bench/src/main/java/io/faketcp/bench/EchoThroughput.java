package io.faketcp.bench;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.peer.Server;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Locale;

/**
 * One connection's echo throughput, measured from outside: a device with MTU MTU, a FakePeer whose
 * fake hosts are ECHO ({@code mode} echo) or run {@link Server#echo()} ({@code server}), and one
 * kernel socket that writes MB megabytes (64 KiB writes) while a second thread reads them back.
 * Prints {@code mtu M mode X echoed B seconds S rate R MB/s}, the segments resent, the packets read and
 * written, the CPU time (user and system) of the server threads ({@code faketcp-server*}) and of the
 * whole process, the voluntary context switches (waits, {@code /proc/self/task/}) of the peer thread
 * and of the server threads, and last the peer thread's CPU time (MB = 10^6 bytes), ROUNDS times
 * on the same device and peer (the first round warms up the JIT). Must run in a private namespace.
 *
 * <pre>java [-Dfaketcp.bench.checksumOffload=true] io.faketcp.bench.EchoThroughput MTU echo|server MB [ROUNDS]</pre>
 *
 * <p>With {@code faketcp.bench.threads} it prints at the end, on stderr, each kind of thread's CPU
 * time since the JVM started (the JIT's compiler threads among them) and its time spent waiting for a
 * CPU. With {@code faketcp.bench.checksumOffload} the device leaves checksums to the peer
 * ({@link TunDevice.Builder#checksumOffload}). {@code faketcp.bench.writeSize} (default 65536) is the
 * size of the client's writes (1 MiB writes were no faster at MTU 65,535).
 */
public final class EchoThroughput {
  public static void main(String[] args) throws Exception {
    int mtu = Integer.parseInt(args[0]);
    boolean server = args[1].equals("server");
    long bytes = Long.parseLong(args[2]) * 1_000_000L;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    if (System.getenv("FAKETCP_NETNS") == null) {
      throw new IllegalStateException("run in a private network namespace (bin/faketcp-netns)");
    }
    Rules rules = server ? Rules.of(Mode.REJECT).with(Rule.of("*", "*", Server.echo())) : Rules.of(Mode.ECHO);
    TunDevice.Builder builder = TunDevice.builder().mtu(mtu);
    if (Boolean.getBoolean("faketcp.bench.checksumOffload")) {
      builder.checksumOffload(true); // only then: a baseline's TunDevice may not have it
    }
    try (TunDevice device = builder.open();
        FakePeer peer = FakePeer.builder(device).rules(rules).start()) {
      java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
      long peerThread = ConnectManyBench.peerThread(device.name());
      for (int round = 0; round < rounds; round++) {
        long cpuBefore = cpu.getThreadCpuTime(peerThread);
        long resentBefore = peer.counters().retransmissions();
        long kernelBefore = kernelRetransmissions();
        long inBefore = peer.counters().packetsIn();
        long outBefore = peer.counters().packetsOut();
        long[] tasksBefore = tasks();
        double seconds = once(device.subnet().address(5).getHostAddress(), bytes);
        System.out.printf(Locale.ROOT, "mtu %d mode %s echoed %d seconds %.3f rate %.1f MB/s resent %d by the peer,"
            + " %d by the kernel, packets %d in %d out, server CPU %.3f s, process CPU %.3f s, switches peer %d"
            + " server %d, peer CPU %.3f s%n", mtu, server ? "server" : "echo", bytes, seconds,
            bytes / seconds / 1e6, peer.counters().retransmissions() - resentBefore,
            kernelRetransmissions() - kernelBefore, peer.counters().packetsIn() - inBefore,
            peer.counters().packetsOut() - outBefore, (tasks()[SERVER_TICKS] - tasksBefore[SERVER_TICKS]) / HZ,
            (tasks()[PROCESS_TICKS] - tasksBefore[PROCESS_TICKS]) / HZ,
            tasks()[PEER_SWITCHES] - tasksBefore[PEER_SWITCHES], tasks()[SERVER_SWITCHES] - tasksBefore[SERVER_SWITCHES],
            (cpu.getThreadCpuTime(peerThread) - cpuBefore) / 1e9);
      }
      if (Boolean.getBoolean("faketcp.bench.threads")) {
        System.err.println(threadTimes());
      }
    }
  }

  /** The CPU time of the writer threads that ended, nanoseconds. */
  private static final java.util.concurrent.atomic.AtomicLong WRITERS_CPU = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Each kind of thread's time on a CPU since the JVM started, and its time runnable but waiting for
   * one (/proc/self/task/N/schedstat, nanoseconds): the peer, the server threads, the bench's reader
   * (main), the JIT's compiler threads, the garbage collector, the rest; then the CPU time of the
   * writers (one a transfer, ended).
   */
  private static String threadTimes() throws java.io.IOException {
    java.util.Map<String, long[]> kinds = new java.util.TreeMap<>();
    try (java.nio.file.DirectoryStream<java.nio.file.Path> dir =
        java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : dir) {
        String name;
        String[] sched;
        try {
          name = java.nio.file.Files.readString(task.resolve("comm")).trim();
          sched = java.nio.file.Files.readString(task.resolve("schedstat")).trim().split(" ");
        } catch (java.io.IOException e) {
          continue; // the thread ended meanwhile
        }
        String kind = name.startsWith("faketcp-peer") ? "peer" : name.startsWith("faketcp-server") ? "server"
            : name.startsWith("C2 Compiler") ? "C2" : name.startsWith("C1 Compiler") ? "C1"
            : name.equals("java") ? "reader" : name.equals("writer") ? "writer"
            : name.startsWith("GC ") || name.startsWith("ParGC") ? "GC" : "other";
        long[] t = kinds.computeIfAbsent(kind, k -> new long[2]);
        t[0] += Long.parseLong(sched[0]);
        t[1] += Long.parseLong(sched[1]);
      }
    }
    StringBuilder line = new StringBuilder("threads (CPU s / waiting for a CPU s):");
    kinds.forEach((kind, t) -> line.append(String.format(Locale.ROOT, " %s %.3f/%.3f", kind, t[0] / 1e9, t[1] / 1e9)));
    return line.append(String.format(Locale.ROOT, " writers %.3f", WRITERS_CPU.get() / 1e9)).toString();
  }

  private static final double HZ = 100; // USER_HZ, the unit of /proc's utime and stime on Linux
  private static final int SERVER_TICKS = 0;
  private static final int PROCESS_TICKS = 1;
  private static final int PEER_SWITCHES = 2;
  private static final int SERVER_SWITCHES = 3;

  /**
   * From {@code /proc/self/task/*}: the server threads' CPU ticks, every thread's (the process's) ticks,
   * the peer thread's and the server threads' voluntary context switches.
   */
  private static long[] tasks() throws java.io.IOException {
    long[] sums = new long[4];
    try (java.nio.file.DirectoryStream<java.nio.file.Path> dir =
        java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : dir) {
        String stat;
        String status;
        try {
          stat = java.nio.file.Files.readString(task.resolve("stat"));
          status = java.nio.file.Files.readString(task.resolve("status"));
        } catch (java.io.IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        long switches = 0;
        for (String line : status.split("\n")) {
          if (line.startsWith("voluntary_ctxt_switches:")) { // waits; the involuntary ones follow the machine's load
            switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          }
        }
        sums[PROCESS_TICKS] += ticks;
        if (name.startsWith("faketcp-server")) {
          sums[SERVER_TICKS] += ticks;
          sums[SERVER_SWITCHES] += switches;
        } else if (name.startsWith("faketcp-peer")) {
          sums[PEER_SWITCHES] += switches;
        }
      }
    }
    return sums;
  }

  /** The namespace's TCP RetransSegs (/proc/net/snmp). */
  private static long kernelRetransmissions() throws java.io.IOException {
    java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
        String[] names = lines.get(i).split(" ");
        String[] values = lines.get(i + 1).split(" ");
        for (int k = 0; k < names.length; k++) {
          if (names[k].equals("RetransSegs")) {
            return Long.parseLong(values[k]);
          }
        }
      }
    }
    return -1;
  }

  private static double once(String address, long bytes) throws Exception {
    try (Socket socket = new Socket(address, 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000); // a peer that stopped ends the run instead of hanging it
      long start = System.nanoTime();
      Thread writer = new Thread(() -> {
        byte[] chunk = new byte[Integer.getInteger("faketcp.bench.writeSize", 65536)];
        try {
          OutputStream out = socket.getOutputStream();
          for (long left = bytes; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
          }
          WRITERS_CPU.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "writer");
      writer.setDaemon(true); // blocked on a peer that stopped: not what keeps the JVM up
      writer.start();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1 << 20];
      long read = 0;
      while (read < bytes) {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IllegalStateException("the echo ended after " + read + " of " + bytes + " bytes");
        }
        read += n;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      writer.join();
      return seconds;
    }
  }
}
