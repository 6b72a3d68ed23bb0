package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bandwidth fault's link keeps to its schedule when the peer thread is late (a GC pause, no free
 * core, a JIT still compiling), and only then: kernel sockets through a real tun device.
 */
@ExtendWith(RequiresTun.class)
class LinkCatchUpTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.87.0/24");

  @Test
  void aLinkWhosePeerWasLateCatchesUpAndTheTransferTakesItsSizeOverTheRate() throws Exception {
    // 50,000 bytes at 50 KB/s: 1 s. Below 64 KB/s the host keeps one segment in flight, so each one
    // waits for the fake host's ACK of the one before. The responder holds the peer thread 25 ms
    // when every third data segment leaves the link: the ACK goes out late, the host's next segment
    // finds the link idle. Before, the link lost those 25 ms each time: 1.29 s. Now it counts the
    // next segment as if the ACK had been on time: 1.07-1.09 s (the rest is the host's own pacing).
    AtomicInteger segments = new AtomicInteger();
    Responder latePeer = lateOnEveryThirdSegment(segments);
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.DISCARD).withFaults("bandwidth-in=50KB/s"), latePeer,
        (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 9)) {
      socket.setSoTimeout(10_000);
      long start = System.nanoTime();
      socket.getOutputStream().write(new byte[50_000]);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("the fake host's FIN, after the last byte").isEqualTo(-1);
      long elapsed = millisSince(start);
      assertThat(segments.get()).as("data segments").isGreaterThan(30);
      // never faster than the rate; how much slower is the machine's as much as the link's (a loaded
      // runner), so the catch-up itself is read from what the link did with each segment (below)
      assertThat(elapsed).as("ms for 50,000 bytes at 50 KB/s, the peer late %d times by 25 ms", segments.get() / 3)
          .isBetween(990L, 2000L);
      // With one segment in flight each finds the link idle, and the link holds it its transmission
      // time (its bytes over 50 KB/s: 29 ms for 1,460) from its arrival. The one after a late ACK
      // finds the link's schedule 25 ms behind and is held only what is left of that time, if any;
      // without the catch-up, its whole transmission time again.
      List<long[]> held = heldMillisAndBytes(f);
      assertThat(held.stream().filter(h -> h[0] <= h[1] * 1000 / 50_000 - 10).count())
          .as("segments the link carried on at once after a late ACK, of (ms held, bytes) %s",
              held.stream().map(h -> h[0] + " " + h[1]).collect(Collectors.toList()))
          .isGreaterThanOrEqualTo(segments.get() / 3 - 2);
    }
  }

  @Test
  void aSenderIdleOfItsOwnAccordGetsNoCredit() throws Exception {
    // 25,000 bytes, a pause of the host's own (longer than CATCH_UP_NANOS), 25,000 more: the second
    // half still takes 0.5 s.
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.DISCARD).withFaults("bandwidth-in=50KB/s"), null,
        (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 9)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(new byte[25_000]);
      FakePeerTest.await(() -> FakePeerTest.sendQueue(socket) == 0, "the first half acknowledged");
      Thread.sleep(200);
      long start = System.nanoTime();
      socket.getOutputStream().write(new byte[25_000]);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("the fake host's FIN, after the last byte").isEqualTo(-1);
      assertThat(millisSince(start)).as("ms for the second 25,000 bytes at 50 KB/s").isGreaterThanOrEqualTo(495L);
    }
  }

  @Test
  void aNewConnectionGetsNoCreditFromTheLatenessOfTheOneBefore() throws Exception {
    // 25,000 bytes with the peer late as above, then at once 25,000 more on a new connection: the
    // second transfer takes its 0.5 s, whatever the first left owing.
    AtomicInteger segments = new AtomicInteger();
    Responder latePeer = lateOnEveryThirdSegment(segments);
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.DISCARD).withFaults("bandwidth-in=50KB/s"), latePeer,
        (direction, packet) -> { })) {
      for (int transfer = 1; transfer <= 2; transfer++) {
        try (Socket socket = new Socket(f.address(5), 9)) {
          socket.setSoTimeout(10_000);
          long start = System.nanoTime();
          socket.getOutputStream().write(new byte[25_000]);
          socket.shutdownOutput();
          assertThat(socket.getInputStream().read()).as("the fake host's FIN, after the last byte").isEqualTo(-1);
          assertThat(millisSince(start)).as("ms for transfer %d, 25,000 bytes at 50 KB/s", transfer)
              .isGreaterThanOrEqualTo(495L);
        }
      }
    }
  }

  /** Holds the peer thread 25 ms when every third data segment leaves the link, counting them in {@code segments}. */
  private static Responder lateOnEveryThirdSegment(AtomicInteger segments) {
    return (ip, out) -> {
      if (ip.protocol() == IpProtocol.TCP && TcpSegment.wrap(ip).payloadLength() > 0
          && segments.incrementAndGet() % 3 == 0) {
        Thread.sleep(25);
      }
      return false;
    };
  }

  /** How long the link held each data segment from its arrival (ms), as the fault reported it, and its bytes. */
  private static List<long[]> heldMillisAndBytes(PeerFixture f) {
    return f.faultDelays.stream().filter(e -> e.startsWith("DELAYED ") && !e.endsWith(", length 0"))
        .map(e -> new long[] {Long.parseLong(e.split(" ")[1]) / 1_000_000,
            Long.parseLong(e.substring(e.lastIndexOf(' ') + 1))})
        .collect(Collectors.toList());
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
