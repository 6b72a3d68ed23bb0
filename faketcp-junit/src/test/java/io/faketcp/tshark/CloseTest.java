package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Handshakes and closes as tshark sees them: short connections closed by the host first (ECHO) and by
 * the fake host first (a {@code Server} that answers and closes) each end with a FIN from both sides,
 * each acknowledged, no RST and no retransmission; new connections from fresh ports are never "TCP port
 * numbers reused". A new connection from the port of one the fake host closed first (the fake host in
 * TIME-WAIT) is accepted as Linux accepts it (RFC 6191), and tshark then flags that one SYN as reused
 * ports, as it would between Linux hosts.
 */
class CloseTest {
  static final int CONNECTIONS = 20;
  static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.121.0.0/24").mode(Mode.REJECT)
      .rule(Rule.of("10.121.0.5", "*", Mode.ECHO))
      .rule(Rule.of("10.121.0.6", "*", CloseTest::helloAndClose))
      .build();

  @Test
  void everyConnectionEndsWithAFinExchangeAndNoPortIsReused(NetworkInfo net, Capture capture, TestInfo test)
      throws Exception {
    for (int i = 0; i < CONNECTIONS; i++) {
      hostClosesFirst(net.socketAddress(5, 7));
      assertThat(fakeHostClosesFirst(net.socketAddress(6, 80), null)).isEqualTo(HELLO);
    }
    awaitOnlyTimeWait(net.hostAddress());
    TsharkVerdict verdict = Tshark.analyse(capture, test);

    List<TsharkPacket> trouble = verdict.filter(p -> p.hasFlag(TsharkPacket.RST) || p.badChecksum()
        || TsharkVerdict.TROUBLE.stream().anyMatch(p::has));
    assertThat(trouble).withFailMessage("tshark's findings: %s", verdict.describe(trouble)).isEmpty();
    String host = net.hostAddress().getHostAddress();
    Map<String, List<TsharkPacket>> streams = verdict.tcp().stream().collect(Collectors.groupingBy(
        p -> p.source().equals(host) ? p.destination() + " port " + p.sourcePort() : p.source() + " port "
            + p.destinationPort()));
    assertThat(streams).as("connections").hasSize(2 * CONNECTIONS);
    streams.forEach((name, packets) -> assertClosed(verdict, name, packets));
  }

  @Test
  void aNewConnectionFromThePortOfOneInTimeWaitIsAcceptedAndFlaggedOnce(NetworkInfo net, Capture capture,
      TestInfo test) throws Exception {
    int port;
    try (Socket probe = new Socket()) {
      probe.bind(new InetSocketAddress(net.hostAddress(), 0));
      port = probe.getLocalPort();
    }
    InetSocketAddress local = new InetSocketAddress(net.hostAddress(), port);
    assertThat(fakeHostClosesFirst(net.socketAddress(6, 80), local)).isEqualTo(HELLO);
    awaitOnlyTimeWait(net.hostAddress());
    assertThat(fakeHostClosesFirst(net.socketAddress(6, 80), local))
        .as("again from port %d, the fake host in TIME-WAIT", port).isEqualTo(HELLO);
    TsharkVerdict verdict = Tshark.analyse(capture, test);

    List<TsharkPacket> reused = verdict.filter(p -> p.has(TsharkPacket.REUSED_PORTS));
    assertThat(reused).withFailMessage("one SYN flagged as reused ports: %s", verdict).hasSize(1)
        .allMatch(p -> p.hasFlag(TsharkPacket.SYN) && !p.hasFlag(TsharkPacket.ACK)
            && p.source().equals(net.hostAddress().getHostAddress()));
    List<TsharkPacket> trouble = verdict.filter(p -> p.hasFlag(TsharkPacket.RST) || TsharkVerdict.TROUBLE.stream()
        .anyMatch(f -> p.has(f) && !f.equals(TsharkPacket.REUSED_PORTS)));
    assertThat(trouble).withFailMessage("tshark's findings: %s", verdict.describe(trouble)).isEmpty();
    assertThat(verdict.filter(p -> p.hasFlag(TsharkPacket.SYN) && p.hasFlag(TsharkPacket.ACK))).as("SYN+ACKs")
        .hasSize(2);
  }

  /** A server that speaks and closes at once: the fake host's FIN first. */
  private static void helloAndClose(Server.Connection connection) throws Exception {
    connection.output().write(HELLO);
    connection.close();
  }

  /**
   * Waits until the host's sockets on {@code host} are closed or in TIME-WAIT: after our FIN in reply to
   * the fake host's, ours is in LAST-ACK until its ACK comes, and a connect from that port fails
   * (EADDRNOTAVAIL) and the capture misses that ACK until then.
   */
  private static void awaitOnlyTimeWait(InetAddress host) throws Exception {
    String local = host.getHostAddress() + ":";
    String sockets = "";
    for (int i = 0; i < 100; i++) {
      Process ss = new ProcessBuilder("ss", "-tanH").redirectErrorStream(true).start();
      sockets = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor();
      if (sockets.lines().noneMatch(l -> l.contains(local) && !l.startsWith("TIME-WAIT"))) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the host's sockets did not close within 1 s:\n" + sockets);
  }

  /** Echoes a few bytes, then closes: our FIN first. */
  private static void hostClosesFirst(InetSocketAddress echo) throws Exception {
    try (Socket socket = new Socket(echo.getAddress(), echo.getPort())) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(HELLO);
      assertThat(socket.getInputStream().readNBytes(HELLO.length)).isEqualTo(HELLO);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("the echo host's FIN").isEqualTo(-1);
    }
  }

  /** Reads the server's answer to its FIN, then closes ours; from {@code local} when given. */
  private static byte[] fakeHostClosesFirst(InetSocketAddress server, InetSocketAddress local) throws Exception {
    try (Socket socket = new Socket()) {
      if (local != null) {
        socket.setReuseAddress(true);
        socket.bind(local);
      }
      socket.connect(server, 2000);
      socket.setSoTimeout(2000);
      return socket.getInputStream().readAllBytes();
    }
  }

  /** A FIN from each side, each acknowledged, the last segment an ACK of the second FIN. */
  private static void assertClosed(TsharkVerdict verdict, String name, List<TsharkPacket> packets) {
    List<TsharkPacket> fins = packets.stream().filter(p -> p.hasFlag(TsharkPacket.FIN)).toList();
    assertThat(fins).withFailMessage("%s: one FIN from each side: %s", name, verdict.describe(packets))
        .hasSize(2).extracting(TsharkPacket::source).doesNotHaveDuplicates();
    TsharkPacket second = fins.get(1);
    TsharkPacket last = packets.get(packets.size() - 1);
    assertThat(last.hasFlag(TsharkPacket.FIN) || last.hasFlag(TsharkPacket.SYN) || last.length() > 0)
        .withFailMessage("%s: the last segment is a bare ACK: %s", name, verdict.describe(packets)).isFalse();
    assertThat(last.ack())
        .withFailMessage("%s: the last ACK covers the second FIN: %s", name, verdict.describe(packets))
        .isEqualTo(second.seq() + second.length() + 1);
    assertThat(last.source()).isNotEqualTo(second.source());
    assertThat(fins.get(0).experts()).as("tshark's label of the first FIN, %s", fins.get(0).line())
        .anyMatch(e -> e.message().equals("This frame initiates the connection closing"));
  }
}
