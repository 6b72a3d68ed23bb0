package io.faketcp.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DISCARD sink load: CONNS kernel clients (one thread each, blocking 64 KiB writes) to
 * 192.168.0.2.. port PORT for SECONDS. Prints {@code conns N bytes B seconds S rate X MB/s}
 * and how many connections STALLED (a write still blocked 3 s after the end) (MB = 10^6 bytes, counting bytes the kernel accepted from write() after a 0.5 s warm-up).
 *
 * <pre>java io.faketcp.bench.DiscardClient PORT CONNS SECONDS</pre>
 */
public final class DiscardClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int conns = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    AtomicLong bytes = new AtomicLong();
    List<SocketChannel> channels = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      channels.add(SocketChannel.open(new InetSocketAddress("192.168.0." + (2 + i % 253), port)));
    }
    long warmEnd = System.nanoTime() + 500_000_000L;
    long end = warmEnd + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (SocketChannel ch : channels) {
      Thread t = new Thread(() -> {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        try {
          long now;
          while ((now = System.nanoTime()) < end) {
            buf.clear();
            int n = ch.write(buf);
            if (now >= warmEnd) {
              bytes.addAndGet(n);
            }
          }
        } catch (Exception e) {
          System.err.println("discard client: " + e);
        }
      });
      t.start();
      threads.add(t);
    }
    int stalled = 0;
    for (Thread t : threads) {
      t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000 + 3000));
      if (t.isAlive()) {
        stalled++; // a write blocked for 3 s past the end: the connection stopped being acknowledged
      }
    }
    System.out.printf(Locale.ROOT, "conns %d bytes %d seconds %.3f rate %.1f MB/s stalled %d%n", conns, bytes.get(),
        seconds, bytes.get() / seconds / 1e6, stalled);
    System.out.flush();
    System.exit(0);
  }
}
