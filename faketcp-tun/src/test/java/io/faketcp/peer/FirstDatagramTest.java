package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first UDP datagram a kernel socket sends the moment a dual-stack network is up is echoed, over
 * IPv6 as over IPv4, every time: UDP is not retransmitted, so a device not yet ready shows as a loss.
 * {@code -Dfaketcp.test.firstDatagramRounds=N} repeats it N times (default 20) to count losses.
 */
@ExtendWith(RequiresTun.class)
class FirstDatagramTest {
  private static final int ROUNDS = Integer.getInteger("faketcp.test.firstDatagramRounds", 20);
  private static final Subnet SUBNET = Subnet.parse("192.168.103.0/24");
  private static final String SUBNET6 = "fd00:103::/64";

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theFirstDatagramAfterOpenIsEchoed(boolean ipv6) throws Exception {
    DatagramPacket back = new DatagramPacket(new byte[256], 256);
    int lost = 0;
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), 0))) {
      socket.setSoTimeout(1000);
      for (int round = 0; round < ROUNDS; round++) {
        byte[] text = ("round " + round).getBytes(StandardCharsets.US_ASCII);
        try (PeerFixture f = new PeerFixture(SUBNET, SUBNET6, Rules.of(Mode.ECHO))) {
          String echo = ipv6 ? f.address6(7) : f.address(7);
          socket.send(new DatagramPacket(text, text.length, new InetSocketAddress(echo, 7)));
          if (!echoed(socket, back, text)) {
            lost++;
          }
        }
      }
    }
    assertThat(lost).as("first datagrams lost of %d (%s)", ROUNDS, ipv6 ? "IPv6" : "IPv4").isZero();
  }

  /** Whether {@code text} comes back within the socket's timeout (earlier rounds' late echoes skipped). */
  private static boolean echoed(DatagramSocket socket, DatagramPacket back, byte[] text) throws Exception {
    try {
      while (true) {
        back.setLength(back.getData().length);
        socket.receive(back);
        if (java.util.Arrays.equals(back.getData(), 0, back.getLength(), text, 0, text.length)) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    }
  }
}
