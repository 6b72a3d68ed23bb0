package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.internal.DeviceAccess;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A device with a large MTU marks the peer's own checksums (a virtio_net_hdr with
 * {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}), and the kernel then takes them unchecked: shown with a SYN whose
 * checksum is wrong, which the host answers when it is marked and drops when it is not. A device with
 * a small MTU has no such header and refuses to mark.
 */
@ExtendWith(RequiresTun.class)
class OwnChecksumTest {
  private static final DeviceAccess<TunDevice> ACCESS = DeviceAccess.get();

  @Test
  void aMarkedChecksumIsTakenUncheckedAnUnmarkedOneIsChecked() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.95.0/24")).mtu(65535).open();
        ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(tun.subnet().hostAddress(), 8080));
      assertThat(ACCESS.ownChecksums(tun)).as("an MTU of 65,535 marks checksums").isTrue();
      long errors = EchoChecksumTest.tcpCounter("InCsumErrors");

      ByteBuffer unmarked = badSyn(tun, 40001);
      tun.write(unmarked, unmarked.capacity());
      assertThat(synAckTo(tun, 40001)).as("an answer to the unmarked SYN with a bad checksum").isFalse();
      assertThat(EchoChecksumTest.tcpCounter("InCsumErrors") - errors).as("the kernel's checksum errors").isEqualTo(1);

      ByteBuffer marked = badSyn(tun, 40002);
      ACCESS.writeOwnChecksum(tun, marked, marked.capacity(), 20, 16);
      assertThat(synAckTo(tun, 40002)).as("an answer to the marked SYN with a bad checksum").isTrue();
    }
  }

  @Test
  void aSmallMtuDeviceHasNoHeaderToMarkChecksumsIn() {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.96.0/24")).open()) {
      assertThat(ACCESS.ownChecksums(tun)).isFalse();
      ByteBuffer syn = badSyn(tun, 40003);
      assertThatThrownBy(() -> ACCESS.writeOwnChecksum(tun, syn, syn.capacity(), 20, 16))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("MTU 1500");
    }
  }

  /** A SYN from fake host .9 to the host's port 8080, its TCP checksum spoiled, in a direct buffer. */
  private static ByteBuffer badSyn(TunDevice tun, int port) {
    byte[] segment = TcpSegment.builder().source(tun.subnet().address(9)).destination(tun.subnet().hostAddress())
        .sourcePort(port).destinationPort(8080).sequenceNumber(1000).flags(TcpSegment.SYN).window(65535)
        .mss(1460).build();
    segment[20 + 16] ^= 0x5a;
    return ByteBuffer.allocateDirect(segment.length).put(segment).clear();
  }

  /** Whether the host answers port {@code port} with a SYN+ACK within 300 ms. */
  private static boolean synAckTo(TunDevice tun, int port) {
    ByteBuffer in = ByteBuffer.allocateDirect(65536);
    long deadline = System.nanoTime() + 300_000_000L;
    while (System.nanoTime() < deadline) {
      if (!tun.awaitReadable(50) || tun.read(in) == 0) {
        continue;
      }
      if (in.get(9) == IpProtocol.TCP && (in.getShort(22) & 0xffff) == port
          && (in.get(33) & (TcpSegment.SYN | TcpSegment.ACK)) == (TcpSegment.SYN | TcpSegment.ACK)) {
        return true;
      }
    }
    return false;
  }
}
