package io.faketcp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The latency bench's client against the simplest timed echo there is (FaultAccuracyBench {@code
 * latency-echo 10ms [SAMPLES]}): a thread of this JVM, like the peer thread, reads each byte from a
 * kernel socket on the loopback, parks until the delay has passed since it read it, and writes it back.
 * No tun, no TCP of the peer's, no fault engine: what is left of the client's tail over the delay is
 * the client's write and wake-up, the echo thread's timer and the machine's (this kernel has no netem,
 * fq or etf to keep the delay itself). The client, its exchanges, phases and printed figures are
 * FaultAccuracyBench's latency ones, so that the lines compare; {@code echo-late-p99-ms} is how late the
 * echo thread wrote, against its own reading plus the delay. Runs in a private network namespace
 * ({@code FAKETCP_NETNS}, as under {@code bin/faketcp-netns}), on its loopback.
 */
final class TimedEchoReference {
  private TimedEchoReference() {
  }

  /** Measures and prints one line; {@code delay} as {@code 10ms}. */
  static void run(String delay, int samples, int warmUp) throws Exception {
    if (System.getenv("FAKETCP_NETNS") == null) {
      throw new IllegalStateException("latency-echo uses ports 7 and 17 of the loopback: run it in a private network "
          + "namespace (bin/faketcp-netns, as faketcp-bench/fault-ab does)");
    }
    if (!delay.endsWith("ms")) {
      throw new IllegalArgumentException("latency-echo takes a delay in ms (10ms), not " + delay);
    }
    long nanos = TimeUnit.MICROSECONDS.toNanos(Math.round(Double.parseDouble(delay.replace("ms", "")) * 1000));
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket delayed = new ServerSocket(); ServerSocket plain = new ServerSocket()) {
      delayed.bind(new InetSocketAddress(loopback, 7));
      plain.bind(new InetSocketAddress(loopback, 17));
      long[] late = new long[warmUp + samples];
      Thread echo = new Thread(() -> {
        serve(delayed, nanos, late);
        serve(plain, 0, null);
      }, "echo");
      echo.setDaemon(true);
      echo.start();
      long[] echoCpu = new long[2];
      long[][] timed = FaultAccuracyBench.echoes(loopback, 7, warmUp, samples, null, echoCpu, echo.getId());
      long[] base = FaultAccuracyBench.echoes(loopback, 17, warmUp, samples, null, new long[2], echo.getId())[1];
      long[] cold = timed[0];
      long[] rtt = timed[1];
      double baseP50 = FaultAccuracyBench.percentile(base, 50);
      long[] lateWarm = Arrays.copyOfRange(late, warmUp, late.length);
      Arrays.sort(lateWarm);
      System.out.printf(Locale.ROOT,
          "faultaccuracy latency-echo=%s samples %d rtt-p50-ms %.3f rtt-p99-ms %.3f rtt-max-ms %.3f"
              + " added-p50-ms %.3f added-p99-ms %.3f base-p50-ms %.3f base-p99-ms %.3f"
              + " warm-up %d cold-added-p50-ms %.3f cold-added-p99-ms %.3f echo-late-p99-ms %.3f echo-cpu-ms %.1f%n",
          delay, samples, FaultAccuracyBench.percentile(rtt, 50) / 1e6, FaultAccuracyBench.percentile(rtt, 99) / 1e6,
          rtt[rtt.length - 1] / 1e6, (FaultAccuracyBench.percentile(rtt, 50) - baseP50) / 1e6,
          (FaultAccuracyBench.percentile(rtt, 99) - baseP50) / 1e6, baseP50 / 1e6,
          FaultAccuracyBench.percentile(base, 99) / 1e6, warmUp, (FaultAccuracyBench.percentile(cold, 50) - baseP50) / 1e6,
          (FaultAccuracyBench.percentile(cold, 99) - baseP50) / 1e6, FaultAccuracyBench.percentile(lateWarm, 99) / 1e6,
          echoCpu[1] / 1e6);
    }
  }

  /** Echoes one connection byte by byte, each {@code nanos} after it was read; {@code late} gets how late each went. */
  private static void serve(ServerSocket server, long nanos, long[] late) {
    try (Socket s = server.accept()) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int b, i = 0; (b = in.read()) >= 0; i++) {
        long due = System.nanoTime() + nanos;
        for (long left; nanos > 0 && (left = due - System.nanoTime()) > 0; ) {
          LockSupport.parkNanos(left);
        }
        long now = System.nanoTime();
        out.write(b);
        if (late != null && i < late.length) {
          late[i] = now - due;
        }
      }
    } catch (IOException e) {
      // the client's end shows it
    }
  }

  /** The CPU time (ns) of the thread of id {@code thread}; -1 where the JVM does not measure it. */
  static long cpu(long thread) {
    return thread < 0 ? -1 : ManagementFactory.getThreadMXBean().getThreadCpuTime(thread);
  }
}
