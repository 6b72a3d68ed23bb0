package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.peer.internal.servers.ServerSession;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Server}s on fake hosts, talking to real kernel sockets through a real tun device. */
@ExtendWith(RequiresTun.class)
class ServerTest {

  @Test
  void greetingServerSpeaksFirstAndClosesAfterTheHost() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)
            .with(Rule.of("192.168.0.5", "25", Server.greeting("220 fake ESMTP\r\n"))));
        Socket socket = new Socket(f.address(5), 25)) {
      socket.setSoTimeout(5000);
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(16), StandardCharsets.US_ASCII)).isEqualTo("220 fake ESMTP\r\n");
      socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      assertThat(in.read()).as("end of stream after the host's FIN").isEqualTo(-1);
      assertThatThrownBy(() -> new Socket(f.address(5), 26)).hasMessageContaining("refused");
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void serverThatDoesNotReadMakesTheHostsWriterBlock() throws Exception {
    CountDownLatch startReading = new CountDownLatch(1);
    CompletableFuture<Long> serverRead = new CompletableFuture<>();
    Server lazy = connection -> {
      startReading.await();
      serverRead.complete(connection.input().transferTo(OutputStream.nullOutputStream()));
    };
    int total = 4 * 1024 * 1024;
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "80", lazy)));
        Socket socket = new Socket()) {
      socket.setSendBufferSize(65536);   // so that 4 MB are far more than the kernel buffers
      socket.connect(new java.net.InetSocketAddress(f.address(5), 80), 5000);
      AtomicLong written = new AtomicLong();
      CompletableFuture<Void> writer = inThread("writer", () -> {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[8192];
        for (int i = 0; i < total / chunk.length; i++) {
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
        socket.shutdownOutput();
      });

      long stalledAt = awaitStall(written);
      assertThat(writer).as("the writer blocks").isNotDone();
      assertThat(stalledAt).as("bytes written before the writer blocked")
          .isGreaterThanOrEqualTo(ServerSession.INPUT_CAPACITY).isLessThan(total);

      assertThat(zeroWindowsFrom(f, 80)).as("zero-window segments from the fake host").isPositive();

      startReading.countDown();
      writer.get(20, TimeUnit.SECONDS);
      assertThat(serverRead.get(20, TimeUnit.SECONDS)).isEqualTo(total);
    }
  }

  @Test
  void serverThatThrowsResetsTheConnectionAndBecomesThePeersFailure() throws Exception {
    IllegalStateException bug = new IllegalStateException("the server cannot parse 'HELLO'");
    Server broken = connection -> {
      connection.input().readNBytes(5);
      throw bug;
    };
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO).with(Rule.of("192.168.0.5", "7000", broken)));
        Socket socket = new Socket(f.address(5), 7000)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("HELLO".getBytes(StandardCharsets.US_ASCII));

      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThat(f.peer.failure()).containsSame(bug);
      assertThat(f.peer.counters().failures()).isEqualTo(1);
    }
  }

  @Test
  void hostHalfClosesAndTheServerAnswersAfterReadingEverything() throws Exception {
    Server counting = connection -> {
      long n = connection.input().transferTo(OutputStream.nullOutputStream());
      connection.output().write(("got " + n).getBytes(StandardCharsets.US_ASCII));
    };
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "*", counting)));
        Socket socket = new Socket(f.address(5), 9000)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(new byte[300_000]);
      socket.shutdownOutput();
      assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got 300000");
    }
  }

  @Test
  void serverHalfClosesAndKeepsReading() throws Exception {
    CompletableFuture<Long> serverRead = new CompletableFuture<>();
    Server byeFirst = connection -> {
      connection.output().write("bye".getBytes(StandardCharsets.US_ASCII));
      connection.shutdownOutput();
      serverRead.complete(connection.input().transferTo(OutputStream.nullOutputStream()));
    };
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "*", byeFirst)));
        Socket socket = new Socket(f.address(5), 9000)) {
      socket.setSoTimeout(5000);
      assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .as("everything up to the server's FIN").isEqualTo("bye");
      socket.getOutputStream().write(new byte[200_000]);   // the server still reads
      socket.shutdownOutput();
      assertThat(serverRead.get(5, TimeUnit.SECONDS)).isEqualTo(200_000);
    }
  }

  @Test
  void serverAndHostClosingAtOnceEndEveryConnectionCleanly() throws Exception {
    Server closesAtOnce = Server.Connection::close;
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "*", closesAtOnce)))) {
      for (int i = 0; i < 50; i++) {
        try (Socket socket = new Socket(f.address(5), 2000 + i)) {
          socket.setSoTimeout(5000);
          socket.shutdownOutput();                             // FINs cross
          assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
      }
      FakePeerTest.await(() -> f.peer.counters().established() == 0 && f.peer.counters().closing() == 0,
          "every connection closed: " + f.peer.counters());
      assertThat(f.peer.counters().resetsSent()).as("no RST").isZero();
      assertThat(f.peer.failure()).isEmpty();
      FakePeerTest.await(() -> f.peer.servers().serving().isEmpty(), "every server returned");
    }
  }

  @Test
  void echoServerReturnsEveryByteOfThreeStreamsAtOnce() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5-192.168.0.7", "7", Server.echo())))) {
      CompletableFuture<?>[] streams = new CompletableFuture<?>[3];
      for (int i = 0; i < streams.length; i++) {
        String address = f.address(5 + i);
        streams[i] = inThread("echo " + address, () -> echo(address, 1024 * 1024, 7));
      }
      CompletableFuture.allOf(streams).get(60, TimeUnit.SECONDS);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void peerClosingInterruptsRunningServersAndResetsTheirConnections() throws Exception {
    CountDownLatch serving = new CountDownLatch(2);
    Server forever = connection -> {
      serving.countDown();
      connection.input().read();    // blocks: the host never sends
    };
    PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "*", forever)));
    try (Socket one = new Socket(f.address(5), 1000); Socket two = new Socket(f.address(5), 1001)) {
      one.setSoTimeout(5000);
      two.setSoTimeout(5000);
      assertThat(serving.await(5, TimeUnit.SECONDS)).isTrue();

      f.peer.close();

      assertThatThrownBy(() -> one.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThatThrownBy(() -> two.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThat(f.peer.servers().serving()).isEmpty();
      assertThat(serverThreads()).as("server threads left").isEmpty();
      assertThat(f.peer.failure()).as("a server stopped with the peer is no failure").isEmpty();
    } finally {
      f.close();
    }
  }

  /** Writes {@code size} random bytes to {@code address:port} and reads the echo; fails unless identical. */
  static void echo(String address, int size, int port) {
    byte[] data = new byte[size];
    new Random(size ^ address.hashCode()).nextBytes(data);
    try (Socket socket = new Socket(address, port)) {
      socket.setSoTimeout(20_000);
      CompletableFuture<Void> writer = inThread("writer to " + address, () -> {
        socket.getOutputStream().write(data);
        socket.shutdownOutput();
      });
      byte[] back = socket.getInputStream().readAllBytes();
      writer.get(20, TimeUnit.SECONDS);
      assertThat(back.length).as("bytes echoed by %s", address).isEqualTo(size);
      assertThat(MessageDigest.getInstance("SHA-256").digest(back))
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException("echo through " + address + ":" + port + " failed: " + e, e);
    }
  }

  /** How many segments the fake host sent from {@code port} with a zero window. */
  private static long zeroWindowsFrom(PeerFixture f, int port) {
    return f.sent.stream().filter(bytes -> {
      try {
        TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(bytes));
        return tcp.sourcePort() == port && tcp.window() == 0 && !tcp.rst();
      } catch (MalformedPacketException e) {
        return false;
      }
    }).count();
  }

  /**
   * Runs {@code body} on a new daemon thread (never the common pool, whose few workers would be held
   * by blocking socket calls). The future completes with its outcome.
   */
  static CompletableFuture<Void> inThread(String name, Body body) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        body.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return done;
  }

  /** Test code that may throw. */
  interface Body {
    void run() throws Exception;
  }

  /** Waits until {@code counter} has not moved for 500 ms; returns its value. */
  private static long awaitStall(AtomicLong counter) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = counter.get();
      if (now == last && now > 0) {
        return now;
      }
      last = now;
      Thread.sleep(500);
    }
    throw new AssertionError("the writer never blocked: " + counter.get() + " bytes written");
  }

  /** Names of live server threads, once none is left or after 5 s. */
  static java.util.List<String> serverThreads() throws InterruptedException {
    java.util.List<String> names = java.util.List.of();
    for (int i = 0; i < 100; i++) {
      names = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("faketcp-server")).map(Thread::getName)
          .collect(Collectors.toList());
      if (names.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    return names;
  }
}
