package io.faketcp.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ECHO load: CONNS kernel clients to 192.168.0.2.. port PORT, each with a writer thread (16 KiB
 * writes) and a reader thread, for SECONDS after a 0.5 s warm-up. Counts the bytes that came back.
 * Prints {@code conns N echoed B seconds S rate X MB/s stalled K}, where a connection is stalled
 * when nothing came back on it during the last second (MB = 10^6 bytes).
 *
 * <pre>java io.faketcp.bench.EchoClient PORT CONNS SECONDS</pre>
 */
public final class EchoClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int conns = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    long warmEnd = System.nanoTime() + 500_000_000L;
    long end = warmEnd + (long) (seconds * 1e9);
    AtomicLong echoed = new AtomicLong();
    List<Socket> sockets = new ArrayList<>();
    long[] lastEcho = new long[conns];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      Socket socket = new Socket("192.168.0." + (2 + i % 253), port);
      socket.setTcpNoDelay(true);
      sockets.add(socket);
      int index = i;
      Thread writer = new Thread(() -> {
        byte[] chunk = new byte[16384];
        try {
          OutputStream out = socket.getOutputStream();
          while (System.nanoTime() < end) {
            out.write(chunk);
          }
        } catch (Exception e) {
          // closed at the end
        }
      });
      Thread reader = new Thread(() -> {
        byte[] buffer = new byte[65536];
        try {
          InputStream in = socket.getInputStream();
          int n;
          while ((n = in.read(buffer)) > 0) {
            long now = System.nanoTime();
            lastEcho[index] = now;
            if (now >= warmEnd && now < end) {
              echoed.addAndGet(n);
            }
          }
        } catch (Exception e) {
          // closed at the end
        }
      });
      writer.setDaemon(true);
      reader.setDaemon(true);
      writer.start();
      reader.start();
      threads.add(writer);
    }
    Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
    int stalled = 0;
    for (long t : lastEcho) {
      if (end - t > 1_000_000_000L) {
        stalled++;
      }
    }
    System.out.printf(Locale.ROOT, "conns %d echoed %d seconds %.3f rate %.1f MB/s stalled %d%n", conns,
        echoed.get(), seconds, echoed.get() / seconds / 1e6, stalled);
    System.out.flush();
    for (Socket s : sockets) {
      s.setSoLinger(true, 0);
      s.close();
    }
    System.exit(0);
  }
}
