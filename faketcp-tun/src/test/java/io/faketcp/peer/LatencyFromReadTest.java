package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A latency counts from when the host sent the packet to the device (the kernel's time, {@link
 * ArrivalStamps}), or at the latest from when the peer read it: the time the packet waited in the
 * device and the time the peer then takes before a fake host answers (a fresh JVM's code, a slow
 * batch) are part of the latency, not added to it. Kernel sockets through a real tun device.
 */
@ExtendWith(RequiresTun.class)
class LatencyFromReadTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.88.0/24");

  @Test
  void thePeersOwnTimeAfterReadingAPacketIsPartOfTheLatency() throws Exception {
    // Two segments back to back; the responder holds the peer thread 40 ms on each data segment. The
    // second waits in the device for the first's 40 ms, is read, held 40 ms itself, then echoed.
    // Counted from when the host sent it, its echo is due 50 ms after that and leaves as soon as the
    // peer is done with it, 80 ms after (counted from its read, 40 + 50 ms: 99 ms here; from when the
    // peer was done with it, 40 + 40 + 50 ms: 133 ms).
    Responder slowPeer = (ip, out) -> {
      if (ip.protocol() == IpProtocol.TCP && TcpSegment.wrap(ip).payloadLength() > 0) {
        Thread.sleep(40);
      }
      return false;
    };
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("latency=50ms"), slowPeer,
        (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(0);
      assertThat(in.read()).isZero(); // the connection and its first exchange, once
      long start = System.nanoTime();
      out.write(1);
      out.write(2);
      assertThat(in.read()).isEqualTo(1);
      assertThat(in.read()).isEqualTo(2);
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsed).as("ms until the second byte came back: due 50 ms after it was sent, the peer busy 80 ms")
          .isBetween(80L, 118L);
    }
  }
}
