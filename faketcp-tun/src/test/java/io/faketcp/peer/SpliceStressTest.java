package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's input transferred into its own output ({@code transferTo}, where the peer thread splices
 * the host's bytes into the send queue itself) mixed with the server's own writes, half-closes and
 * resets, through real kernel sockets at MTU 65,535 (where the peer splices) and 1,500: every byte
 * comes back in order, the server's own bytes where it wrote them, no checksum error counted.
 */
@ExtendWith(RequiresTun.class)
class SpliceStressTest {
  private static final byte[] GREETING = "220 greeting\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Greets, then echoes through transferTo. */
  private static final Server GREETER = c -> {
    c.output().write(GREETING);
    c.input().transferTo(c.output());
    c.close();
  };

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void aGreetingComesBeforeEveryEchoedByte(int mtu) throws Exception {
    try (PeerFixture f = fixture("192.168.150.0/24", mtu, GREETER)) {
      byte[] data = data(4 << 20, 1);
      byte[] back = exchange(f, data);
      assertThat(Arrays.copyOf(back, GREETING.length)).isEqualTo(GREETING);
      assertThat(Arrays.mismatch(Arrays.copyOfRange(back, GREETING.length, back.length), data)).isEqualTo(-1);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void theWindowsRightEdgeNeverMovesBackWhileSplicing(int mtu) throws Exception {
    try (PeerFixture f = new PeerFixture(TunDevice.builder().subnet(Subnet.parse("192.168.159.0/24")).mtu(mtu),
        Rules.of(Mode.REJECT).with(Rule.of("*", "7", GREETER)), null, null)) {
      byte[] data = data(4 << 20, 6);
      assertThat(exchange(f, data)).hasSize(GREETING.length + data.length);
      long edge = -1;
      int segments = 0;
      for (byte[] bytes : f.sent) {
        io.faketcp.packet.TcpSegment tcp = io.faketcp.packet.TcpSegment.wrap(io.faketcp.packet.Ipv4Packet.wrap(bytes));
        if (tcp.sourcePort() != 7 || tcp.syn() || tcp.rst() || !tcp.ack()) {
          continue;
        }
        long right = (tcp.acknowledgmentNumber() + ((long) tcp.window() << 7)) & 0xffffffffL; // the host offers scaling: ours is 7
        if (edge >= 0) {
          int moved = (int) (right - edge);
          assertThat(moved).as("the right edge moved in segment %d", segments).isGreaterThan(-128); // the scale's truncation
          if (moved > 0) {
            edge = right;
          }
        } else {
          edge = right;
        }
        segments++;
      }
      assertThat(segments).isGreaterThan(20);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void aServerThatReadsAndAnswersThenEchoes(int mtu) throws Exception {
    Server server = c -> {
      byte[] head = c.input().readNBytes(5);
      c.output().write(("got " + new String(head, StandardCharsets.ISO_8859_1) + "\n").getBytes(StandardCharsets.ISO_8859_1));
      c.input().transferTo(c.output());
      c.close();
    };
    try (PeerFixture f = fixture("192.168.151.0/24", mtu, server)) {
      byte[] data = data(4 << 20, 2);
      byte[] back = exchange(f, data);
      byte[] answer = ("got " + new String(data, 0, 5, StandardCharsets.ISO_8859_1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
      assertThat(Arrays.copyOf(back, answer.length)).isEqualTo(answer);
      assertThat(Arrays.mismatch(Arrays.copyOfRange(back, answer.length, back.length), Arrays.copyOfRange(data, 5, data.length)))
          .isEqualTo(-1);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void afterTheHostsFinTheServerStillWritesAndItsFinComesLast(int mtu) throws Exception {
    Server server = c -> {
      long n = c.input().transferTo(c.output());
      c.output().write(("END " + n).getBytes(StandardCharsets.US_ASCII));
      c.close();
    };
    try (PeerFixture f = fixture("192.168.152.0/24", mtu, server)) {
      byte[] data = data(3 << 20, 3);
      byte[] back = exchange(f, data);
      assertThat(Arrays.mismatch(Arrays.copyOf(back, data.length), data)).isEqualTo(-1);
      assertThat(new String(back, data.length, back.length - data.length, StandardCharsets.US_ASCII))
          .isEqualTo("END " + data.length);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void twoConnectionsRelayedIntoEachOtherBothWays(int mtu) throws Exception {
    CompletableFuture<Server.Connection> first = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch relayed = new java.util.concurrent.CountDownLatch(1);
    Server relay = c -> {
      if (first.complete(c)) {
        relayed.await(30, TimeUnit.SECONDS); // the first of the pair: its partner's threads move its bytes
        return;
      }
      Server.Connection other = first.get();
      CompletableFuture<Void> back = ServerTest.inThread("relay back", () -> {
        other.input().transferTo(c.output());
        c.shutdownOutput();
      });
      c.input().transferTo(other.output());
      other.shutdownOutput();
      back.get(30, TimeUnit.SECONDS);
      relayed.countDown();
    };
    try (PeerFixture f = fixture("192.168.153.0/24", mtu, relay);
        Socket a = new Socket(f.address(5), 7)) {
      try (Socket b = new Socket(f.address(5), 7)) {
        a.setSoTimeout(20_000);
        b.setSoTimeout(20_000);
        byte[] fromA = data(3 << 20, 4);
        byte[] fromB = data(2 << 20, 5);
        CompletableFuture<Void> wa = write(a, fromA);
        CompletableFuture<Void> wb = write(b, fromB);
        CompletableFuture<byte[]> atB = read(b);
        byte[] atA = a.getInputStream().readAllBytes();
        wa.get(20, TimeUnit.SECONDS);
        wb.get(20, TimeUnit.SECONDS);
        assertThat(Arrays.mismatch(atA, fromB)).as("B's bytes at A").isEqualTo(-1);
        assertThat(Arrays.mismatch(atB.get(20, TimeUnit.SECONDS), fromA)).as("A's bytes at B").isEqualTo(-1);
      }
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 9000, 65535})
  void tenMegabytesWrittenBeforeReadingComeBackTenTimes(int mtu) throws Exception {
    long errors = EchoChecksumTest.tcpCounter("InCsumErrors");
    try (PeerFixture f = fixture("192.168.154.0/24", mtu, Server.echo())) {
      for (int round = 0; round < 10; round++) {
        byte[] data = data(10 << 20, 10 + round);
        try (Socket socket = new Socket(f.address(5), 7)) {
          socket.setSoTimeout(20_000);
          CompletableFuture<Void> writer = write(socket, data);
          try {
            writer.get(20, TimeUnit.SECONDS); // the whole 10 MB before a byte is read
          } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("round " + round + ": the writer is stuck (deadlock)", e);
          }
          byte[] back = socket.getInputStream().readAllBytes();
          assertThat(Arrays.mismatch(back, data)).as("round %d", round).isEqualTo(-1);
        }
      }
      assertThat(EchoChecksumTest.tcpCounter("InCsumErrors") - errors).as("checksum errors").isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void fiftyConnectionsAtOnceThroughServerEcho(int mtu) throws Exception {
    long errors = EchoChecksumTest.tcpCounter("InCsumErrors");
    try (PeerFixture f = fixture("192.168.155.0/24", mtu, Server.echo())) {
      CompletableFuture<?>[] all = new CompletableFuture<?>[50];
      for (int i = 0; i < all.length; i++) {
        String address = f.address(5 + i % 10);
        int size = (1 << 20) + i * 7919;
        all[i] = ServerTest.inThread("echo " + i, () -> ServerTest.echo(address, size, 7));
      }
      CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
      assertThat(EchoChecksumTest.tcpCounter("InCsumErrors") - errors).as("checksum errors").isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {9000, 65535})
  void lossWhileSplicingLosesNoByte(int mtu) throws Exception {
    LossyPathTest.LossyResponder lossy = new LossyPathTest.LossyResponder(0.03);
    Subnet subnet = Subnet.parse("192.168.156.0/24");
    long errors = EchoChecksumTest.tcpCounter("InCsumErrors");
    try (PeerFixture f = new PeerFixture(TunDevice.builder().subnet(subnet).mtu(mtu),
            Rules.of(Mode.REJECT).with(Rule.of("*", "7", Server.echo())), lossy, (d, p) -> { });
        Iptables drop = Iptables.dropInput(f.device.name(), 0.03)) {
      CompletableFuture<?>[] streams = new CompletableFuture<?>[3];
      for (int i = 0; i < streams.length; i++) {
        String address = f.address(5 + i);
        streams[i] = ServerTest.inThread("echo " + address, () -> ServerTest.echo(address, 8 << 20, 7));
      }
      CompletableFuture.allOf(streams).get(90, TimeUnit.SECONDS);
      assertThat(lossy.dropped.get()).as("host packets dropped").isPositive();
      assertThat(f.peer.counters().retransmissions()).as("the peer retransmitted").isPositive();
      assertThat(EchoChecksumTest.tcpCounter("InCsumErrors") - errors).as("checksum errors").isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void theHostsResetMidSpliceEndsTheServerQuietly() throws Exception {
    try (PeerFixture f = fixture("192.168.157.0/24", 65535, Server.echo())) {
      for (int round = 0; round < 5; round++) {
        Socket socket = new Socket(f.address(5), 7);
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        byte[] piece = data(256 << 10, round);
        for (int i = 0; i < 8; i++) {
          out.write(piece);
        }
        socket.getInputStream().readNBytes(100_000);
        socket.setSoLinger(true, 0);
        socket.close(); // RST
      }
      assertThat(servingThreads()).as("server threads still serving").isEmpty();
      try (Socket socket = new Socket(f.address(5), 7)) { // and it serves on
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(GREETING);
        assertThat(socket.getInputStream().readNBytes(GREETING.length)).isEqualTo(GREETING);
      }
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void thePeerStoppingMidSpliceEndsTheServerAndTheHostsSocket() throws Exception {
    PeerFixture f = fixture("192.168.158.0/24", 65535, Server.echo());
    try (Socket socket = new Socket(f.address(5), 7)) {
      socket.setSoTimeout(5000);
      byte[] data = data(64 << 20, 7);
      CompletableFuture<Void> writer = write(socket, data);
      InputStream in = socket.getInputStream();
      in.readNBytes(2 << 20);
      f.close();
      CompletableFuture<Void> reader = ServerTest.inThread("reader", () -> in.readAllBytes());
      assertThat(servingThreads()).as("server threads still serving").isEmpty();
      try {
        writer.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // reset or broken pipe: the host learns the connection is gone
      }
      try {
        reader.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // reset
      }
      assertThat(f.peer.failure()).isEmpty();
    } finally {
      f.close();
    }
  }

  // ---- helpers ----

  private static PeerFixture fixture(String subnet, int mtu, Server server) {
    return new PeerFixture(TunDevice.builder().subnet(Subnet.parse(subnet)).mtu(mtu),
        Rules.of(Mode.REJECT).with(Rule.of("*", "7", server)), null, (d, p) -> { });
  }

  /** Writes {@code data} to port 7 of .5 in pieces of odd sizes, half-closes, reads all back; checks InCsumErrors. */
  private static byte[] exchange(PeerFixture f, byte[] data) throws Exception {
    long errors = EchoChecksumTest.tcpCounter("InCsumErrors");
    try (Socket socket = new Socket(f.address(5), 7)) {
      socket.setSoTimeout(20_000);
      CompletableFuture<Void> writer = ServerTest.inThread("writer", () -> {
        OutputStream out = socket.getOutputStream();
        for (int i = 0, piece = 1; i < data.length; i += piece, piece = piece % 70_001 + 2_999) {
          out.write(data, i, Math.min(piece, data.length - i));
        }
        socket.shutdownOutput();
      });
      byte[] back = socket.getInputStream().readAllBytes();
      writer.get(20, TimeUnit.SECONDS);
      assertThat(EchoChecksumTest.tcpCounter("InCsumErrors") - errors).as("checksum errors").isZero();
      return back;
    }
  }

  private static CompletableFuture<Void> write(Socket socket, byte[] data) {
    return ServerTest.inThread("writer", () -> {
      socket.getOutputStream().write(data);
      socket.shutdownOutput();
    });
  }

  private static CompletableFuture<byte[]> read(Socket socket) {
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    ServerTest.inThread("reader", () -> done.complete(socket.getInputStream().readAllBytes()))
        .exceptionally(t -> {
          done.completeExceptionally(t);
          return null;
        });
    return done;
  }

  private static byte[] data(int size, int seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** Names of threads still serving a connection (named "faketcp-server local <- remote"), once none is left or after 5 s. */
  private static List<String> servingThreads() throws InterruptedException {
    List<String> names = List.of();
    for (int i = 0; i < 100; i++) {
      names = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("faketcp-server") && t.getName().contains(" <- "))
          .map(Thread::getName).collect(java.util.stream.Collectors.toList());
      if (names.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    return names;
  }
}
