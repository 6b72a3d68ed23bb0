package io.faketcp.bench;

import io.faketcp.dns.DnsServer;
import io.faketcp.dns.Zone;
import io.faketcp.packet.DnsMessage;
import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DNS queries the fake DNS server answers per second, through a tun device (run it in a private
 * network namespace): {@code CLIENTS} threads, each with its own UDP socket, ask for {@code db.test}
 * one query at a time (send, wait for the answer, next) for {@code SECONDS} after a 2 s warm-up.
 * Usage: {@code DnsBench SECONDS CLIENTS...}.
 */
public final class DnsBench {
  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(args[0]);
    Subnet subnet = Subnet.DEFAULT;
    Inet4Address dns = subnet.address(subnet.usableAddresses());
    Zone zone = new Zone().host("db.test", "192.168.0.5");
    try (TunDevice tun = TunDevice.builder().subnet(subnet).open()) {
      FakePeer[] peer = new FakePeer[1];
      DnsServer server = new DnsServer(zone, () -> peer[0].rules().faults());
      peer[0] = FakePeer.builder(tun).rules(server.addTo(Rules.of(Mode.REJECT), dns)).start();
      try (FakePeer p = peer[0]) {
        run(dns, 2, 2); // warm-up
        for (int i = 1; i < args.length; i++) {
          int clients = Integer.parseInt(args[i]);
          long answered = run(dns, clients, seconds);
          System.out.printf(Locale.ROOT, "dns clients %d answered %d in %d s: %.0f queries/s%n", clients, answered,
              seconds, answered / (double) seconds);
        }
      }
    }
    System.exit(0);
  }

  private static long run(Inet4Address dns, int clients, int seconds) throws InterruptedException {
    AtomicLong answered = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread t = new Thread(() -> {
        try (DatagramSocket socket = new DatagramSocket()) {
          socket.connect(new InetSocketAddress(dns, 53));
          socket.setSoTimeout(1000);
          byte[] in = new byte[512];
          int id = 0;
          while (System.nanoTime() - end < 0) {
            id = (id + 1) & 0xFFFF;
            byte[] query = DnsMessage.query(id, "db.test", DnsMessage.A).build();
            socket.send(new DatagramPacket(query, query.length));
            try {
              DatagramPacket packet = new DatagramPacket(in, in.length);
              socket.receive(packet);
              answered.incrementAndGet();
            } catch (SocketTimeoutException e) {
              // lost: ask again
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return answered.get();
  }
}
