package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static io.faketcp.peer.FakePeerTest.sendQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connection-level faults (reset, stall, blackhole, slow close) seen from kernel sockets. */
@ExtendWith(RequiresTun.class)
class ConnectionFaultTest {
  // Fault tests leave kernel sockets sending after they end (delayed FINs, retransmissions into
  // silence): on a subnet of their own, those packets never reach other tests' peers.
  private static final Subnet SUBNET = Subnet.parse("192.168.85.0/24");
  // The stalled and the silenced connections' sockets go on probing and retransmitting after their test:
  // on subnets of their own, those packets find no route instead of the next test's peer.
  private static final Subnet STALL_SUBNET = Subnet.parse("192.168.86.0/24");
  private static final Subnet BLACKHOLE_SUBNET = Subnet.parse("192.168.87.0/24");

  @Test
  void resetAfterBytesAcknowledgesExactlyThatManyThenResets() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.DISCARD).withFaults("reset-after=1000@192.168.85.5:*"), null, null);
        Socket socket = new Socket(f.address(5), 9)) {
      socket.getOutputStream().write(new byte[5000]);
      socket.setSoTimeout(5000);
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      // This socket's segments only: other tests' sockets may still send to the subnet.
      int port = socket.getLocalPort();
      // The peer records a packet just after writing it: the client may see the RST first.
      await(() -> segments(f.sent).stream().anyMatch(s -> s.destinationPort() == port && s.rst()), "the RST recorded");
      List<TcpSegment> fromPeer = new ArrayList<>(segments(f.sent));
      fromPeer.removeIf(s -> s.destinationPort() != port);
      // The window stays open: segments the kernel sent after the crossing one get the RST of no connection.
      int first = 0;
      while (!fromPeer.get(first).rst()) {
        first++;
      }
      TcpSegment rst = fromPeer.get(first);
      TcpSegment lastAck = fromPeer.get(first - 1);
      TcpSegment syn = segments(f.received).stream().filter(s -> s.sourcePort() == port && s.syn()).findFirst()
          .orElseThrow();
      assertThat(rst.rst()).isTrue();
      assertThat(lastAck.acknowledgmentNumber() - syn.sequenceNumber() - 1).as("bytes acknowledged").isEqualTo(1000);
      assertThat(fromPeer).filteredOn(s -> s.ack() && !s.rst())
          .allMatch(s -> ((s.acknowledgmentNumber() - syn.sequenceNumber() - 1) & 0xffffffffL) <= 1000);
      assertThat(f.faultEvents).singleElement().asString().startsWith("FORGED reset-after=1000@192.168.85.5:* IP 192.168.85.5.9 > 192.168.85.1.")
          .contains("Flags [R.]");
      // docs/faults.md: "then RSTs for the rest of that write": each segment the host sent beyond the
      // one that crossed 1000 belongs to no connection and gets a RST of its own
      long syn0 = syn.sequenceNumber();
      java.util.function.LongSupplier beyond = () -> segments(f.received).stream()
          .filter(s -> s.sourcePort() == port && s.payloadLength() > 0 && ((s.sequenceNumber() - syn0 - 1) & 0xffffffffL) > 1000)
          .count();
      java.util.function.LongSupplier resets = () -> segments(f.sent).stream()
          .filter(s -> s.destinationPort() == port && s.rst()).count();
      await(() -> resets.getAsLong() == 1 + beyond.getAsLong(), "one RST for the crossing segment and one for each after it");
      List<TcpSegment> now = new ArrayList<>(segments(f.sent));
      now.removeIf(s -> s.destinationPort() != port);
      assertThat(now.subList(first, now.size())).as("after the ACK of 1000: RSTs only, %d beyond the first", beyond.getAsLong())
          .hasSize(1 + (int) beyond.getAsLong()).allMatch(TcpSegment::rst);
    }
  }

  @Test
  void resetAfterBytesResetsWithinARoundTripOfTheWriteThatCrossesTheCount() throws Exception {
    // The window was the fault's before: a write larger than what was left of it waited for the
    // kernel's persist timer, and the reset came 200 ms after it.
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("reset-after=40"), null, null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(new byte[36]);
      assertThat(socket.getInputStream().readNBytes(36)).hasSize(36);
      long start = System.nanoTime();
      socket.getOutputStream().write(new byte[100]);
      assertThatThrownBy(() -> socket.getInputStream().readNBytes(100)).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      // a bound on the wall clock measures a loaded runner too: what makes the reset prompt is read
      // from the packets below (CI here: 8 ms)
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms from the write to the reset").isLessThan(1000L);
      int port = socket.getLocalPort();
      await(() -> segments(f.sent).stream().anyMatch(s -> s.destinationPort() == port && s.rst()), "the RST recorded");
      assertThat(segments(f.sent)).filteredOn(s -> s.destinationPort() == port)
          .as("never a zero window").allMatch(s -> s.rst() || s.window() > 0);
      // the host could send its 100 bytes at once (the window left them room, so no persist timer
      // held them), and the peer answered that segment with the RST before the host sent anything
      // else (a probe, a retransmission)
      List<String> talk = f.conversation();
      talk.removeIf(line -> !line.contains("." + port + " ") && !line.contains("." + port + ":"));
      int crossing = -1;
      for (int i = 0; i < talk.size(); i++) {
        if (talk.get(i).startsWith("> ") && talk.get(i).endsWith(", length 100")) {
          crossing = i;
        }
      }
      assertThat(crossing).as("the host's 100 bytes, once, in %s", talk).isPositive();
      List<String> before = talk.subList(0, crossing);
      List<String> after = talk.subList(crossing + 1, talk.size());
      String lastWindow = before.stream().filter(l -> l.startsWith("< ")).reduce((a, b) -> b).orElseThrow();
      assertThat(Integer.parseInt(lastWindow.replaceAll(".*, win (\\d+).*", "$1"))).as("the window before them: %s", lastWindow)
          .isGreaterThanOrEqualTo(100);
      assertThat(after).as("after the host's 100 bytes: %s", talk).isNotEmpty();
      assertThat(after.subList(0, after.indexOf(after.stream().filter(l -> l.contains("Flags [R")).findFirst()
          .orElseThrow()) + 1)).as("the peer's answer to them, up to its RST: %s", talk).allMatch(l -> l.startsWith("< "));
    }
  }

  @Test
  void resetAfterATimeResetsAnIdleConnection() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("reset-after=300ms"), null, null);
        Socket socket = new Socket(f.address(5), 7)) {
      long start = System.nanoTime();
      socket.setSoTimeout(5000);
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250L);
      // when, on the peer's clock: from the host's ACK that ends the handshake to the RST (the test
      // thread's wall clock would measure a loaded machine too)
      int port = socket.getLocalPort();
      assertThat(f.peerMillis(w -> w.is(Direction.TO_PEER, s -> s.sourcePort() == port && s.ack() && !s.syn()),
          w -> w.is(Direction.FROM_PEER, s -> s.destinationPort() == port && s.rst())))
          .as("ms from the handshake to the RST").isBetween(290L, 600L);
    }
  }

  @Test
  void stallAfterBytesBlocksTheWriterAndAnswersZeroWindowProbes() throws Exception {
    try (PeerFixture f = new PeerFixture(STALL_SUBNET, Rules.of(Mode.DISCARD).withFaults("stall-after=10000"), null,
        null);
        Socket socket = new Socket(f.address(5), 9)) {
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          for (int i = 0; i < 10_000; i++) {
            out.write(new byte[1000]);
            written.addAndGet(1000);
          }
        } catch (Exception e) {
          // closed at the end of the test
        }
      });
      writer.setDaemon(true);
      writer.start();
      Thread.sleep(1500);
      long before = written.get();
      Thread.sleep(500);
      assertThat(written.get()).as("the writer is blocked").isEqualTo(before).isLessThan(10_000_000);
      assertThat(writer.getState()).isIn(Thread.State.RUNNABLE, Thread.State.BLOCKED, Thread.State.WAITING);
      assertThat(sendQueue(socket)).as("the rest waits in the Send-Q").isPositive();
      List<TcpSegment> fromPeer = segments(f.sent);
      assertThat(fromPeer.get(fromPeer.size() - 1).window()).as("zero window").isZero();
      await(() -> segments(f.sent).stream().filter(s -> s.window() == 0).count() >= 2, "a probe answered");
      assertThat(f.peer.faultActions()).containsEntry(Fault.parse("stall-after=10000"), 1L);
      socket.close();
      writer.join(5000);
    }
  }

  @Test
  void blackholeAfterBytesGoesSilentAndTheClientRetransmitsIntoNothing() throws Exception {
    try (PeerFixture f = new PeerFixture(BLACKHOLE_SUBNET, Rules.of(Mode.ECHO).withFaults("blackhole-after=100"), null,
        null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.getOutputStream().write(new byte[100]);
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(100)).hasSize(100);
      Thread.sleep(300); // the echo and the last ACK are recorded after the client may read them
      long before = segments(f.sent).stream().filter(s -> s.destinationPort() == socket.getLocalPort()).count();
      socket.getOutputStream().write(new byte[10]);
      Thread.sleep(1200);
      assertThat(segments(f.sent).stream().filter(s -> s.destinationPort() == socket.getLocalPort()).count())
          .as("nothing after the blackhole").isEqualTo(before);
      assertThat(f.faultEvents).filteredOn(e -> e.startsWith("DROPPED blackhole-after=100")).hasSizeGreaterThanOrEqualTo(2);
      assertThat(sendQueue(socket)).isEqualTo(10);
    }
  }

  @Test
  void blackholeAfterBytesKeepsTheWindowOpenSoTheHostRetransmitsWhatItWroteBeyond() throws Exception {
    try (PeerFixture f = new PeerFixture(BLACKHOLE_SUBNET, Rules.of(Mode.ECHO).withFaults("blackhole-after=100"), null,
        null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(new byte[300]);
      assertThat(socket.getInputStream().readNBytes(100)).as("the 100 bytes taken, echoed").hasSize(100);
      int port = socket.getLocalPort();
      await(() -> retransmitted(segments(f.received), port) > 0, "the host retransmits");
      assertThat(segments(f.sent)).filteredOn(s -> s.destinationPort() == port)
          .as("never a zero window (no zero-window probes)").allMatch(s -> s.window() > 0);
      assertThat(segments(f.received)).filteredOn(s -> s.sourcePort() == port && s.payloadLength() > 0)
          .as("data only: no probe of a closed window").allMatch(s -> s.payloadLength() >= 100);
      assertThat(sendQueue(socket)).as("the 200 bytes beyond wait, unacknowledged").isEqualTo(200);
      socket.setSoTimeout(200);
      assertThatThrownBy(() -> socket.getInputStream().read()).as("reads time out")
          .isInstanceOf(java.net.SocketTimeoutException.class);
    }
  }

  /** Ten bytes through {@code socket} and back (no Nagle, reads time out after 3 s): the connection is open and answering. */
  private static void echoTen(Socket socket) throws Exception {
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(3000);
    socket.getOutputStream().write(new byte[10]);
    assertThat(socket.getInputStream().readNBytes(10)).hasSize(10);
  }

  /** Segments with data that the host sent from {@code port} more than once. */
  static long retransmitted(List<TcpSegment> fromHost, int port) {
    return fromHost.stream().filter(s -> s.sourcePort() == port && s.payloadLength() > 0)
        .collect(java.util.stream.Collectors.groupingBy(TcpSegment::sequenceNumber, java.util.stream.Collectors.counting()))
        .values().stream().filter(n -> n > 1).count();
  }

  @Test
  void aBlackholeSetMidTestIsInForceWhenFaultReturns() throws Exception {
    AtomicLong served = new AtomicLong();
    Server counting = connection -> {
      InputStream in = connection.input();
      byte[] buffer = new byte[1000];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        served.addAndGet(n);
        connection.output().write(buffer, 0, n);
      }
    };
    Rules rules = Rules.of(Mode.REJECT).with(Rule.of("*", "7", counting));
    try (PeerFixture f = new PeerFixture(BLACKHOLE_SUBNET, rules, null, null);
        Socket open = new Socket(f.address(6), 7)) {
      echoTen(open);
      Thread.sleep(100); // the kernel's ACK of the echo
      int port = open.getLocalPort();

      f.peer.fault(Fault.parse("blackhole-after=0s"));
      long sentWhenInForce = segments(f.sent).stream().filter(s -> s.destinationPort() == port).count();
      open.getOutputStream().write(new byte[10]);
      try (Socket fresh = new Socket(f.address(6), 7)) {
        fresh.getOutputStream().write(new byte[20]); // right after the handshake
        Thread.sleep(500);
        int freshPort = fresh.getLocalPort();
        assertThat(segments(f.sent)).filteredOn(s -> s.destinationPort() == freshPort)
            .as("the new connection: its SYN+ACK only").singleElement().matches(s -> s.syn() && s.ack());
      }
      assertThat(segments(f.sent).stream().filter(s -> s.destinationPort() == port).count())
          .as("nothing on the open connection once fault() returned: no ACK, no echo").isEqualTo(sentWhenInForce);
      assertThat(served.get()).as("bytes the server got: the first 10 only").isEqualTo(10);
    }
  }

  /**
   * A stall set mid-test: once {@code fault()} returns, the fake host takes nothing more. Every
   * answer to the host's next bytes acknowledges only what came before, with window 0, and none of
   * them is echoed. (Counted on the peer's record, which it writes on its own thread before it runs
   * the fault: what went out before {@code fault()} returned is all in the count.)
   */
  @Test
  void aStallSetMidTestIsInForceWhenFaultReturns() throws Exception {
    try (PeerFixture f = new PeerFixture(STALL_SUBNET, Rules.of(Mode.ECHO), null, null);
        Socket socket = new Socket(f.address(7), 7)) {
      echoTen(socket);
      int port = socket.getLocalPort();
      long isn = segments(f.received).stream().filter(s -> s.sourcePort() == port && s.syn()).findFirst()
          .orElseThrow().sequenceNumber();

      f.peer.fault(Fault.parse("stall-after=0s"));
      int before = (int) segments(f.sent).stream().filter(s -> s.destinationPort() == port).count();
      socket.getOutputStream().write(new byte[100]);
      await(() -> segments(f.sent).stream().filter(s -> s.destinationPort() == port).count() > before,
          "an answer to the host's 100 bytes");
      Thread.sleep(300); // the host's retransmissions or probes, and their answers
      List<TcpSegment> after = new ArrayList<>(segments(f.sent));
      after.removeIf(s -> s.destinationPort() != port);
      after = after.subList(before, after.size());
      assertThat(after).as("after fault() returned: window 0, the 10 bytes before it acknowledged and no more")
          .allMatch(s -> !s.rst() && s.payloadLength() == 0 && s.window() == 0
              && ((s.acknowledgmentNumber() - isn - 1) & 0xffffffffL) == 10);
      assertThat(sendQueue(socket)).as("the 100 bytes wait in the Send-Q").isEqualTo(100);
    }
  }

  /** A reset already due when set mid-test ({@code reset-after=5} after 10 bytes) is on the wire when {@code fault()} returns. */
  @Test
  void aResetDueWhenSetMidTestIsSentBeforeFaultReturns() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO), null, null);
        Socket socket = new Socket(f.address(7), 7)) {
      echoTen(socket);
      int port = socket.getLocalPort();

      f.peer.fault(Fault.parse("reset-after=5"));
      List<TcpSegment> sent = new ArrayList<>(segments(f.sent));
      sent.removeIf(s -> s.destinationPort() != port);
      assertThat(sent.get(sent.size() - 1)).as("the last segment written before fault() returned: %s", sent)
          .matches(TcpSegment::rst, "a RST");
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      assertThat(segments(f.sent).stream().filter(s -> s.destinationPort() == port).skip(sent.size()))
          .as("after it: RSTs only").allMatch(TcpSegment::rst);
      assertThat(f.peer.faultActions()).containsEntry(Fault.parse("reset-after=5"), 1L);
    }
  }

  @Test
  void slowCloseDelaysTheFakeHostsFinAndItsAckOfTheHostsFin() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.DISCARD).withFaults("slow-close=500ms"), null, null);
        Socket socket = new Socket(f.address(5), 9)) {
      socket.setSoTimeout(5000);
      long start = System.nanoTime();
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).as("%s%s", PacketFaultTest.last(f.received),
          PacketFaultTest.last(f.sent)).isGreaterThanOrEqualTo(500L);
      // how much later, on the peer's clock: from reading the host's FIN to writing its own
      int port = socket.getLocalPort();
      assertThat(f.peerMillis(w -> w.is(Direction.TO_PEER, s -> s.sourcePort() == port && s.fin()),
          w -> w.is(Direction.FROM_PEER, s -> s.destinationPort() == port && s.fin())))
          .as("ms the fake host held its FIN").isBetween(490L, 800L);
    }
  }

  @Test
  void slowCloseDelaysTheFinOfAServerThatClosesFirstButNotItsResponse() throws Exception {
    byte[] response = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);
    Rules rules = Rules.of(Mode.REJECT).with(Rule.of("*", "80", Server.fixedResponse(response)))
        .withFaults("slow-close=2s");
    try (PeerFixture f = new PeerFixture(SUBNET, rules, null, null);
        Socket socket = new Socket(f.address(5), 80)) {
      socket.setSoTimeout(10_000);
      long start = System.nanoTime();
      socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(response.length)).isEqualTo(response);
      assertThat((System.nanoTime() - start) / 1_000_000).as("the response is not held back").isLessThan(1000L);
      assertThat(in.read()).as("end of stream").isEqualTo(-1);
      // The server closed after it read the request, so its FIN is due 2 s after the write at the earliest.
      assertThat((System.nanoTime() - start) / 1_000_000).as("%s%s", PacketFaultTest.last(f.received),
          PacketFaultTest.last(f.sent)).isBetween(2000L, 3500L);
      assertThat(f.peer.faultActions()).containsEntry(Fault.parse("slow-close=2s"), 1L);
    }
  }

  @Test
  void aServerOnAFakeHostTakesPacketAndConnectionFaultsTogether() throws Exception {
    Rules rules = Rules.of(Mode.REJECT).with(Rule.of("*", "7", Server.echo()))
        .withFaults("latency=50ms", "reset-after=1000");
    try (PeerFixture f = new PeerFixture(SUBNET, rules, null, (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5000);
      long start = System.nanoTime();
      socket.getOutputStream().write(new byte[100]);
      assertThat(socket.getInputStream().readNBytes(100)).as("the server's echo").hasSize(100);
      assertThat((System.nanoTime() - start) / 1_000_000).as("50 ms of latency").isGreaterThanOrEqualTo(50L);
      // the fault held the server's echo (an upper bound on the wall clock would measure the machine's load)
      String echoed = " > " + f.address(1) + "." + socket.getLocalPort() + ": ";
      assertThat(f.faultEvents).as("the echo delayed by the latency")
          .anyMatch(e -> e.startsWith("DELAYED latency=50ms IP ") && e.contains(echoed) && e.endsWith("length 100"));
      socket.getOutputStream().write(new byte[2000]);
      assertThatThrownBy(() -> socket.getInputStream().readNBytes(2000)).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
      assertThat(f.peer.faultActions()).containsEntry(Fault.parse("reset-after=1000"), 1L);
    }
  }

  @Test
  void connectManyClientsTakeConnectionFaultsToo() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("reset-after=1000"), null,
        (direction, packet) -> { });
        ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress("0.0.0.0", 9100));
      InetSocketAddress target = new InetSocketAddress(f.address(1), 9100);
      assertThat(f.peer.connectMany(ConnectMany.to(target, 1)).established()).isEqualTo(1);
      try (Socket client = server.accept()) {
        client.setSoTimeout(5000);
        client.getOutputStream().write(new byte[5000]);
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("Connection reset");
      }
      assertThat(f.peer.faultActions()).containsEntry(Fault.parse("reset-after=1000"), 1L);

      f.peer.rules(Rules.of(Mode.ECHO).withFaults("slow-close=1s"));
      assertThat(f.peer.connectMany(ConnectMany.to(target, 1)).established()).isEqualTo(1);
      try (Socket client = server.accept()) {
        client.setSoTimeout(5000);
        long start = System.nanoTime();
        f.peer.closeClientConnections(false);
        assertThat(client.getInputStream().read()).as("end of stream").isEqualTo(-1);
        assertThat((System.nanoTime() - start) / 1_000_000).as("the client's FIN, 1 s late").isBetween(1000L, 2500L);
        // Before the server's socket closes: its FIN would be a second action (its ACK waits too).
        assertThat(f.peer.faultActions()).containsEntry(Fault.parse("slow-close=1s"), 1L);
      }
    }
  }

  static List<TcpSegment> segments(List<byte[]> packets) {
    List<TcpSegment> result = new ArrayList<>();
    for (byte[] p : packets) {
      try {
        Ipv4Packet ip = Ipv4Packet.wrap(p);
        if (ip.protocol() == IpProtocol.TCP) {
          result.add(TcpSegment.wrap(ip));
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return result;
  }
}
