package io.faketcp.bench;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * A fast kernel server for the connect-many and handshake benchmarks: a non-blocking NIO accept
 * loop on 0.0.0.0:PORT (backlog 65535) that accepts and closes each connection with RST (SO_LINGER
 * 0), holding at most HOLD of them open first (the fd hard limit here is 20,000, so a server cannot
 * hold 100,000). Counts accepted connections and stops once COUNT are accepted or nothing was
 * accepted for IDLE_MS after the first.
 *
 * <pre>java io.faketcp.bench.AcceptServer PORT COUNT [IDLE_MS=3000] [HOLD=0]</pre>
 * Prints {@code accepted N seconds S rate R/s busy B% gaps G} (first accept to last, like {@code
 * loadgen accept}; busy is the accept thread's CPU time over that period; gaps is the time, in ms,
 * spent in pauses of 5 ms or more between two accepts: the accept queue was empty then, or the
 * thread was not running).
 */
public final class AcceptServer {
  private static final long GAP_NANOS = 5_000_000;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long count = Long.parseLong(args[1]);
    long idleMs = args.length > 2 ? Long.parseLong(args[2]) : 3000;
    int hold = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    ServerSocketChannel server = ServerSocketChannel.open();
    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    server.bind(new InetSocketAddress(port), 65535);
    server.configureBlocking(false);
    Selector selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    System.out.println("listening " + port);
    System.out.flush();
    ArrayDeque<SocketChannel> held = new ArrayDeque<>();
    long got = 0;
    long gaps = 0;
    long first = 0;
    long last = 0;
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuFirst = 0;
    long cpuLast = 0;
    while (got < count) {
      selector.select(100);
      selector.selectedKeys().clear();
      SocketChannel s;
      while ((s = server.accept()) != null) {
        long now = System.nanoTime();
        if (got == 0) {
          first = now;
          cpuFirst = cpu.getCurrentThreadCpuTime();
        }
        got++;
        if (got > 1 && now - last >= GAP_NANOS) {
          gaps += now - last;
        }
        last = now;
        if ((got & 255) == 0) {
          cpuLast = cpu.getCurrentThreadCpuTime();
        }
        if (hold > 0) {
          held.add(s);
          if (held.size() > hold) {
            reset(held.poll());
          }
        } else {
          reset(s);
        }
      }
      if (got > 0 && System.nanoTime() - last > idleMs * 1_000_000L) {
        break;
      }
    }
    double seconds = got > 1 ? (last - first) / 1e9 : 0;
    // busy: the accept thread's CPU time over the accepting period (100 = it never waited)
    System.out.printf(Locale.ROOT, "accepted %d seconds %.3f rate %.0f/s busy %.0f%% gaps %d%n", got, seconds,
        seconds > 0 ? got / seconds : 0, seconds > 0 ? (cpuLast - cpuFirst) / 1e9 / seconds * 100 : 0,
        gaps / 1_000_000);
    for (SocketChannel s : held) {
      reset(s);
    }
  }

  private static void reset(SocketChannel s) {
    try {
      s.setOption(StandardSocketOptions.SO_LINGER, 0);
      s.close();
    } catch (Exception e) {
      // already reset by the other side
    }
  }
}
