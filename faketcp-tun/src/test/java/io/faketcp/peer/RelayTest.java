package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Relay}: kernel sockets to a fake address, carried through a real tun device to a real
 * service, here a server socket on the test namespace's loopback.
 */
@ExtendWith(RequiresTun.class)
class RelayTest {

  @Test
  void everyByteBothWaysAndTheHostsHalfCloseReachesTheService() throws Exception {
    byte[] request = random(3_000_000, 1);
    try (Service service = new Service(s -> {
          byte[] got = s.getInputStream().readAllBytes();      // until the host's FIN, relayed
          s.getOutputStream().write(sha256(got));
          s.getOutputStream().write(random(2_000_000, 2));
        });
        PeerFixture f = relayTo(service.port());
        Socket socket = new Socket(f.address(5), 5432)) {
      socket.setSoTimeout(10_000);
      ServerTest.inThread("writer", () -> {
        socket.getOutputStream().write(request);
        socket.shutdownOutput();
      });
      byte[] answer = socket.getInputStream().readAllBytes(); // until the service's FIN, relayed

      assertThat(Arrays.copyOf(answer, 32)).isEqualTo(sha256(request));
      assertThat(Arrays.copyOfRange(answer, 32, answer.length)).isEqualTo(random(2_000_000, 2));
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void theServicesHalfCloseReachesTheHostWhichGoesOnWriting() throws Exception {
    CompletableFuture<Integer> serviceRead = new CompletableFuture<>();
    try (Service service = new Service(s -> {
          s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
          s.shutdownOutput();
          serviceRead.complete(s.getInputStream().readAllBytes().length);
        });
        PeerFixture f = relayTo(service.port());
        Socket socket = new Socket(f.address(5), 5432)) {
      socket.setSoTimeout(10_000);
      assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
      socket.getOutputStream().write(new byte[100_000]);
      socket.shutdownOutput();
      assertThat(serviceRead.get(10, TimeUnit.SECONDS)).isEqualTo(100_000);
    }
  }

  @Test
  void aResetOfTheServiceResetsTheHostAndOneOfTheHostResetsTheService() throws Exception {
    CompletableFuture<Void> serviceGotX = new CompletableFuture<>();
    CompletableFuture<Throwable> serviceSaw = new CompletableFuture<>();
    try (Service service = new Service(s -> {
          int first = s.getInputStream().read();
          if (first == 'R') {          // "reset me"
            s.setSoLinger(true, 0);
            s.close();
            return;
          }
          serviceGotX.complete(null);
          try {
            s.getInputStream().read(); // waits for the host's reset
            serviceSaw.complete(null);
          } catch (IOException e) {
            serviceSaw.complete(e);
          }
        });
        PeerFixture f = relayTo(service.port())) {
      try (Socket socket = new Socket(f.address(5), 5432)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write('R');
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("reset");
      }
      Socket socket = new Socket(f.address(5), 5432);
      socket.getOutputStream().write('x');
      serviceGotX.get(10, TimeUnit.SECONDS);
      socket.setSoLinger(true, 0);
      socket.close();                  // RST
      assertThat(serviceSaw.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void aRefusedServiceIsARefusedConnect() throws Exception {
    int closed;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort();
    }
    try (PeerFixture f = relayTo(closed)) {
      assertThatThrownBy(() -> new Socket(f.address(5), 5432)).isInstanceOf(ConnectException.class)
          .hasMessageContaining("refused");
      // The listener records a packet when the peer's write returns: the kernel may have failed the connect before.
      FakePeerTest.await(() -> !f.sent.isEmpty(), "the answer recorded");
      assertThat(segmentsFromPeer(f)).anySatisfy(s -> assertThat(s.rst()).isTrue());
      assertThat(segmentsFromPeer(f)).noneSatisfy(s -> assertThat(s.syn()).isTrue());
    }
  }

  @Test
  void anUnreachableServiceIsAnUnreachableHost() throws Exception {
    // In this test JVM's own namespace: an unreachable route makes connect fail with EHOSTUNREACH.
    try (Route route = Route.unreachable("198.51.100.7");
        PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)
            .with(Rule.of("192.168.0.5", "5432", Relay.to("198.51.100.7", 5432))))) {
      assertThatThrownBy(() -> new Socket(f.address(5), 5432)).isInstanceOf(NoRouteToHostException.class);
      // The listener records a packet when the peer's write returns: the kernel may have failed the connect before.
      FakePeerTest.await(() -> !f.sent.isEmpty(), "the answer recorded");
      byte[] answer = f.sent.get(0);
      assertThat(answer[9]).as("protocol ICMP").isEqualTo((byte) 1);
      assertThat(answer[20]).as("type").isEqualTo((byte) IcmpMessage.DEST_UNREACHABLE);
      assertThat(answer[21]).as("code: host unreachable").isEqualTo((byte) 1);
    }
  }

  @Test
  void faultsApplyBetweenTheApplicationAndTheFakeAddressMidConnectionToo() throws Exception {
    try (Service service = new Service(RelayTest::echo);
        PeerFixture f = relayTo(service.port());
        Socket socket = new Socket(f.address(5), 5432)) {
      socket.setSoTimeout(10_000);
      roundTrip(socket);

      f.peer.fault(Fault.parse("latency=150ms"));
      long slow = roundTrip(socket);
      assertThat(slow).as("round trip under latency=150ms, ns").isBetween(150_000_000L, 1_150_000_000L);

      f.peer.clearFaults();
      f.peer.fault(Fault.parse("blackhole-after=0"));
      socket.setSoTimeout(700);
      socket.getOutputStream().write('b');
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

      f.peer.clearFaults();
      socket.setSoTimeout(10_000);
      assertThat(socket.getInputStream().read()).as("the held byte, echoed once the hole closed").isEqualTo('b');
      assertThat(roundTrip(socket)).isLessThan(slow);
    }
  }

  @Test
  void anUnreachableFaultAnswersBeforeTheServiceIsAsked() throws Exception {
    try (Service service = new Service(RelayTest::echo)) {
      try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)
          .with(Rule.of("192.168.0.5", "5432", Relay.to("127.0.0.1", service.port())))
          .withFault(Fault.parse("unreachable=host@192.168.0.5:5432")))) {
        assertThatThrownBy(() -> new Socket(f.address(5), 5432)).isInstanceOf(NoRouteToHostException.class);
      }
      assertThat(service.accepted()).as("connections the service accepted").isZero();
    }
  }

  @Test
  void bandwidthAndMtuActOnTheApplicationsLeg() throws Exception {
    byte[] payload = random(1_000_000, 3);
    try (Service service = new Service(RelayTest::echo);
        PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)
            .with(Rule.of("192.168.0.5", "5432", Relay.to("127.0.0.1", service.port()))
                .withFaults(Fault.parse("bandwidth-out=2MB/s"), Fault.parse("mtu=1280"))));
        Socket socket = new Socket(f.address(5), 5432)) {
      socket.setSoTimeout(10_000);
      long start = System.nanoTime();
      ServerTest.inThread("writer", () -> socket.getOutputStream().write(payload));
      byte[] back = socket.getInputStream().readNBytes(payload.length);

      assertThat(back).as("1 MB echoed whole through mtu=1280").isEqualTo(payload);
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms for 1 MB back at 2 MB/s").isGreaterThanOrEqualTo(450);
      assertThat(f.faultEvents).anyMatch(e -> e.startsWith("FORGED mtu=1280"));
    }
  }

  @Test
  void theCaptureShowsTheApplicationsLeg() throws Exception {
    try (Service service = new Service(RelayTest::echo);
        PeerFixture f = relayTo(service.port());
        Socket socket = new Socket(f.address(5), 5432)) {
      socket.setSoTimeout(10_000);
      roundTrip(socket);
      // The listener records a packet when the peer's write returns: the host may have read it before.
      FakePeerTest.await(() -> segmentsFromPeer(f).stream().anyMatch(s -> s.payloadLength() == 1), "the echo recorded");
      assertThat(segmentsFromPeer(f)).allSatisfy(s -> {
        assertThat(Ipv4Packet.toInet4Address(s.ip().sourceInt()).getHostAddress()).isEqualTo(f.address(5));
        assertThat(s.sourcePort()).isEqualTo(5432);
      }).anySatisfy(s -> assertThat(s.payloadLength()).isEqualTo(1));
    }
  }

  @Test
  void badUpstreamsAreNamed() {
    assertThatThrownBy(() -> Relay.parse("localhost")).hasMessage(
        "relay upstream 'localhost': expected HOST:PORT, e.g. 127.0.0.1:5432");
    assertThatThrownBy(() -> Relay.to("127.0.0.1", 0)).hasMessage("relay to 127.0.0.1: port 0 is not 1-65535");
    assertThat(Relay.parse("127.0.0.1:6379")).hasToString("relay to 127.0.0.1:6379");
    assertThat(Rule.of("192.168.0.5", "6379", Relay.parse("127.0.0.1:6379")))
        .hasToString("192.168.0.5:6379 -> relay to 127.0.0.1:6379");
  }

  // ---- helpers ----

  private static PeerFixture relayTo(int port) {
    return new PeerFixture(Rules.of(Mode.REJECT).with(Rule.of("192.168.0.5", "5432", Relay.to("127.0.0.1", port))));
  }

  private static void echo(Socket s) throws IOException {
    s.getInputStream().transferTo(s.getOutputStream());
  }

  /** One byte there and back through an echoing service, in nanoseconds. */
  private static long roundTrip(Socket socket) throws IOException {
    long start = System.nanoTime();
    socket.getOutputStream().write('p');
    assertThat(socket.getInputStream().read()).isEqualTo('p');
    return System.nanoTime() - start;
  }

  private static List<TcpSegment> segmentsFromPeer(PeerFixture f) {
    List<TcpSegment> segments = new java.util.ArrayList<>();
    for (byte[] p : f.sent) {
      try {
        Ipv4Packet ip = Ipv4Packet.wrap(p);
        if (ip.protocol() == 6) {
          segments.add(TcpSegment.wrap(ip));
        }
      } catch (io.faketcp.packet.MalformedPacketException e) {
        throw new AssertionError(e);
      }
    }
    return segments;
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  /** A real service on the loopback: each accepted connection handled on its own thread. */
  static final class Service implements AutoCloseable {
    private final ServerSocket server;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    Service(Handler handler) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      ServerTest.inThread("service", () -> {
        while (!server.isClosed()) {
          Socket s = server.accept();
          accepted.incrementAndGet();
          ServerTest.inThread("service connection", () -> {
            try (s) {
              handler.handle(s);
            }
          });
        }
      });
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  interface Handler {
    void handle(Socket socket) throws Exception;
  }

  /** A route in this test JVM's own namespace, removed on close. */
  static final class Route implements AutoCloseable {
    private final String destination;

    private Route(String destination) {
      this.destination = destination;
    }

    static Route unreachable(String address) throws Exception {
      if (!io.faketcp.tun.Prerequisites.inPrivateNamespace()) {
        throw new IllegalStateException("refusing to change routes in the machine's main network namespace");
      }
      ip("route", "add", "unreachable", address + "/32");
      return new Route(address + "/32");
    }

    @Override
    public void close() throws Exception {
      ip("route", "del", "unreachable", destination);
    }

    private static void ip(String... args) throws Exception {
      List<String> command = new java.util.ArrayList<>(List.of("ip"));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    }
  }
}
