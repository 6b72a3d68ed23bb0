package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A dual-stack fake network: kernel IPv6 and IPv4 sockets side by side, captured and asserted on. */
@FakeNetwork(subnet = "192.168.90.0/24", subnet6 = "fd00:90::/64", mode = Mode.ECHO,
    faults = {"unreachable=port@[fd00:90::9]:*", "latency=200ms@ipv6", "mtu=1280@[fd00:90::12]:*"})
class DualStackTest {

  @Test
  void theNetworkHasBothFamiliesAndEchoesOnEach(NetworkInfo net, Capture capture) throws Exception {
    assertThat(net.subnet6()).hasValueSatisfying(s -> assertThat(s).hasToString("fd00:90::/64"));
    assertThat(net.hostAddress6()).isEqualTo(InetAddress.getByName("fd00:90::1"));
    assertThat(echo(net.address6(5), "six")).isEqualTo("six");
    assertThat(echo(net.address(5), "four")).isEqualTo("four");

    assertThat(capture).contains(PacketPattern.syn().to(net.address6(5), 7))
        .contains(PacketPattern.synAck().from(net.address6(5), 7))
        .contains(PacketPattern.data().from(net.address(5), 7));
    assertThat(capture.packets().conversations()).anySatisfy(c -> assertThat(c.server())
        .isEqualTo(new InetSocketAddress(net.address6(5), 7)));
  }

  @Test
  void faultsScopedToIpv6ActOnIpv6Only(NetworkInfo net, Capture capture) throws Exception {
    connect(net.address(6)).close();
    long start = System.nanoTime();
    connect(net.address6(6)).close();
    // at least the latency; by how much is the capture's mark below, the fault's own account
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("IPv6: 200 ms").isGreaterThanOrEqualTo(Duration.ofMillis(190));

    assertThatThrownBy(() -> connect(net.address6(9)).close()).isInstanceOf(ConnectException.class)
        .hasMessageContaining("refused");
    assertThat(capture).contains(PacketPattern.matching(p -> p.line().contains("ICMP6, destination unreachable"),
        "ICMPv6 destination unreachable"));
    // IPv4: no latency. The capture marks each packet a fault delayed (a bound on the time would measure
    // the machine's load instead).
    List<String> lines = capture.packets().transcript().lines().collect(Collectors.toList());
    assertThat(lines).filteredOn(l -> l.contains(" IP " + net.address(6).getHostAddress() + ".7 > ")).as("IPv4")
        .isNotEmpty().noneMatch(l -> l.contains("<- delayed"));
    assertThat(lines).filteredOn(l -> l.contains(" IP6 fd00:90::6.7 > ")).as("IPv6")
        .anyMatch(l -> l.contains("<- delayed 200000us by latency=200ms@ipv6"));
  }

  @Test
  void mtuSendsPacketTooBigAndTheSocketGoesOnWithSmallerPackets(NetworkInfo net, Capture capture) throws Exception {
    byte[] data = new byte[64 * 1024];
    new java.util.Random(12).nextBytes(data);
    try (Socket socket = connect(net.address6(0x12))) {
      socket.setSoTimeout(5000);
      java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          socket.getOutputStream().write(data);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(socket.getInputStream().readNBytes(data.length)).isEqualTo(data);
      writer.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(capture).contains(PacketPattern.packetTooBig().from(net.address6(0x12)));
  }

  @Test
  void pingReachesIpv6FakeHosts(NetworkInfo net) throws Exception {
    assertThat(net.address6(77).isReachable(2000)).isTrue();
  }

  private static Socket connect(InetAddress address) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(address, 7), 3000);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static String echo(InetAddress address, String text) throws IOException {
    try (Socket socket = connect(address)) {
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(text.getBytes());
      return new String(socket.getInputStream().readNBytes(text.length()));
    }
  }
}
