package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.Tcpdump;
import io.faketcp.tun.HostSockets;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No test sees another's traffic: a socket one fixture's test leaves closing, its FIN never
 * acknowledged, does not retransmit into the next fixture on the same subnet ({@link HostSockets}).
 */
@ExtendWith(RequiresTun.class)
class FixtureIsolationTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.93.0/24");

  @Test
  void aCloseLeftUnacknowledgedDoesNotReachTheNextFixtureOnTheSubnet() throws Exception {
    // The fake host never sees the host's FIN: the socket stays in FIN-WAIT-1 and retransmits it.
    Responder dropFins = (packet, out) -> packet.protocol() == 6 && TcpSegment.wrap(packet).fin();
    try (PeerFixture first = new PeerFixture(SUBNET, Rules.of(Mode.ACCEPT), dropFins, null)) {
      Socket socket = new Socket(first.address(5), 80);
      socket.close();
      assertThat(connectionsTo(SUBNET)).as("the host's socket, closing").isNotEmpty();
    }
    assertThat(connectionsTo(SUBNET)).as("the host's sockets to the subnet once the fixture closed").isEmpty();
    try (PeerFixture next = new PeerFixture(SUBNET, Rules.of(Mode.ACCEPT), null, null)) {
      Thread.sleep(1_000); // the kernel retransmits a FIN 200 ms after it, then 400 ms after that
      assertThat(tcpdump(next.received)).as("packets the next fixture's peer read").isEmpty();
      assertThat(tcpdump(next.sent)).as("packets the next fixture's peer wrote").isEmpty();
    }
  }

  @Test
  void afterAClassOnlyConnectionsOnLoopbackAreLeft() throws Exception {
    try (ServerSocket service = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket local = new Socket(InetAddress.getLoopbackAddress(), service.getLocalPort());
        Socket accepted = service.accept();
        PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ACCEPT), null, null);
        Socket fake = new Socket()) {
      fake.connect(new InetSocketAddress(f.address(5), 80), 5_000);
      HostSockets.endAllButLoopback();
      assertThat(connectionsTo(SUBNET)).as("to the fake subnet").isEmpty();
      local.getOutputStream().write('x');
      assertThat(accepted.getInputStream().read()).as("the loopback connection still carries data").isEqualTo('x');
    }
  }

  private static List<String> tcpdump(List<byte[]> packets) {
    return packets.stream().map(p -> Tcpdump.format(java.nio.ByteBuffer.wrap(p))).collect(Collectors.toList());
  }

  /** The host's connections (any state but LISTEN) to {@code subnet}, as ss prints them. */
  private static List<String> connectionsTo(Subnet subnet) throws IOException, InterruptedException {
    Process ss = new ProcessBuilder("ss", "--tcp", "--numeric", "--no-header", "state", "connected", "dst",
        subnet.toString()).redirectErrorStream(true).start();
    List<String> lines = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
        .lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    assertThat(ss.waitFor()).as("ss: %s", lines).isZero();
    return lines;
  }
}
