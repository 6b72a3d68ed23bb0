package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The faults that name a direction ({@code latency-in}, {@code loss-out}, {@code bandwidth-out}) and
 * {@code drop-nth}, as a kernel client sees them: each acts on its direction only.
 */
@ExtendWith(RequiresTun.class)
class DirectionalFaultTest {
  // A subnet of its own: lossy sockets' late retransmissions find no route instead of another test's peer.
  private static final Subnet SUBNET = Subnet.parse("192.168.89.0/24");

  @Test
  void latencyInDelaysWhatTheHostSendsConnectsPingsAndRoundTrips() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("latency-in=100ms"), null, null)) {
      long start = System.nanoTime();
      try (Socket socket = new Socket(f.address(5), 7)) {
        // Never sooner than the latency; the upper bounds are loose (a wall clock past them measures a
        // loaded machine): which packets the fault held is the events' business (below), how
        // precisely, PacketFaultTest's on the peer's clock.
        assertThat(millisSince(start)).as("connect: the SYN reaches the fake host 100 ms late").isBetween(100L, 1000L);
        socket.setTcpNoDelay(true);
        for (int i = 0; i < 3; i++) {
          long sent = System.nanoTime();
          socket.getOutputStream().write(i);
          assertThat(socket.getInputStream().read()).isEqualTo(i);
          assertThat(millisSince(sent)).as("round trip %d", i).isBetween(100L, 1000L);
        }
      }
      long ping = System.nanoTime();
      assertThat(InetAddress.getByName(f.address(6)).isReachable(2000)).isTrue();
      assertThat(millisSince(ping)).as("ping").isBetween(100L, 1000L);
      assertThat(f.faultEvents).isNotEmpty().allMatch(e -> e.startsWith("DELAYED latency-in=100ms IP 192.168.89.1"),
          "delays of the host's packets only");
    }
  }

  @Test
  void lossOutDropsOnlyWhatTheFakeHostSendsAndTheEngineRetransmitsIt() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("loss-out=20%", "seed=3"), null, null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      for (int i = 0; i < 20; i++) {
        socket.getOutputStream().write(new byte[] {(byte) i, (byte) (i + 1)});
        assertThat(new DataInputStream(socket.getInputStream()).readNBytes(2)).containsExactly(i, i + 1);
      }
      assertThat(f.faultEvents).isNotEmpty().allMatch(e -> e.startsWith("DROPPED loss-out=20% IP 192.168.89.5"),
          "drops of the fake host's packets only");
    }
  }

  @Test
  void dropNthLosesEveryNthPacketOfTheHostAndTheKernelRetransmits() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("drop-nth=4"), null, null);
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      for (int i = 0; i < 6; i++) {
        socket.getOutputStream().write(new byte[] {(byte) i});
        assertThat(socket.getInputStream().read()).isEqualTo(i);
      }
      // The listener sees every packet of the host, the dropped ones too: each 4th of them is a drop.
      FakePeerTest.await(() -> f.faultEvents.size() == f.received.size() / 4, "the drops recorded");
      List<byte[]> received = List.copyOf(f.received);
      List<byte[]> dropped = List.copyOf(f.faultPackets);
      assertThat(dropped).isNotEmpty();
      for (int k = 0; k < dropped.size(); k++) {
        assertThat(dropped.get(k)).as("drop %d is the host's packet %d", k, 4 * k + 4).isEqualTo(received.get(4 * k + 3));
      }
      assertThat(f.faultEvents).allMatch(e -> e.startsWith("DROPPED drop-nth=4 IP 192.168.89.1"), "the host's packets");
      assertThat(f.peer.faultActions().get(Fault.parse("drop-nth=4"))).isGreaterThanOrEqualTo(dropped.size());
    }
  }

  @Test
  void bandwidthOutLimitsWhatTheFakeHostSends() throws Exception {
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFaults("bandwidth-out=2MB/s"), null,
        (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 7)) {
      byte[] data = new byte[1_000_000];
      new Random(4).nextBytes(data);
      AtomicReference<IOException> failed = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          socket.getOutputStream().write(data);
        } catch (IOException e) {
          failed.set(e);
        }
      });
      long start = System.nanoTime();
      writer.start();
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      byte[] back = in.readNBytes(data.length);
      long elapsed = millisSince(start);
      writer.join(10_000);
      assertThat(failed.get()).isNull();
      assertThat(Arrays.equals(back, data)).as("echoed unchanged").isTrue();
      assertThat(elapsed).as("1 MB echoed at 2 MB/s").isBetween(480L, 3000L);
    }
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
