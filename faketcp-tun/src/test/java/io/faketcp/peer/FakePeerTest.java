package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real kernel sockets through a real tun device against the peer, in the test JVM's private namespace. */
@ExtendWith(RequiresTun.class)
class FakePeerTest {

  @Test
  void everyAddressAnswersPingInEveryMode() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.DROP))) {
      for (int n : new int[] {2, 7, 100, 254}) {
        assertThat(InetAddress.getByName(f.address(n)).isReachable(2000)).as("ping .%d", n).isTrue();
      }
      await(() -> f.peer.counters().echoReplies() == 4, "4 echo replies counted");
    }
  }

  @Test
  void rejectRefusesEveryPort() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT))) {
      List<Integer> ports = List.of(1, 80, 443, 8080, 65535);
      for (int port : ports) {
        assertThatThrownBy(() -> new Socket(f.address(5), port).close())
            .as("port %d", port).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
      }
      // one RST per refused port; the counter may also count a RST to a late segment of an earlier
      // test's connection on this subnet, so the RSTs are counted by their ports. The listener records
      // a packet once the peer's write returns, and the kernel refuses the connect inside that write:
      // the last RST may be recorded a moment after connect() failed.
      java.util.function.Supplier<List<Integer>> refused = () -> ConnectionFaultTest.segments(f.sent).stream()
          .filter(s -> s.rst() && ports.contains(s.sourcePort())).map(TcpSegment::sourcePort)
          .collect(java.util.stream.Collectors.toList());
      await(() -> refused.get().size() >= ports.size(), "a RST recorded for each port");
      assertThat(refused.get()).containsExactlyInAnyOrderElementsOf(ports);
      assertThat(f.peer.counters().resetsSent()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void acceptConnectsAndUnacknowledgedDataPilesUpInSendQueue() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT));
        Socket socket = new Socket(f.address(5), 80)) {
      socket.getOutputStream().write(new byte[20_000]);
      await(() -> sendQueue(socket) == 20_000, "Send-Q reaches 20000");
      Thread.sleep(300); // data is never acknowledged: it stays queued
      assertThat(sendQueue(socket)).isEqualTo(20_000);
      assertThat(f.peer.counters().established()).isEqualTo(1);
    }
  }

  @Test
  void awaitQueueReadReturnsOnceThePeerHasReadWhatTheHostSent() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT))) {
      for (int i = 0; i < 20; i++) {
        sockets.add(new Socket(f.address(5), 80)); // connect returns before the peer reads the final ACK
      }
      assertThat(f.peer.awaitQueueRead(Duration.ofSeconds(2))).isTrue();
      assertThat(f.peer.counters().established()).as("every final ACK read").isEqualTo(20);
      f.peer.close();
      assertThat(f.peer.awaitQueueRead(Duration.ofSeconds(2))).as("a stopped peer reads nothing").isFalse();
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void discardAcknowledgesEverythingSoSendQueueDrains() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.DISCARD));
        Socket socket = new Socket(f.address(6), 9)) {
      socket.getOutputStream().write(new byte[2_000_000]);
      await(() -> sendQueue(socket) == 0, "Send-Q drains to 0");
      assertThat(f.peer.counters().bytesIn()).isGreaterThan(2_000_000);
    }
  }

  @Test
  void sixteenBusyDiscardConnectionsAllDrainWithoutStalling() throws Exception {
    // Regression: with 8 MB windows the senders overflowed the tun's queue and a flow whose
    // retransmissions kept meeting a full queue backed off for minutes.
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.DISCARD))) {
      List<Socket> sockets = new java.util.ArrayList<>();
      List<Thread> writers = new java.util.ArrayList<>();
      java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
      for (int i = 0; i < 16; i++) {
        Socket socket = new Socket(f.address(2 + i), 9);
        sockets.add(socket);
        Thread writer = new Thread(() -> {
          try {
            byte[] chunk = new byte[65536];
            for (int k = 0; k < 64; k++) {
              socket.getOutputStream().write(chunk);
            }
            done.incrementAndGet();
          } catch (Exception e) {
            // counted as not done
          }
        });
        writer.start();
        writers.add(writer);
      }
      for (Thread writer : writers) {
        writer.join(20_000);
      }
      assertThat(done.get()).as("connections that wrote 4 MiB within 20 s").isEqualTo(16);
      for (Socket socket : sockets) {
        await(() -> sendQueue(socket) == 0, "Send-Q drains on every connection");
        socket.close();
      }
    }
  }

  @Test
  void echoReturnsWhatWasSentIncludingOneMegabyteInChunks() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO));
        Socket socket = new Socket(f.address(7), 7)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("hello".getBytes());
      assertThat(in.readNBytes(5)).isEqualTo("hello".getBytes());

      byte[] sent = new byte[1 << 20];
      new Random(42).nextBytes(sent);
      byte[] back = new byte[sent.length];
      int chunk = 64 * 1024;
      for (int off = 0; off < sent.length; off += chunk) {
        out.write(sent, off, chunk);
        assertThat(in.readNBytes(back, off, chunk)).isEqualTo(chunk);
      }
      assertThat(Arrays.equals(sent, back)).as("1 MB echoed in order").isTrue();
    }
  }

  @Test
  void echoKeepsUpWhenTheClientWritesEverythingBeforeReading() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO));
        Socket socket = new Socket(f.address(7), 7)) {
      socket.setSoTimeout(5000);
      byte[] sent = new byte[600_000];
      new Random(7).nextBytes(sent);
      Thread writer = new Thread(() -> {
        try {
          socket.getOutputStream().write(sent);
          socket.shutdownOutput();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      byte[] back = socket.getInputStream().readAllBytes(); // ends when the peer's FIN follows the data
      writer.join(5000);
      assertThat(back.length).isEqualTo(sent.length);
      assertThat(Arrays.equals(sent, back)).isTrue();
    }
  }

  @Test
  void dropMakesConnectTimeOut() {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.DROP))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(f.address(8), 80), 300);
        }
      }).isInstanceOf(SocketTimeoutException.class);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 2000L);
      assertThat(f.sent).isEmpty();
    }
  }

  @Test
  void rulesGiveDifferentModesToTwoAddresses() throws Exception {
    Rules rules = Rules.of(Mode.ACCEPT).with(Rule.of("192.168.0.10", "*", Mode.REJECT));
    try (PeerFixture f = new PeerFixture(rules)) {
      assertThatThrownBy(() -> new Socket(f.address(10), 80).close()).isInstanceOf(ConnectException.class);
      try (Socket ok = new Socket(f.address(11), 80)) {
        assertThat(ok.isConnected()).isTrue();
      }
      f.peer.rules(Rules.of(Mode.REJECT)); // changed while running
      assertThatThrownBy(() -> new Socket(f.address(11), 80).close()).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void closingFromTheClientIsAnsweredWithFinAndEndOfStream() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.DISCARD));
        Socket socket = new Socket(f.address(5), 80)) {
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(new byte[100]);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      await(() -> f.peer.counters().established() + f.peer.counters().closing() == 0, "connection closed");
    }
  }

  @Test
  void aSegmentOfAnUnknownConnectionGetsReset() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT)); RawSocket raw = new RawSocket()) {
      raw.send(TcpSegment.builder().source(f.device.subnet().hostAddress()).destination(f.device.subnet().address(9))
          .sourcePort(40000).destinationPort(80).sequenceNumber(1000).acknowledgmentNumber(5000)
          .flags(TcpSegment.ACK).build());
      // The reply to our segment (port 40000): other tests' sockets may still send to the subnet.
      java.util.function.Supplier<java.util.Optional<TcpSegment>> reply = () -> ConnectionFaultTest.segments(f.sent)
          .stream().filter(s -> s.destinationPort() == 40000).findFirst();
      await(() -> reply.get().isPresent(), "a reply");
      TcpSegment rst = reply.get().orElseThrow();
      assertThat(rst.rst()).isTrue();
      assertThat(rst.sequenceNumber()).isEqualTo(5000);
    }
  }

  @Test
  void aRetransmittedSynGetsTheSameSynAckAgain() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT)); RawSocket raw = new RawSocket()) {
      // From an address the namespace does not own, so the kernel drops our SYN+ACK instead of
      // answering it with a RST (which would end the half-open connection).
      byte[] syn = TcpSegment.builder().source((java.net.Inet4Address) InetAddress.getByName("10.77.0.1"))
          .destination(f.device.subnet().address(9))
          .sourcePort(40001).destinationPort(80).sequenceNumber(0xfffffff0L).flags(TcpSegment.SYN).mss(1460)
          .build();
      raw.send(syn);
      await(() -> synAcks(f).size() == 1, "the first SYN+ACK");
      raw.send(syn);
      await(() -> synAcks(f).size() == 2, "the second SYN+ACK");
      List<TcpSegment> answers = synAcks(f);
      assertThat(answers.get(1).sequenceNumber()).isEqualTo(answers.get(0).sequenceNumber());
      assertThat(answers.get(1).acknowledgmentNumber()).isEqualTo(0xfffffff1L);
      assertThat(answers.get(0).options().mss()).isEqualTo(1460);
      assertThat(f.peer.counters().connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void connectManyGetsTenThousandConnectionsAcceptedByAServerSocketChannel() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT));
        java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(f.device.subnet().hostAddress(), 8080), 4096);
      List<java.nio.channels.SocketChannel> accepted = new java.util.ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (accepted.size() < 10_000) {
            accepted.add(server.accept());
          }
        } catch (Exception e) {
          // closed
        }
      });
      acceptor.start();
      ConnectManyResult result = f.peer.connectMany(
          ConnectMany.to(new InetSocketAddress(f.device.subnet().hostAddress(), 8080), 10_000));
      acceptor.join(30_000);
      assertThat(result.established()).as(result.toString()).isEqualTo(10_000);
      assertThat(result.failed()).isZero();
      assertThat(accepted).hasSize(10_000);
      List<InetSocketAddress> clients = accepted.stream().map(c -> {
        try {
          return (InetSocketAddress) c.getRemoteAddress();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).collect(Collectors.toList());
      assertThat(new java.util.HashSet<>(clients)).as("distinct client address:port").hasSize(10_000);
      assertThat(clients).allSatisfy(a -> {
        assertThat(f.device.subnet().contains(a.getAddress())).isTrue();
        assertThat(a.getAddress()).isNotEqualTo(f.device.subnet().hostAddress());
        assertThat(a.getPort()).isBetween(1024, 65535);
      });
      f.peer.closeClientConnections(true);
      for (var c : accepted) {
        c.close();
      }
    }
  }

  @Test
  void connectManyToAClosedPortReportsRefusals() {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT))) {
      ConnectManyResult result = f.peer.connectMany(
          ConnectMany.to(new InetSocketAddress(f.device.subnet().hostAddress(), 9), 50));
      assertThat(result.refused()).isEqualTo(50);
      assertThat(result.established()).isZero();
    }
  }

  @Test
  void closingTheDeviceWhileTrafficFlowsRemovesTheInterfaceAndStopsTheThread() throws Exception {
    PeerFixture f = new PeerFixture(Rules.of(Mode.DISCARD));
    PeerFixture.Flood flood = f.flood(5);
    Socket socket = flood.socket;
    Thread writer = flood.writer;
    f.device.close();
    await(() -> !f.peer.isRunning(), "peer thread stopped");
    assertThat(Path.of("/sys/class/net", f.device.name())).doesNotExist();
    assertThat(f.peer.failure()).isEmpty();
    socket.close();
    writer.join(5000);
    f.close();
  }

  @Test
  void aClosedPeerSendsNothingMoreAndTheNextPeerOnTheDeviceAnswers() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT));
        Socket first = new Socket(f.address(5), 80)) {
      await(() -> f.peer.counters().established() == 1, "first connection established");
      f.peer.close();
      long sent = f.peer.counters().packetsOut();
      // New rules re-announce the window of every open connection: a running peer would send an ACK now.
      f.peer.rules(Rules.of(Mode.ECHO));
      assertThat(f.peer.counters().packetsOut()).as("packets sent after close").isEqualTo(sent);
      assertThat(f.peer.rules().toString()).as("rules after close").contains("ECHO");
      try (FakePeer next = FakePeer.builder(f.device).mode(Mode.ECHO).start();
          Socket socket = new Socket(f.address(6), 7)) {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("again".getBytes());
        assertThat(socket.getInputStream().readNBytes(5)).isEqualTo("again".getBytes());
      }
    }
  }

  private static List<TcpSegment> synAcks(PeerFixture f) {
    return f.sent.stream().map(bytes -> {
      try {
        return TcpSegment.wrap(Ipv4Packet.wrap(ByteBuffer.wrap(bytes)));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).filter(s -> s.syn() && s.ack()).collect(Collectors.toList());
  }

  /**
   * The socket's Send-Q (tx_queue) from /proc/net/tcp or tcp6 (Java's sockets may be dual-stack). The
   * line is found by both ports, local and remote, and never a TIME_WAIT one: an earlier test's socket
   * that had the same local port lingers there with an empty queue (matching the local port alone
   * once ended a wait for the queue to drain at once).
   */
  static long sendQueue(Socket socket) {
    String local = String.format(":%04X", socket.getLocalPort());
    String remote = String.format(":%04X", socket.getPort());
    try {
      List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
      if (Files.exists(Path.of("/proc/net/tcp6"))) {
        lines.addAll(Files.readAllLines(Path.of("/proc/net/tcp6")));
      }
      for (String line : lines) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 4 && f[1].endsWith(local) && f[2].endsWith(remote) && !f[3].equals("06")) {
          return Long.parseLong(f[4].split(":")[0], 16);
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no connection " + socket.getLocalPort() + " > " + socket.getPort()
        + " in /proc/net/tcp{,6}");
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }
}
