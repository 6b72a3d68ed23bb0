package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.UdpDatagram;
import io.faketcp.tun.RequiresTun;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UDP through a real tun device: each mode, rules per address and port, datagram servers, faults. */
@org.junit.jupiter.api.extension.ExtendWith(RequiresTun.class)
class UdpTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String receive(DatagramSocket socket) throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    socket.receive(packet);
    return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
  }

  private static List<UdpDatagram> udp(List<byte[]> packets) {
    List<UdpDatagram> datagrams = new ArrayList<>();
    for (byte[] p : packets) {
      try {
        Ipv4Packet ip = Ipv4Packet.wrap(p);
        if (ip.protocol() == 17) {
          datagrams.add(UdpDatagram.wrap(ip));
        }
      } catch (MalformedPacketException e) {
        throw new AssertionError(e.reason(), e);
      }
    }
    return datagrams;
  }

  @Test
  void echoSendsEachDatagramBackFromTheFakeHost() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO)); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      InetSocketAddress target = new InetSocketAddress(f.device.subnet().address(5), 9000);
      socket.send(new DatagramPacket(utf8("ping 1"), 6, target));
      DatagramPacket reply = new DatagramPacket(new byte[100], 100);
      socket.receive(reply);

      assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("ping 1");
      assertThat(reply.getSocketAddress()).isEqualTo(target);
      // The listener records a packet once the peer's write returned; the kernel may deliver it before.
      await(() -> !udp(f.sent).isEmpty(), "the echo recorded");
      UdpDatagram echoed = udp(f.sent).get(0);
      assertThat(echoed.toString()).isEqualTo("IP 192.168.0.5.9000 > 192.168.0.1." + socket.getLocalPort()
          + ": UDP, length 6");
      assertThat(echoed.checksum()).isNotZero();
      assertThat(f.peer.counters().ignoredPackets()).isZero();
    }
  }

  @Test
  void rejectMakesAConnectedSocketThrowPortUnreachable() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.connect(new InetSocketAddress(f.device.subnet().address(5), 514));
      socket.send(new DatagramPacket(utf8("<14>hello"), 9));

      assertThatThrownBy(() -> socket.receive(new DatagramPacket(new byte[100], 100)))
          .isInstanceOf(PortUnreachableException.class);
      await(() -> !f.sent.isEmpty(), "the ICMP error recorded");
      IcmpMessage icmp = IcmpMessage.wrap(Ipv4Packet.wrap(f.sent.get(0)));
      assertThat(icmp.toString()).startsWith("IP 192.168.0.5 > 192.168.0.1: ICMP 192.168.0.5 udp port 514 unreachable");
    }
  }

  @Test
  void rejectMakesAConnectedChannelThrowPortUnreachable() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)); DatagramChannel channel = DatagramChannel.open()) {
      channel.connect(new InetSocketAddress(f.device.subnet().address(6), 8125));
      channel.write(ByteBuffer.wrap(utf8("a:1|c")));
      await(() -> !f.sent.isEmpty(), "the ICMP error sent");

      assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(utf8("a:2|c")))).isInstanceOf(PortUnreachableException.class);
    }
  }

  @Test
  void silentModesAnswerNothing() throws Exception {
    for (Mode mode : new Mode[] {Mode.ACCEPT, Mode.DISCARD, Mode.DROP}) {
      try (PeerFixture f = new PeerFixture(Rules.of(mode)); DatagramSocket socket = new DatagramSocket()) {
        socket.setSoTimeout(200);
        socket.connect(new InetSocketAddress(f.device.subnet().address(5), 9000));
        socket.send(new DatagramPacket(utf8("x"), 1));
        await(() -> !udp(f.received).isEmpty(), "the datagram read");

        assertThatThrownBy(() -> socket.receive(new DatagramPacket(new byte[10], 10)))
            .as(mode.toString()).isInstanceOf(SocketTimeoutException.class);
        // TCP is left out: an earlier test's connection may still get a late RST on this subnet.
        assertThat(f.sent).as(mode.toString()).noneMatch(p -> p[9] == 17 || p[9] == 1);
      }
    }
  }

  @Test
  void aBroadcastIsNoFakeHostsAndIsIgnored() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.REJECT)); DatagramSocket socket = new DatagramSocket()) {
      socket.setBroadcast(true);
      socket.send(new DatagramPacket(utf8("anyone?"), 7, new InetSocketAddress("192.168.0.255", 9000)));
      await(() -> f.peer.counters().ignoredPackets() == 1, "the broadcast ignored");
      assertThat(f.sent).noneMatch(p -> p[9] == 17 || p[9] == 1);
    }
  }

  @Test
  void rulesChoosePerAddressAndPort() throws Exception {
    Rules rules = Rules.of(Mode.DROP)
        .with(Rule.of("192.168.0.5", "7", Mode.ECHO))
        .with(Rule.of("192.168.0.5", "*", Mode.REJECT));
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.send(new DatagramPacket(utf8("seven"), 5, new InetSocketAddress(f.device.subnet().address(5), 7)));
      assertThat(receive(socket)).isEqualTo("seven");
      socket.connect(new InetSocketAddress(f.device.subnet().address(5), 8));
      socket.send(new DatagramPacket(utf8("eight"), 5));
      assertThatThrownBy(() -> receive(socket)).isInstanceOf(PortUnreachableException.class);
    }
  }

  @Test
  void datagramServersReplyFromTheirOwnThreadAndTcpOnThePortGoesByTheNextRule() throws Exception {
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    Rules rules = Rules.of(Mode.REJECT)
        .with(Rule.udp("192.168.0.5", "53", datagram -> {
          threads.add(Thread.currentThread().getName());
          datagram.reply(utf8("answer to " + datagram.text() + " from " + datagram.source().getAddress().getHostAddress()));
        }))
        .with(Rule.of("192.168.0.5", "53", Mode.ECHO));
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.send(new DatagramPacket(utf8("q"), 1, new InetSocketAddress(f.device.subnet().address(5), 53)));

      assertThat(receive(socket)).isEqualTo("answer to q from 192.168.0.1");
      assertThat(threads).singleElement().asString().startsWith("faketcp-datagrams-");
      try (java.net.Socket tcp = new java.net.Socket(f.device.subnet().address(5), 53)) {
        tcp.getOutputStream().write('x');
        assertThat(tcp.getInputStream().read()).as("TCP echoed by the mode rule after the datagram rule").isEqualTo('x');
      }
    }
  }

  @Test
  void aSinkKeepsTheDatagramsAndAFailingServerIsThePeersFailure() throws Exception {
    DatagramSink sink = DatagramServer.sink();
    Rules rules = Rules.of(Mode.DROP).with(Rule.udp("192.168.0.5", "8125", sink))
        .with(Rule.udp("192.168.0.6", "*", datagram -> {
          throw new IllegalStateException("server bug on " + datagram.text());
        }));
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      for (String metric : new String[] {"a:1|c", "b:2|g", "c:3|ms"}) {
        socket.send(new DatagramPacket(utf8(metric), metric.length(), new InetSocketAddress(f.device.subnet().address(5), 8125)));
      }
      socket.send(new DatagramPacket(utf8("boom"), 4, new InetSocketAddress(f.device.subnet().address(6), 1)));

      assertThat(sink.await(3, Duration.ofSeconds(2))).isTrue();
      assertThat(sink.texts()).containsExactly("a:1|c", "b:2|g", "c:3|ms");
      assertThat(sink.received().get(0).destination()).isEqualTo(new InetSocketAddress(f.device.subnet().address(5), 8125));
      await(() -> f.peer.failure().isPresent(), "the server's failure recorded");
      assertThat(f.peer.failure().get()).hasMessage("server bug on boom");
      assertThat(f.peer.isRunning()).isTrue();
    }
  }

  @Test
  void aReplyLargerThanTheMtuIsRefusedWithTheLimit() throws Exception {
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    Rules rules = Rules.of(Mode.DROP).with(Rule.udp("*", "*", datagram -> {
      try {
        datagram.reply(new byte[2000]);
      } catch (IllegalArgumentException e) {
        errors.add(e);
      }
    }));
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      socket.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(f.device.subnet().address(5), 1)));
      await(() -> !errors.isEmpty(), "the reply refused");
      assertThat(errors.get(0)).hasMessageContaining("2000 bytes").hasMessageContaining("MTU 1500")
          .hasMessageContaining("at most 1472 bytes");
    }
  }

  @Test
  void packetFaultsApplyToDatagrams() throws Exception {
    Rules rules = Rules.of(Mode.ECHO).withFaults("latency=150ms", "drop-first=1", "seed=7");
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      InetSocketAddress target = new InetSocketAddress(f.device.subnet().address(5), 9000);
      socket.send(new DatagramPacket(utf8("first"), 5, target));
      long start = System.nanoTime();
      socket.send(new DatagramPacket(utf8("second"), 6, target));

      assertThat(receive(socket)).as("the first one was dropped").isEqualTo("second");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
      assertThat(f.faultEvents).anyMatch(e -> e.startsWith("DROPPED drop-first=1") && e.contains("UDP, length 5"));
    }
  }

  @Test
  void duplicateDropNthAndBandwidthApplyToDatagrams() throws Exception {
    Rules rules = Rules.of(Mode.ECHO).withFaults("duplicate=100%@192.168.0.5:*", "drop-nth=2@192.168.0.6:*",
        "bandwidth-out=10KB/s@192.168.0.7:*");
    try (PeerFixture f = new PeerFixture(rules); DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.send(new DatagramPacket(utf8("twice"), 5, new InetSocketAddress(f.device.subnet().address(5), 9000)));
      assertThat(receive(socket)).isEqualTo("twice");
      assertThat(receive(socket)).as("the duplicate").isEqualTo("twice");

      for (int i = 1; i <= 4; i++) {
        socket.send(new DatagramPacket(utf8("n" + i), 2, new InetSocketAddress(f.device.subnet().address(6), 9000)));
      }
      assertThat(receive(socket)).isEqualTo("n1");
      assertThat(receive(socket)).as("n2 was the 2nd: dropped").isEqualTo("n3");

      byte[] kilobyte = new byte[1000];
      long start = System.nanoTime();
      for (int i = 0; i < 6; i++) {
        socket.send(new DatagramPacket(kilobyte, 1000, new InetSocketAddress(f.device.subnet().address(7), 9000)));
      }
      for (int i = 0; i < 6; i++) {
        receive(socket);
      }
      // 6 x 1028 bytes at 10 KB/s: the last echo leaves about 0.6 s after the first is sent
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
    }
  }

  @Test
  void unreachableAnswersDatagramsWithTheIcmpError() throws Exception {
    try (PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO).withFaults("unreachable=port@192.168.0.5:*"));
        DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.connect(new InetSocketAddress(f.device.subnet().address(5), 9000));
      socket.send(new DatagramPacket(utf8("x"), 1));
      assertThatThrownBy(() -> receive(socket)).isInstanceOf(PortUnreachableException.class);
    }
  }
}
