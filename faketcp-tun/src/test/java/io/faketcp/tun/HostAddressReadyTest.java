package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.UdpDatagram;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host's address takes packets the moment {@code open()} returns, on IPv6 as on IPv4: a datagram
 * a fake host writes to the device at once reaches a kernel socket, every time. (Linux puts the local
 * route of an IPv6 address in place from a work queue, after the address itself; until then a packet
 * to the address is not for the host and is dropped.) {@code -Dfaketcp.test.readyRounds=N} repeats
 * it N times (default 50: before the fix a fifth of the IPv6 rounds lost their datagram).
 */
@ExtendWith(RequiresTun.class)
class HostAddressReadyTest {
  private static final int ROUNDS = Integer.getInteger("faketcp.test.readyRounds", 50);
  private static final Subnet SUBNET = Subnet.parse("192.168.102.0/24");
  private static final Subnet SUBNET6 = Subnet.parse("fd00:102::/64");

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aDatagramWrittenRightAfterOpenReachesTheHostsSocket(boolean ipv6) throws Exception {
    Subnet family = ipv6 ? SUBNET6 : SUBNET;
    ByteBuffer out = ByteBuffer.allocateDirect(256);
    DatagramPacket in = new DatagramPacket(new byte[256], 256);
    int lost = 0;
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), 0))) {
      socket.setSoTimeout(500);
      for (int round = 0; round < ROUNDS; round++) {
        String text = "round " + round;
        try (TunDevice tun = TunDevice.builder().subnet(SUBNET).subnet(SUBNET6).open()) {
          int length = UdpDatagram.builder().source(family.addressAt(5)).destination(family.host())
              .sourcePort(7).destinationPort(socket.getLocalPort())
              .payload(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))).writeTo(out, 0);
          tun.write(out, length);
          if (!receives(socket, in, text)) {
            lost++;
          }
        }
      }
    }
    assertThat(lost).as("datagrams lost of %d written right after open (%s)", ROUNDS, family).isZero();
  }

  /** The same for a device whose address was withdrawn and restored, as the JUnit pool reuses devices. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aDatagramWrittenRightAfterTheAddressIsRestoredReachesTheHostsSocket(boolean ipv6) throws Exception {
    Subnet family = ipv6 ? SUBNET6 : SUBNET;
    ByteBuffer out = ByteBuffer.allocateDirect(256);
    DatagramPacket in = new DatagramPacket(new byte[256], 256);
    int lost = 0;
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), 0));
        TunDevice tun = TunDevice.builder().subnet(SUBNET).subnet(SUBNET6).open()) {
      socket.setSoTimeout(500);
      for (int round = 0; round < ROUNDS; round++) {
        String text = "restored " + round;
        tun.withdrawAddress();
        tun.restoreAddress();
        int length = UdpDatagram.builder().source(family.addressAt(5)).destination(family.host())
            .sourcePort(7).destinationPort(socket.getLocalPort())
            .payload(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))).writeTo(out, 0);
        tun.write(out, length);
        if (!receives(socket, in, text)) {
          lost++;
        }
      }
    }
    assertThat(lost).as("datagrams lost of %d written right after the restore (%s)", ROUNDS, family).isZero();
  }

  /** Whether {@code text} arrives within the socket's timeout (earlier rounds' late ones skipped). */
  private static boolean receives(DatagramSocket socket, DatagramPacket in, String text) throws Exception {
    try {
      while (true) {
        in.setLength(in.getData().length);
        socket.receive(in);
        if (new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII).equals(text)) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    }
  }
}
