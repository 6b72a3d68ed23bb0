package io.faketcp.bench;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Relay;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.TunDevice;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * A relay ({@code Rule.of("192.168.0.5", "*", Relay.to("127.0.0.1", port))}) beside a direct
 * connection to the same service, in the same round: throughput on one connection each way, and the
 * round trip of one byte (p50, p99). The service is in this process, on the namespace's loopback:
 * command byte 'U' (read until EOF, answer the count), 'D' (send for the given milliseconds), 'E'
 * (echo). A third path, {@code server}, is a {@code Server} on 192.168.0.6 speaking the same
 * protocol itself: the relay's cost beyond faketcp's server connections. Prints one line per figure:
 * {@code relay.upload.direct MB/s}, {@code relay.rtt.relay p50-us X p99-us Y}, ...
 *
 * <p>With MACHINE_PORT, the same service in another process on the machine's loopback (started by
 * {@code RelayBench serve} outside the namespace): three more paths, {@code machine-lo} (the
 * namespace's 127.0.0.1:MACHINE_PORT, pasta's port forwarding), {@code machine-gw} (169.254.1.1,
 * pasta's tap) and {@code relay-machine} (a relay on 192.168.0.7 to 127.0.0.1:MACHINE_PORT).
 *
 * <pre>java io.faketcp.bench.RelayBench SECONDS ROUNDS ROUNDTRIPS [MACHINE_PORT]
 * java io.faketcp.bench.RelayBench serve          the service alone, on 127.0.0.1; prints "listening PORT"</pre>
 */
public final class RelayBench {
  private static final int CHUNK = 65536;

  public static void main(String[] args) throws Exception {
    if (args[0].equals("serve")) {
      ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      System.out.println("listening " + service.getLocalPort());
      System.out.flush();
      startService(service);
      Thread.sleep(Long.MAX_VALUE);
    }
    double seconds = Double.parseDouble(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int roundTrips = Integer.parseInt(args[2]);
    int machinePort = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TunDevice device = TunDevice.builder().open()) {
      startService(service);
      FakePeer peer = FakePeer.builder(device)
          .rules(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "*", Relay.to("127.0.0.1", service.getLocalPort())))
              .with(Rule.of("192.168.0.6", "*", c -> serve(c.input(), c.output())))
              .with(Rule.of("192.168.0.7", "*", Relay.to("127.0.0.1", Math.max(1, machinePort)))))
          .start();
      try {
        InetSocketAddress direct = new InetSocketAddress("127.0.0.1", service.getLocalPort());
        InetSocketAddress relayed = new InetSocketAddress("192.168.0.5", service.getLocalPort());
        InetSocketAddress served = new InetSocketAddress("192.168.0.6", service.getLocalPort());
        Map<String, InetSocketAddress> paths = new java.util.LinkedHashMap<>();
        paths.put("direct", direct);
        paths.put("server", served);
        paths.put("relay", relayed);
        if (machinePort > 0) {
          paths.put("machine-lo", new InetSocketAddress("127.0.0.1", machinePort));
          paths.put("machine-gw", new InetSocketAddress("169.254.1.1", machinePort));
          paths.put("relay-machine", new InetSocketAddress("192.168.0.7", machinePort));
        }
        for (Map.Entry<String, InetSocketAddress> p : paths.entrySet()) { // warm-up: the JIT compiles the copying loops
          measure(p.getKey(), "warm-up", () -> {
            rtt(p.getValue(), 2000);
            upload(p.getValue(), 0.5);
            download(p.getValue(), 0.5);
            return "";
          });
        }
        for (int r = 1; r <= rounds; r++) {
          for (Map.Entry<String, InetSocketAddress> p : paths.entrySet()) {
            String path = p.getKey();
            InetSocketAddress to = p.getValue();
            int round = r;
            measure(path, "upload", () -> String.format(Locale.ROOT, "relay.upload.%s %.1f round %d", path,
                upload(to, seconds), round));
            measure(path, "download", () -> String.format(Locale.ROOT, "relay.download.%s %.1f round %d", path,
                download(to, seconds), round));
            measure(path, "rtt", () -> {
              long[] rtt = rtt(to, roundTrips);
              return String.format(Locale.ROOT, "relay.rtt.%s %.1f p99-us %.1f round %d", path, rtt[rtt.length / 2] / 1e3,
                  rtt[(int) (rtt.length * 0.99)] / 1e3, round);
            });
          }
        }
      } finally {
        peer.close();
      }
    }
    System.exit(0);
  }

  /** Prints the figure {@code measurement} returns; a failure goes to stderr (the table then says n/a). */
  private static void measure(String path, String what, Measurement measurement) {
    try {
      String line = measurement.run();
      if (!line.isEmpty()) {
        System.out.println(line);
        System.out.flush();
      }
    } catch (IOException e) {
      System.err.println("relay bench: " + what + " on " + path + " failed: " + e);
    }
  }

  private interface Measurement {
    String run() throws IOException;
  }

  /** MB/s (10^6 bytes) the service counted from one connection writing for {@code seconds}. */
  private static double upload(InetSocketAddress to, double seconds) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(to, 5000);
      OutputStream out = s.getOutputStream();
      out.write('U');
      byte[] chunk = new byte[CHUNK];
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        out.write(chunk);
      }
      s.shutdownOutput();
      long count = new DataInputStream(s.getInputStream()).readLong();
      return count / ((System.nanoTime() - start) / 1e9) / 1e6;
    }
  }

  /** MB/s (10^6 bytes) one connection read while the service sent for {@code seconds}. */
  private static double download(InetSocketAddress to, double seconds) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(to, 5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write('D');
      out.writeLong((long) (seconds * 1000));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[CHUNK];
      long start = System.nanoTime();
      long count = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        count += n;
      }
      return count / ((System.nanoTime() - start) / 1e9) / 1e6;
    }
  }

  /** Round trips of one byte through the echo, in nanoseconds, sorted. */
  private static long[] rtt(InetSocketAddress to, int count) throws IOException {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(to, 5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write('E');
      long[] took = new long[count];
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        out.write(i);
        if (in.read() < 0) {
          throw new IOException("the echo ended after " + i + " round trips");
        }
        took[i] = System.nanoTime() - start;
      }
      Arrays.sort(took);
      return took;
    }
  }

  private static void startService(ServerSocket service) {
    Thread acceptor = new Thread(() -> {
      while (true) {
        Socket s;
        try {
          s = service.accept();
        } catch (IOException e) {
          return;
        }
        Thread t = new Thread(() -> serve(s), "relay-bench-service");
        t.setDaemon(true);
        t.start();
      }
    }, "relay-bench-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      serve(s.getInputStream(), s.getOutputStream());
    } catch (IOException e) {
      System.err.println("relay bench service: " + e);
    }
  }

  /** The service's protocol on any pair of streams. */
  private static void serve(InputStream in, OutputStream out) throws IOException {
    {
      int command = in.read();
      byte[] buffer = new byte[CHUNK];
      if (command == 'U') {
        long count = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
          count += n;
        }
        new DataOutputStream(out).writeLong(count);
      } else if (command == 'D') {
        long end = System.nanoTime() + new DataInputStream(in).readLong() * 1_000_000L;
        while (System.nanoTime() < end) {
          out.write(buffer);
        }
      } else if (command == 'E') {
        int b;
        while ((b = in.read()) >= 0) {
          out.write(b);
        }
      }
    }
  }
}
