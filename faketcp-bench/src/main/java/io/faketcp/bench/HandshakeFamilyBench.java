package io.faketcp.bench;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The handshake rate over IPv4 and over IPv6 in the same run, against one dual-stack peer in ACCEPT
 * mode: kernel connects (non-blocking, IN_FLIGHT at a time, to the fake hosts .2 to .254 and ::2 to
 * ::fe in turn, port 80), each closed with RST once connected. Rounds alternate the families, so
 * that both meet the same machine load; prints each round and the medians' ratio.
 *
 * <pre>java io.faketcp.bench.HandshakeFamilyBench [CONNECTIONS=20000] [ROUNDS=3] [IN_FLIGHT=64]</pre>
 * Run it in a private network namespace (faketcp-bench/handshake-v6 does).
 */
public final class HandshakeFamilyBench {
  private HandshakeFamilyBench() {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    Subnet v4 = Subnet.parse("192.168.0.0/24");
    Subnet v6 = Subnet.parse("fd00:fa:ce::/64");
    try (TunDevice device = TunDevice.builder().subnet(v4).subnet(v6).open();
        FakePeer peer = FakePeer.builder(device).mode(Mode.ACCEPT).start()) {
      run(v4, connections, inFlight); // warm-up: both paths compiled before the rounds count
      run(v6, connections, inFlight);
      double[] four = new double[rounds];
      double[] six = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        four[r] = run(v4, connections, inFlight);
        six[r] = run(v6, connections, inFlight);
        System.out.printf(Locale.ROOT, "round %d ipv4 %.0f/s ipv6 %.0f/s%n", r + 1, four[r], six[r]);
      }
      double m4 = median(four);
      double m6 = median(six);
      System.out.printf(Locale.ROOT, "median ipv4 %.0f/s ipv6 %.0f/s ipv6/ipv4 %.3f%n", m4, m6, m6 / m4);
      if (peer.failure().isPresent()) {
        throw new IllegalStateException("the peer failed", peer.failure().get());
      }
    }
  }

  /** Connections per second for {@code count} handshakes to fake hosts of {@code subnet}. */
  private static double run(Subnet subnet, int count, int inFlight) throws Exception {
    List<InetSocketAddress> targets = new ArrayList<>();
    for (int n = 2; n <= 254; n++) {
      InetAddress address = subnet.addressAt(n);
      targets.add(new InetSocketAddress(address, 80));
    }
    try (Selector selector = Selector.open()) {
      int started = 0;
      int done = 0;
      long start = System.nanoTime();
      while (done < count) {
        while (started < count && started - done < inFlight) {
          SocketChannel channel = SocketChannel.open();
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.SO_LINGER, 0);
          if (channel.connect(targets.get(started % targets.size()))) {
            channel.close();
            done++;
          } else {
            channel.register(selector, SelectionKey.OP_CONNECT);
          }
          started++;
        }
        selector.select(1000);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          try {
            channel.finishConnect();
          } finally {
            key.cancel();
            channel.close(); // RST: SO_LINGER 0
          }
          done++;
        }
        selector.selectedKeys().clear();
      }
      return count / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
