package io.faketcp.peer.internal.timing;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IpProtocol;
import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel's time of each packet the host sends to the device ({@link ArrivalStamps}): a datagram
 * of a kernel socket, read from a real tun device some time after it was sent, is dated within its
 * send call, not at its read. Orderings only: the wait between the send and the read is the test's own.
 */
@ExtendWith(RequiresTun.class)
class ArrivalStampsTest {
  private static final long WAIT_MILLIS = 30;
  /** How far the clocks' conversion may put a stamp outside the send call (the wall clock's step). */
  private static final long SLACK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  @Test
  void aPacketIsDatedWhenTheHostSentItNotWhenItWasRead() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.141.0/24")).open();
        ArrivalStamps stamps = ArrivalStamps.open(tun.name());
        DatagramSocket socket = new DatagramSocket()) {
      assertThat(stamps).as("a packet ring (the build's namespace gives CAP_NET_RAW)").isNotNull();
      long before = System.nanoTime();
      socket.send(datagram(tun, 1));
      long sent = System.nanoTime();
      Thread.sleep(WAIT_MILLIS); // the packet waits in the device, as while the peer is busy or asleep
      ByteBuffer in = ByteBuffer.allocateDirect(tun.mtu());
      int n = readDatagram(tun, in, stamps, new ArrayList<>());
      long read = System.nanoTime();
      long stampedBefore = stamps.stamped; // the host's other packets, if any (router solicitations)
      long stamp = stamps.arrival(in, n);
      assertThat(stamp).as("dated within the send call").isBetween(before - SLACK_NANOS, sent + SLACK_NANOS);
      assertThat(read - stamp).as("the wait in the device is before the read").isGreaterThanOrEqualTo(
          TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS) - SLACK_NANOS);
      assertThat(stamps.stamped).isEqualTo(stampedBefore + 1);
    }
  }

  @Test
  void packetsTheReaderNeverLooksUpArePassedOverAndAnUnknownOneIsNotDated() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.142.0/24")).open();
        ArrivalStamps stamps = ArrivalStamps.open(tun.name());
        DatagramSocket socket = new DatagramSocket()) {
      assertThat(stamps).isNotNull();
      long[] sends = new long[4];
      for (int i = 1; i <= 3; i++) {
        socket.send(datagram(tun, i));
        sends[i] = System.nanoTime();
        Thread.sleep(2);
      }
      ByteBuffer in = ByteBuffer.allocateDirect(tun.mtu());
      List<Integer> seen = new ArrayList<>();
      int n = 0;
      while (seen.size() < 3) { // the first two are read and not looked up: as if the device had dropped them
        n = readDatagram(tun, in, stamps, seen);
      }
      ByteBuffer unknown = ByteBuffer.allocateDirect(n);
      for (int i = 0; i < n; i++) {
        unknown.put(i, (byte) ~in.get(i));
      }
      long stampedBefore = stamps.stamped; // the host's other packets, if any (router solicitations)
      long unstampedBefore = stamps.unstamped;
      assertThat(stamps.arrival(unknown, n)).as("not a packet of the host's").isEqualTo(ArrivalClock.NONE);
      long stamp = stamps.arrival(in, n);
      assertThat(stamp).as("the third, past the first two").isBetween(sends[2], sends[3] + SLACK_NANOS);
      assertThat(stamps.stamped).isEqualTo(stampedBefore + 1);
      assertThat(stamps.unstamped).isEqualTo(unstampedBefore + 1);
    }
  }

  @Test
  void withoutTheDeviceThereIsNoRingAndTheArrivalClockStands() {
    assertThat(ArrivalStamps.open("ftcp-none0")).isNull();
  }

  @Test
  void aPeerKeepsTheRingOnlyWhileALatencyIsSet() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.143.0/24")).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ECHO)).start()) {
      int index = io.faketcp.tun.internal.LibC.if_nametoindex(tun.name());
      assertThat(packetSockets(index)).as("no fault: no packet socket on the device").isZero();
      peer.fault(Fault.parse("latency=10ms"));
      awaitPacketSockets(index, 1);
      peer.clearFaults();
      awaitPacketSockets(index, 0);
    }
  }

  /** Waits up to 5 s for {@code count} packet sockets bound to the interface of index {@code index}. */
  private static void awaitPacketSockets(int index, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (packetSockets(index) != count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(packetSockets(index)).as("packet sockets on the device").isEqualTo(count);
  }

  /** The packet sockets bound to interface {@code index}, as {@code /proc/net/packet} lists them (Iface, 5th column). */
  private static long packetSockets(int index) throws Exception {
    return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/packet")).stream().skip(1)
        .map(line -> line.trim().split("\\s+")).filter(f -> f.length > 4 && f[4].equals(Integer.toString(index)))
        .count();
  }

  private static DatagramPacket datagram(TunDevice tun, int value) {
    return new DatagramPacket(new byte[] {(byte) value}, 1, new InetSocketAddress(tun.subnet().address(5), 9));
  }

  /**
   * Reads packets until a UDP datagram to port 9 (the host may send others: router solicitations);
   * the others are looked up in {@code stamps} as the peer would; returns its length, its value added to {@code seen}.
   */
  private static int readDatagram(TunDevice tun, ByteBuffer in, ArrivalStamps stamps, List<Integer> seen) {
    while (true) {
      assertThat(tun.awaitReadable(2000)).as("a packet of the host's").isTrue();
      int n = tun.read(in);
      if (n >= 29 && (in.get(0) >> 4) == 4 && in.get(9) == IpProtocol.UDP && in.getShort(22) == 9) {
        seen.add((int) in.get(28));
        return n;
      }
      if (n > 0) {
        stamps.arrival(in, n);
      }
    }
  }
}
