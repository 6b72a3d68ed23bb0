package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Odd but legal traffic reaching the peer through the kernel: IP options, fragments, IPv6 and UDP
 * (ignored and counted), a reset in the middle of a handshake, simultaneous close, data after FIN,
 * a SYN on a 4-tuple still in the table, and sequence numbers wrapping around. Hand-made segments
 * come from 10.77.0.1, an address the namespace does not own, so the kernel drops the peer's answers
 * instead of resetting them; the fixture's listener sees them.
 */
@ExtendWith(RequiresTun.class)
class OddTrafficTest {
  private static final Inet4Address CLIENT = address("10.77.0.1");

  @Test
  void ipOptionsSetOnAKernelSocketStillGetAHandshake() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT))) {
      int fd = Libc.socket(2, 1, 0);
      try {
        // Record route (type 7, length 11, pointer 4, two slots) padded with an end-of-options byte.
        byte[] options = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Memory opt = new Memory(options.length);
        opt.write(0, options, 0, options.length);
        Libc.setsockopt(fd, 0, 4 /* IP_OPTIONS */, opt, options.length);
        Memory sin = new Memory(16);
        sin.clear();
        sin.setShort(0, (short) 2);
        sin.setShort(2, Short.reverseBytes((short) 80));
        sin.write(4, f.device.subnet().address(5).getAddress(), 0, 4);
        Libc.connect(fd, sin, 16); // blocking: returns once the peer's SYN+ACK was acknowledged
      } finally {
        Libc.close(fd);
      }
      Ipv4Packet syn = f.received.stream().map(OddTrafficTest::ip).filter(p -> p.protocol() == 6).findFirst().orElseThrow();
      assertThat(syn.headerLength()).as("the SYN's IP header carries the options").isEqualTo(32);
      assertThat(f.peer.counters().connectionsOpened()).isEqualTo(1);
      assertThat(f.peer.counters().badPackets()).isZero();
    }
  }

  @Test
  void udpLargeEnoughToFragmentIsReassembledAndEchoedLikeSmallUdp() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO)); DatagramSocket udp = new DatagramSocket()) {
      InetAddress peer = f.device.subnet().address(5);
      udp.send(new DatagramPacket(new byte[4000], 4000, peer, 9)); // 3 fragments at MTU 1500
      udp.send(new DatagramPacket(new byte[10], 10, peer, 9));
      // The fragments are put together first; the whole datagram is echoed (written whole, unfragmented).
      await(() -> f.sent.size() == 2, "both datagrams echoed");
      assertThat(f.received.stream().map(OddTrafficTest::ip).filter(Ipv4Packet::isFragment)).hasSize(3);
      assertThat(f.sent.stream().map(p -> ip(p).totalLength())).containsExactlyInAnyOrder(4028, 38);
      assertThat(f.peer.counters().ignoredPackets()).isZero();
      assertThat(f.peer.counters().badPackets()).isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void ipv6PacketsAreIgnoredAndCounted() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO)); DatagramSocket udp = new DatagramSocket()) {
      Path knob = Path.of("/proc/sys/net/ipv6/conf", f.device.name(), "disable_ipv6");
      assumeThat(knob).as("kernel with IPv6").exists();
      Files.writeString(knob, "0");
      Process ip = new ProcessBuilder("ip", "-6", "addr", "add", "fd00:77::1/64", "dev", f.device.name(), "nodad")
          .inheritIO().start();
      assertThat(ip.waitFor()).isZero();
      udp.send(new DatagramPacket(new byte[10], 10, InetAddress.getByName("fd00:77::5"), 9));
      await(() -> f.received.stream().anyMatch(p -> (p[0] & 0xF0) == 0x60), "an IPv6 packet read by the peer");
      // Earlier tests' sockets may still retransmit to this subnet: count the IPv6 packets only.
      await(() -> f.peer.counters().ignoredPackets() >= f.received.stream().filter(p -> (p[0] & 0xF0) == 0x60).count(),
          "every IPv6 packet counted as ignored");
      assertThat(f.peer.counters().badPackets()).isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void aResetInTheMiddleOfTheHandshakeForgetsTheConnection() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT)); RawSocket raw = new RawSocket()) {
      raw.send(segment(f, 40100).sequenceNumber(1000).flags(TcpSegment.SYN).build());
      TcpSegment synAck = awaitSegment(f, 40100, s -> s.syn() && s.ack());
      assertThat(f.peer.counters().synReceived()).isEqualTo(1);
      raw.send(segment(f, 40100).sequenceNumber(1001).flags(TcpSegment.RST).build());
      await(() -> f.peer.counters().synReceived() == 0, "the half-open connection forgotten");
      // The handshake's last ACK now belongs to no connection: it is answered with a reset.
      raw.send(segment(f, 40100).sequenceNumber(1001).acknowledgmentNumber(synAck.sequenceNumber() + 1)
          .flags(TcpSegment.ACK).build());
      TcpSegment rst = awaitSegment(f, 40100, TcpSegment::rst);
      assertThat(rst.sequenceNumber()).isEqualTo((synAck.sequenceNumber() + 1) & 0xffffffffL);
      assertThat(f.peer.counters().established()).isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void simultaneousCloseEndsOnBothSides() throws Exception {
    AtomicInteger finsDropped = new AtomicInteger();
    // Drops the server's first FIN, so the peer's FIN crosses it: both sides close at once.
    Responder dropFirstFin = (packet, out) -> packet.protocol() == 6 && TcpSegment.wrap(packet).fin()
        && finsDropped.compareAndSet(0, 1);
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT), dropFirstFin);
        ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(f.device.subnet().hostAddress(), 8081));
      ConnectManyResult result = f.peer.connectMany(ConnectMany.to(new InetSocketAddress(f.device.subnet().hostAddress(), 8081), 1));
      assertThat(result.established()).isEqualTo(1);
      try (Socket s = server.accept()) {
        s.setSoTimeout(10_000);
        s.shutdownOutput(); // the server's FIN: dropped on its way to the peer
        await(() -> finsDropped.get() == 1, "the server's FIN dropped");
        f.peer.closeClientConnections(false); // the peer's FIN, not acknowledging the server's
        InputStream in = s.getInputStream();
        assertThat(in.read()).as("the server sees the peer's FIN").isEqualTo(-1);
        // The server retransmits its FIN; the peer acknowledges it and forgets the connection.
        await(() -> f.peer.counters().established() + f.peer.counters().closing() == 0, "peer side closed");
        await(() -> tcpStates(8081).equals(List.of("06")), "server socket in TIME_WAIT (states " + tcpStates(8081) + ")");
      }
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void dataAfterFinIsNotAcceptedButAnsweredWithADuplicateAck() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO)); RawSocket raw = new RawSocket()) {
      long iss = handshake(f, raw, 40200, 1000);
      raw.send(segment(f, 40200).sequenceNumber(1001).acknowledgmentNumber(iss + 1).flags(TcpSegment.FIN | TcpSegment.ACK).build());
      TcpSegment fin = awaitSegment(f, 40200, TcpSegment::fin);
      assertThat(fin.acknowledgmentNumber()).isEqualTo(1002);
      int before = segmentsTo(f, 40200).size();
      raw.send(segment(f, 40200).sequenceNumber(1002).acknowledgmentNumber(iss + 1).flags(TcpSegment.ACK | TcpSegment.PSH)
          .payload(new byte[10]).build());
      await(() -> segmentsTo(f, 40200).size() > before, "an answer to the data");
      TcpSegment answer = segmentsTo(f, 40200).get(before);
      assertThat(answer.acknowledgmentNumber()).as("data after FIN is not acknowledged").isEqualTo(1002);
      assertThat(answer.payloadLength()).as("nor echoed").isZero();
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  @Test
  void aNewSynOnAHalfOpenFourTupleReplacesTheStaleConnection() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ACCEPT)); RawSocket raw = new RawSocket()) {
      raw.send(segment(f, 40301).sequenceNumber(100).flags(TcpSegment.SYN).build());
      awaitSegment(f, 40301, s -> s.syn() && s.ack());
      raw.send(segment(f, 40301).sequenceNumber(7000).flags(TcpSegment.SYN).build());
      await(() -> segmentsTo(f, 40301).stream().filter(s -> s.syn() && s.ack()).count() == 2, "a second SYN+ACK");
      TcpSegment second = segmentsTo(f, 40301).stream().filter(s -> s.syn() && s.ack()).skip(1).findFirst().orElseThrow();
      assertThat(second.acknowledgmentNumber()).isEqualTo(7001);
      assertThat(f.peer.counters().connectionsOpened()).isEqualTo(2);
      assertThat(f.peer.counters().synReceived()).isEqualTo(1);
    }
  }

  @Test
  void sequenceNumbersWrapAroundInAcknowledgmentsAndEchoes() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO)); RawSocket raw = new RawSocket()) {
      long iss = handshake(f, raw, 40400, 0xFFFFFFF0L);
      long seq = 0xFFFFFFF1L;
      long[] expectedAcks = {0xFFFFFFFBL, 0x5L, 0xFL};
      for (int i = 0; i < 3; i++) {
        byte[] data = new byte[10];
        java.util.Arrays.fill(data, (byte) ('a' + i));
        int before = segmentsTo(f, 40400).size();
        raw.send(segment(f, 40400).sequenceNumber(seq).acknowledgmentNumber(iss + 1).flags(TcpSegment.ACK | TcpSegment.PSH)
            .window(65535).payload(data).build());
        long expectedAck = expectedAcks[i];
        await(() -> segmentsTo(f, 40400).stream().skip(before).anyMatch(s -> s.acknowledgmentNumber() == expectedAck),
            "ack " + Long.toHexString(expectedAck));
        seq = (seq + 10) & 0xffffffffL;
      }
      List<TcpSegment> echoes = segmentsTo(f, 40400).stream().filter(s -> s.payloadLength() > 0).collect(Collectors.toList());
      assertThat(echoes).hasSize(3);
      assertThat(echoes.get(2).payload().get(0)).isEqualTo((byte) 'c');
      assertThat(echoes.get(2).sequenceNumber()).isEqualTo((iss + 21) & 0xffffffffL);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  // ---- helpers ----

  /** SYN, SYN+ACK, ACK from CLIENT:port to .9:80; returns the peer's ISN. */
  private static long handshake(PeerFixture f, RawSocket raw, int port, long isn) throws Exception {
    raw.send(segment(f, port).sequenceNumber(isn).flags(TcpSegment.SYN).mss(1460).build());
    TcpSegment synAck = awaitSegment(f, port, s -> s.syn() && s.ack());
    raw.send(segment(f, port).sequenceNumber((isn + 1) & 0xffffffffL).acknowledgmentNumber((synAck.sequenceNumber() + 1) & 0xffffffffL)
        .flags(TcpSegment.ACK).window(65535).build());
    await(() -> f.peer.counters().established() == 1, "established");
    return synAck.sequenceNumber();
  }

  private static TcpSegment.Builder segment(PeerFixture f, int port) {
    return TcpSegment.builder().source(CLIENT).destination(f.device.subnet().address(9)).sourcePort(port)
        .destinationPort(80).window(65535);
  }

  private static TcpSegment awaitSegment(PeerFixture f, int port, java.util.function.Predicate<TcpSegment> which)
      throws InterruptedException {
    await(() -> segmentsTo(f, port).stream().anyMatch(which), "a segment to port " + port);
    return segmentsTo(f, port).stream().filter(which).findFirst().orElseThrow();
  }

  private static List<TcpSegment> segmentsTo(PeerFixture f, int port) {
    return f.sent.stream().map(OddTrafficTest::ip).filter(p -> p.protocol() == 6).map(p -> {
      try {
        return TcpSegment.wrap(p);
      } catch (MalformedPacketException e) {
        throw new AssertionError(e);
      }
    }).filter(s -> s.destinationPort() == port).collect(Collectors.toList());
  }

  private static Ipv4Packet ip(byte[] bytes) {
    try {
      return Ipv4Packet.wrap(ByteBuffer.wrap(bytes));
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  /** The kernel's TCP states (hex, 06 = TIME_WAIT) of sockets with local port {@code port}. */
  private static List<String> tcpStates(int port) {
    String local = String.format(":%04X", port);
    try {
      List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
      if (Files.exists(Path.of("/proc/net/tcp6"))) {
        lines.addAll(Files.readAllLines(Path.of("/proc/net/tcp6"))); // Java's sockets may be dual-stack
      }
      return lines.stream().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 3 && c[1].endsWith(local)
          && !c[3].equals("0A")).map(c -> c[3]).collect(Collectors.toList());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Inet4Address address(String text) {
    try {
      return (Inet4Address) InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The few libc calls to set IP options on a kernel socket (Java has no API for IP_OPTIONS). */
  static final class Libc {
    static {
      Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    static native int connect(int fd, Pointer address, int length) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
  }

}
