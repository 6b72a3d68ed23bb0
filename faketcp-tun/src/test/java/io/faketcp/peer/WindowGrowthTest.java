package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Windows and buffers like a Linux host's, seen by kernel sockets: an ECHO connection takes a
 * megabyte before its client reads, and a download through {@code latency=50ms} is not held to
 * 64 KiB per round trip (window scaling negotiated, buffers grown with use).
 */
@ExtendWith(RequiresTun.class)
class WindowGrowthTest {

  /** Issue 18, item 4: a fresh ECHO connection used to stall after about 210 KB. */
  @Test
  void aFreshEchoConnectionTakesAMegabyteBeforeItsClientReads() throws Exception {
    try (PeerFixture f = new PeerFixture(Subnet.parse("192.168.94.0/24"), Rules.of(Mode.ECHO), null, (d, p) -> { })) {
      byte[] megabyte = new byte[1 << 20];
      for (int i = 0; i < megabyte.length; i++) {
        megabyte[i] = (byte) (i * 7 + i / 4096);
      }
      for (int round = 0; round < 10; round++) {
        try (Socket socket = new Socket(f.address(5), 7)) {
          socket.setSoTimeout(10_000);
          var written = ServerTest.inThread("writer", () -> socket.getOutputStream().write(megabyte));
          written.get(10, TimeUnit.SECONDS); // the whole megabyte written before a byte is read
          byte[] back = socket.getInputStream().readNBytes(megabyte.length);
          assertThat(back).as("round " + round).isEqualTo(megabyte);
        }
      }
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  /**
   * Four 16 MiB downloads from one peer: the best at 20 MB/s (issue 18), and none below 8 MB/s.
   * Successive downloads once got slower and slower (25, 17, 11, 5 MB/s): the fixture recorded every
   * delayed packet in a list that copied itself on each addition, on the peer's thread.
   */
  @Test
  void successiveDownloadsFromOnePeerThroughFiftyMillisecondsOfLatencyEachRunAtSpeed() throws Exception {
    int size = 16 << 20;
    Server download = connection -> {
      byte[] chunk = new byte[65536];
      OutputStream out = connection.output();
      for (int sent = 0; sent < size; sent += chunk.length) {
        out.write(chunk);
      }
      connection.close();
    };
    List<TcpSegment> syns = new CopyOnWriteArrayList<>();
    PacketListener handshakes = (direction, packet) -> {
      int at = packet.position();
      int flags = packet.get(at + (packet.get(at) & 0xf) * 4 + 13);
      if (packet.get(at + 9) == 6 && (flags & TcpSegment.SYN) != 0) { // only SYNs are copied: the peer's time is measured
        syns.add(tcp(packet));
      }
    };
    // The rate is set by how fast the host's receive window grows (Linux's autotuning follows what the
    // client read in each round trip), so a descheduled client or a cold JIT slows a round: the best
    // of four counts for the 20 MB/s; the floor of each says the peer does not slow down with use.
    List<Double> rates = new java.util.ArrayList<>();
    try (PeerFixture f = new PeerFixture(Subnet.parse("192.168.95.0/24"),
        Rules.of(Mode.REJECT).with(Rule.of("*", "80", download)).withFaults("latency=50ms"), null, handshakes)) {
      for (int round = 0; round < 4; round++) {
        rates.add(download(f.address(5), size));
      }
      assertThat(syns).as("the SYNs and SYN+ACKs").hasSizeGreaterThanOrEqualTo(8);
      assertThat(syns).allSatisfy(s -> assertThat(s.options().windowScale()).as("window scale in " + s).isPositive());
      assertThat(f.peer.failure()).isEmpty();
    }
    String all = rates.stream().map(r -> String.format("%.1f", r)).collect(java.util.stream.Collectors.joining(", "));
    assertThat(rates).as("MB/s of each download in turn (%s)", all).allSatisfy(r -> assertThat(r).isGreaterThanOrEqualTo(8));
    assertThat(java.util.Collections.max(rates)).as("MB/s, the best of four (%s)", all).isGreaterThanOrEqualTo(20);
  }

  /**
   * An upload to a {@link Server} that reads: its input buffer grows with what it reads, so through
   * {@code latency=50ms} the host is not held to 64 KiB per round trip (1.3 MB/s).
   */
  @Test
  void anUploadToAReadingServerThroughFiftyMillisecondsOfLatencyIsNotHeldTo64KiBPerRoundTrip() throws Exception {
    int size = 8 << 20;
    java.util.concurrent.CompletableFuture<Long> drained = new java.util.concurrent.CompletableFuture<>();
    Server sink = connection -> drained.complete(connection.input().transferTo(java.io.OutputStream.nullOutputStream()));
    try (PeerFixture f = new PeerFixture(Subnet.parse("192.168.96.0/24"),
        Rules.of(Mode.REJECT).with(Rule.of("*", "80", sink)).withFaults("latency=50ms"), null, (d, p) -> { });
        Socket socket = new Socket(f.address(5), 80)) {
      byte[] chunk = new byte[1 << 20];
      long start = System.nanoTime();
      for (int sent = 0; sent < size; sent += chunk.length) {
        socket.getOutputStream().write(chunk);
      }
      socket.shutdownOutput();
      assertThat(drained.get(20, TimeUnit.SECONDS)).isEqualTo(size);
      double rate = size / ((System.nanoTime() - start) / 1e9) / 1e6;
      assertThat(rate).as("MB/s uploaded (%s)", f.peer.counters()).isGreaterThanOrEqualTo(5);
    }
  }

  /**
   * DISCARD takes every byte as it comes, so its window grows with use as any other: a fixed 64 KiB
   * held {@code bandwidth-in} to 64 KiB per round trip, and at MTU 65,535 offered less than a segment
   * (the host then waited 200 ms each time for its persist timer).
   */
  @Test
  void aDiscardHostsWindowGrowsPastSixtyFourKibibytesWithUse() throws Exception {
    int[] largest = new int[1];
    PacketListener windows = (direction, packet) -> {
      int at = packet.position();
      int header = (packet.get(at) & 0xf) * 4;
      if (direction == Direction.FROM_PEER && packet.get(at + 9) == 6
          && (packet.get(at + header + 13) & TcpSegment.SYN) == 0) {
        largest[0] = Math.max(largest[0], (packet.getShort(at + header + 14) & 0xffff) << 7); // our scale: 7
      }
    };
    try (PeerFixture f = new PeerFixture(Subnet.parse("192.168.101.0/24"), Rules.of(Mode.DISCARD), null, windows);
        Socket socket = new Socket(f.address(5), 9)) {
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < 8; i++) {
        socket.getOutputStream().write(chunk);
      }
      socket.shutdownOutput();
      socket.setSoTimeout(10_000);
      assertThat(socket.getInputStream().read()).as("DISCARD's FIN").isEqualTo(-1);
      assertThat(largest[0]).as("the largest window offered, bytes").isGreaterThan(1 << 20);
    }
  }

  /** Downloads {@code size} bytes from {@code address}:80; returns MB/s from the first bytes to the end. */
  private static double download(String address, int size) throws Exception {
    try (Socket socket = new Socket(address, 80)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1 << 20];
      long read = in.read(buffer);
      long start = System.nanoTime(); // from the first bytes: the handshake and the server's start not counted
      for (int n; (n = in.read(buffer)) > 0; ) {
        read += n;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(read).isEqualTo(size);
      return size / seconds / 1e6;
    }
  }

  /** The segment in {@code packet}, copied (the listener's buffer is reused), or null. */
  private static TcpSegment tcp(ByteBuffer packet) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    try {
      Ipv4Packet ip = Ipv4Packet.wrap(bytes);
      return ip.protocol() == 6 ? TcpSegment.wrap(ip) : null;
    } catch (MalformedPacketException e) {
      return null;
    }
  }
}
