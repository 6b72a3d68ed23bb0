package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IpProtocol;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The peer as a TCP sender and receiver under loss, zero windows and closes, with real kernel sockets
 * through the tun in the test JVM's private namespace. Loss towards the host comes from iptables
 * (INPUT on the tun); loss of the host's packets from a {@link Responder} that swallows them before
 * the peer sees them (an OUTPUT drop would only make the kernel retry locally).
 */
@ExtendWith(RequiresTun.class)
class LossyPathTest {
  private static final int MEGABYTE = 1 << 20;
  /** Its own subnet: the kernel's leftover retransmissions after a lossy close must not reach other tests' peers. */
  private static final Subnet SUBNET = Subnet.parse("10.99.0.0/24");

  private static PeerFixture fixture(Mode mode, Responder responder) {
    return new PeerFixture(SUBNET, Rules.of(mode), responder, (direction, packet) -> { });
  }

  /** Swallows {@code probability} of the host's TCP packets: they never reach the fake hosts. */
  static final class LossyResponder implements Responder {
    private final SplittableRandom random = new SplittableRandom(42);
    private final double probability;
    final AtomicLong dropped = new AtomicLong();

    LossyResponder(double probability) {
      this.probability = probability;
    }

    @Override
    public boolean respond(io.faketcp.packet.Ipv4Packet packet, Sink out) {
      if (packet.protocol() == IpProtocol.TCP && random.nextDouble() < probability) {
        dropped.incrementAndGet();
        return true;
      }
      return false;
    }
  }

  @Test
  void threeStreamsOfFourMegabytesComeBackIdenticalWithFivePercentLossBothWays() throws Exception {
    LossyResponder lossy = new LossyResponder(0.05);
    try (PeerFixture f = fixture(Mode.ECHO, lossy);
        Iptables drop = Iptables.dropInput(f.device.name(), 0.05)) {
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<byte[]>> echoes = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          byte[] data = new byte[4 * MEGABYTE];
          new Random(i).nextBytes(data);
          sent.add(data);
          Socket socket = new Socket(f.address(5 + i), 7);
          socket.setSoTimeout(30_000);
          pool.submit(() -> {
            OutputStream out = socket.getOutputStream();
            for (int off = 0; off < data.length; off += 65536) {
              out.write(data, off, 65536);
            }
            socket.shutdownOutput(); // half-close: the echo and then the peer's FIN still come
            return null;
          });
          echoes.add(pool.submit(() -> {
            try (socket) {
              InputStream in = socket.getInputStream();
              byte[] echoed = in.readNBytes(data.length);
              assertThat(in.read()).as("end of stream after the echo").isEqualTo(-1);
              return echoed;
            }
          }));
        }
        for (int i = 0; i < 3; i++) {
          assertThat(echoes.get(i).get(60, TimeUnit.SECONDS)).as("stream %d", i).isEqualTo(sent.get(i));
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PeerCounters c = f.peer.counters();
      System.out.printf("lossy echo: 3 x 4 MiB in %.2f s, host packets dropped by the peer %d, "
          + "peer retransmissions %d%n", seconds, lossy.dropped.get(), c.retransmissions());
      assertThat(lossy.dropped.get()).isPositive();
      assertThat(c.retransmissions()).isPositive();
      assertThat(seconds).as("seconds, not minutes").isLessThan(30);
      FakePeerTest.await(() -> f.peer.counters().established() + f.peer.counters().closing() == 0,
          "every connection closed");
      assertThat(f.peer.counters().aborted()).isZero();
    }
  }

  @Test
  void keepalivesOnAnIdleEchoConnectionAreAnswered() throws Exception {
    // Regression 1: keepalives went unanswered, and the client got ETIMEDOUT after 4 s of idleness.
    try (PeerFixture f = fixture(Mode.ECHO, null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setKeepAlive(true);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
      socket.setSoTimeout(5000);
      Thread.sleep(4500);
      socket.getOutputStream().write("still there?".getBytes());
      assertThat(socket.getInputStream().readNBytes(12)).isEqualTo("still there?".getBytes());
    }
  }

  @Test
  void aHostThatReadsNothingForThreeSecondsThenDrainsGetsEveryByteInOrder() throws Exception {
    try (PeerFixture f = fixture(Mode.ECHO, new LossyResponder(0.05));
        Socket socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress(f.address(6), 7));
      socket.setSoTimeout(20_000);
      byte[] data = new byte[MEGABYTE / 2]; // more than every buffer on the way: 16 KiB here, 128 KiB queued at the peer
      new Random(7).nextBytes(data);
      Thread writer = new Thread(() -> {
        try {
          socket.getOutputStream().write(data);
        } catch (Exception e) {
          // the reader's assertion reports it
        }
      });
      writer.start();
      Thread.sleep(3000); // neither direction moves: both windows close, both sides probe
      byte[] echoed = new byte[data.length];
      InputStream in = socket.getInputStream();
      int n = 0;
      while (n < data.length) {
        int r = in.read(echoed, n, Math.min(1000, data.length - n)); // a slow reader, small reads
        assertThat(r).as("bytes so far %d", n).isPositive();
        n += r;
      }
      writer.join(10_000);
      assertThat(echoed).isEqualTo(data);
      assertThat(f.peer.counters().aborted()).isZero();
    }
  }

  @Test
  void connectManyClientsAllEstablishWhenSynAcksAndFinalAcksAreLostAndAllCloseCleanly() throws Exception {
    // Regression 3: a crossing close whose ACK was lost left connections in CLOSING for good.
    // 5% both ways: a final ACK lost three times running costs 7 s of the server's SYN+ACK backoff
    LossyResponder lossy = new LossyResponder(0.05);
    try (PeerFixture f = fixture(Mode.DISCARD, lossy);
        Iptables drop = Iptables.dropInput(f.device.name(), 0.05);
        ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(f.device.subnet().hostAddress(), 8080), 1024);
      int count = 200;
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (accepted.size() < count) {
            accepted.add(server.accept());
          }
        } catch (Exception e) {
          // counted below
        }
      });
      acceptor.start();
      ConnectManyResult result = f.peer.connectMany(ConnectMany.to(
          new InetSocketAddress(f.device.subnet().hostAddress(), 8080), count));
      acceptor.join(20_000);
      assertThat(result.established()).as(result.toString()).isEqualTo(count);
      assertThat(accepted).as("the server accepted every one").hasSize(count);

      // both sides close at once: FINs cross, some FINs and ACKs are lost
      Thread closer = new Thread(() -> accepted.forEach(s -> {
        try {
          s.close();
        } catch (Exception e) {
          // nothing to do
        }
      }));
      closer.start();
      f.peer.closeClientConnections(false);
      closer.join(10_000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (f.peer.counters().established() + f.peer.counters().closing() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(f.peer.counters().closing()).as(f.peer.counters().toString()).isZero();
      assertThat(f.peer.counters().established()).isZero();
      assertThat(lossy.dropped.get()).isPositive();
    }
  }
}
