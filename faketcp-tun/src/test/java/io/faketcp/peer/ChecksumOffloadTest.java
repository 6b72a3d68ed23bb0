package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A device with checksum offload ({@code IFF_VNET_HDR}, {@code TUNSETOFFLOAD(TUN_F_CSUM)}): the host's
 * packets come with partial checksums and the peer sends its segments so, and a connection still
 * carries every byte; whoever looks at the packets (a listener) sees complete checksums, and a
 * crafted segment with a bad checksum is still refused.
 */
@ExtendWith(RequiresTun.class)
class ChecksumOffloadTest {

  @Test
  void anIpv6SubnetRefusesChecksumOffloadSayingWhy() {
    assertThatThrownBy(() -> TunDevice.builder().subnet(Subnet.parse("fd00:fa:ce::/64")).checksumOffload(true).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fd00:fa:ce::/64").hasMessageContaining("IPv4 only");
  }

  @Test
  void theHostsSynComesWithOnlyThePseudoHeadersSumWhichTheReaderCompletes() throws Exception {
    for (boolean offload : new boolean[] {true, false}) {
      try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.97.0/24")).checksumOffload(offload).open();
          SocketChannel client = SocketChannel.open()) {
        assertThat(tun.checksumOffload()).isEqualTo(offload);
        client.configureBlocking(false);
        client.connect(new InetSocketAddress("192.168.97.9", 80));
        ByteBuffer in = ByteBuffer.allocateDirect(65536);
        int n = 0;
        while (n == 0 || in.get(9) != IpProtocol.TCP) {
          assertThat(tun.awaitReadable(2000)).as("the SYN").isTrue();
          n = tun.read(in);
        }
        assertThat(in.get(20 + 13) & TcpSegment.SYN).isNotZero();
        int valid = Checksum.tcpUdp(in, 0, IpProtocol.TCP, 20, n - 20);
        assertThat(tun.checksumPending()).as("checksum pending, offload " + offload).isEqualTo(offload);
        if (!offload) {
          assertThat(valid).as("a complete checksum").isZero();
          continue;
        }
        assertThat(valid).as("a partial checksum").isNotZero();
        in.putShort(20 + 16, (short) Checksum.compute(in, 20, n - 20)); // the field's pseudo-header sum is summed too
        assertThat(Checksum.tcpUdp(in, 0, IpProtocol.TCP, 20, n - 20)).as("completed").isZero();
      }
    }
  }

  @Test
  void anEchoConnectionCarriesEveryByteWithChecksumsLeftToTheDevice() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.98.0/24")).mtu(65535).checksumOffload(true).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ECHO)).start()) {
      echo(tun, 8 << 20);
      assertThat(peer.counters().badPackets()).isZero();
      assertThat(peer.failure()).isEmpty();
    }
  }

  @Test
  void aServerEchoesEveryByteWithChecksumsLeftToTheDeviceAtBothMtus() throws Exception {
    for (int mtu : new int[] {65535, 1500}) {
      try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.97.0/24")).mtu(mtu).checksumOffload(true).open();
          FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.REJECT).with(Rule.of("*", "7", Server.echo()))).start()) {
        echo(tun, mtu == 65535 ? 8 << 20 : 2 << 20); // its output's blocks are not summed: the device completes the sums
        assertThat(peer.counters().badPackets()).as("MTU %d", mtu).isZero();
        assertThat(peer.failure()).isEmpty();
      }
    }
  }

  @Test
  void aListenerSeesCompleteChecksumsOfAServersSegments() throws Exception {
    List<String> bad = new CopyOnWriteArrayList<>();
    int[] seen = new int[1];
    PacketListener listener = checksumChecker(bad, seen);
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.96.0/24")).mtu(65535).checksumOffload(true).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.REJECT).with(Rule.of("*", "7", Server.echo())))
            .listener(listener).start()) {
      echo(tun, 2 << 20);
      assertThat(seen[0]).isGreaterThan(30);
      assertThat(bad).isEmpty();
    }
  }

  @Test
  void aListenerSeesCompleteChecksumsBothWays() throws Exception {
    List<String> bad = new CopyOnWriteArrayList<>();
    int[] seen = new int[1];
    PacketListener listener = checksumChecker(bad, seen);
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.99.0/24")).checksumOffload(true).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ECHO)).listener(listener).start()) {
      echo(tun, 1 << 20);
      assertThat(seen[0]).isGreaterThan(100);
      assertThat(bad).isEmpty();
    }
  }

  @Test
  void aCraftedSegmentWithABadChecksumIsStillRefused() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.100.0/24")).checksumOffload(true).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ACCEPT)).start();
        RawSocket raw = new RawSocket()) {
      byte[] segment = TcpSegment.builder().source(tun.subnet().hostAddress()).destination(tun.subnet().address(9))
          .sourcePort(40002).destinationPort(80).sequenceNumber(1000).acknowledgmentNumber(5000)
          .flags(TcpSegment.ACK).build();
      segment[20 + 16] ^= 0x5a; // the checksum, spoiled
      raw.send(segment);
      FakePeerTest.await(() -> peer.counters().badPackets() == 1, "the segment counted bad");
      assertThat(peer.counters().resetsSent()).as("no RST for a segment refused").isZero();
    }
  }

  /** A listener that counts the TCP segments it sees in {@code seen} and adds those whose checksum is not complete to {@code bad}. */
  private static PacketListener checksumChecker(List<String> bad, int[] seen) {
    return (direction, packet) -> {
      ByteBuffer p = packet.slice();
      if (p.get(9) == IpProtocol.TCP) {
        seen[0]++;
        if (Checksum.tcpUdp(p, 0, IpProtocol.TCP, 20, p.remaining() - 20) != 0) {
          bad.add(direction + " " + io.faketcp.packet.Tcpdump.format(p));
        }
      }
    };
  }

  /** Writes {@code size} patterned bytes to fake host .5's ECHO service and checks what comes back. */
  private static void echo(TunDevice tun, int size) throws Exception {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31 + i / 65536);
    }
    try (Socket socket = new Socket(tun.subnet().address(5), 7)) {
      socket.setSoTimeout(10_000);
      var written = ServerTest.inThread("writer", () -> socket.getOutputStream().write(data));
      InputStream in = socket.getInputStream();
      byte[] back = in.readNBytes(size);
      written.get(10, TimeUnit.SECONDS);
      assertThat(back).isEqualTo(data);
    }
  }
}
