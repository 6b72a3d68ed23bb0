package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conformance of a fake host as a receiver, driven with crafted segments from the host's side
 * ({@link CraftedHost}) against ECHO: the acceptability test (RFC 9293 §3.10.7.4) and out-of-order
 * data answered with SACK blocks (RFC 2018, RFC 5681 §4.2).
 */
@ExtendWith(RequiresTun.class)
class ReceiveConformanceTest {
  /** The crafted host of a test: IPv4 here, IPv6 in {@code Ipv6ReceiveConformanceTest}. */
  CraftedHost host(Rules rules, int port) {
    return new CraftedHost(rules, port);
  }


  @Test
  void dataBeyondTheWindowIsAnsweredWithAnAckAndDropped() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 43001)) {
      host.open(1000, 65535);
      host.send(host.acking(TcpSegment.PSH).sequenceNumber(host.seq + 200_000).payload(CraftedHost.bytes(10, 1)));
      TcpSegment ack = host.next(s -> true, "an ACK");
      assertThat(ack.acknowledgmentNumber()).isEqualTo(host.seq);
      assertThat(ack.payloadLength()).isZero();
      assertThat(host.during(100)).as("nothing echoed").noneMatch(CraftedHost.withData());
    }
  }

  @Test
  void aKeepaliveGetsAnAckOfTheNextExpectedByte() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 43002)) {
      host.open(1000, 65535);
      host.send(host.acking(0).sequenceNumber(host.seq - 1).payload(new byte[1]));
      TcpSegment ack = host.next(s -> true, "the keepalive's ACK");
      assertThat(ack.acknowledgmentNumber()).isEqualTo(host.seq);
      assertThat(ack.sequenceNumber()).isEqualTo(host.peerNext);
      assertThat(host.during(100)).as("the old byte not echoed").noneMatch(CraftedHost.withData());
    }
  }

  @Test
  void anOutOfOrderSegmentIsAnsweredAtOnceWithADuplicateAckListingIt() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 43003)) {
      host.open(1000, 65535);
      long start = host.seq;
      host.send(host.acking(TcpSegment.PSH).sequenceNumber(start + 100).payload(CraftedHost.bytes(200, 1)));
      TcpSegment dup = host.next(s -> true, "a duplicate ACK");
      assertThat(dup.acknowledgmentNumber()).isEqualTo(start);
      assertThat(dup.options().sackBlockCount()).isEqualTo(1);
      assertThat(dup.options().sackLeft(0)).isEqualTo(start + 100);
      assertThat(dup.options().sackRight(0)).isEqualTo(start + 300);
      assertThat(host.during(100)).as("nothing echoed before the hole is filled").noneMatch(CraftedHost.withData());
    }
  }

  /** RFC 5681 §4.2: the segment that fills a hole is answered with an ACK of all the data now in order. */
  @Test
  void theSegmentThatFillsAHoleIsAnsweredWithTheWholeContiguousAck() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 43004)) {
      host.open(1000, 65535);
      long start = host.seq;
      host.send(host.acking(TcpSegment.PSH).sequenceNumber(start + 100).payload(CraftedHost.bytes(200, 1)));
      host.next(s -> s.acknowledgmentNumber() == start, "the duplicate ACK");
      host.data(CraftedHost.bytes(100, 9), 65535);
      host.next(s -> s.acknowledgmentNumber() == start + 300, "the whole data acknowledged");
      assertThat(host.segments()).as("no partial ACK of the filling segment alone")
          .noneMatch(s -> s.acknowledgmentNumber() == start + 100);
    }
  }

  /**
   * Out-of-order data is kept as far as the window offered reaches, as Linux keeps it up to its
   * receive buffer: with a window grown past 200 KB (window scaling), a hole and then 100 segments
   * (146 KB) after it. Each duplicate ACK lists all of them in one SACK block, and the segment that
   * fills the hole is answered with one ACK of everything. (A 64 KiB buffer dropped every segment
   * more than 64 KiB past the hole: never listed, it had to come again.)
   */
  @Test
  void outOfOrderDataFarBeyondAHoleIsKeptAsFarAsTheWindowReaches() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.DISCARD), 43006)) {
      host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS).sackPermitted(true)
          .windowScale(7), 512);
      long window = 0;
      for (int i = 0; i < 500 && window < 200_000; i++) { // in order: the window grows with use
        host.data(CraftedHost.bytes(CraftedHost.MSS, i), 512);
        long expected = host.seq;
        window = (long) host.next(s -> s.acknowledgmentNumber() == expected, "the ACK of segment " + i).window() << 7;
      }
      assertThat(window).as("the window offered, scaled").isGreaterThanOrEqualTo(200_000);
      long hole = host.seq;
      host.seq = hole + CraftedHost.MSS;
      for (int i = 0; i < 100; i++) {
        host.data(CraftedHost.bytes(CraftedHost.MSS, 1000 + i), 512);
        long end = host.seq;
        TcpSegment dup = host.next(s -> s.acknowledgmentNumber() == hole && s.options().sackBlockCount() > 0
            && s.options().sackRight(0) == end, "a duplicate ACK listing every byte up to segment " + i
            + " after the hole, " + (end - hole) + " bytes past it");
        assertThat(dup.options().sackBlockCount()).as("one range").isEqualTo(1);
        assertThat(dup.options().sackLeft(0)).isEqualTo(hole + CraftedHost.MSS);
      }
      long end = host.seq;
      host.seq = hole;
      host.data(CraftedHost.bytes(CraftedHost.MSS, 999), 512);
      TcpSegment all = host.next(s -> s.acknowledgmentNumber() != hole, "the ACK after the hole is filled");
      assertThat(all.acknowledgmentNumber()).as("one ACK of everything, %d bytes past the hole", end - hole)
          .isEqualTo(end);
      assertThat(all.options().sackBlockCount()).as("nothing kept any more").isZero();
      host.assertHealthy();
    }
  }

  /**
   * RFC 9293 §3.8.6.2.2 (MUST-39): a closed receive window reopens only once min(buffer / 2, MSS)
   * bytes are free, never by a sliver. A {@link Server} reads only when told: the host fills its
   * 64 KiB input buffer, then the server reads 500 bytes, then 1,000 more.
   */
  @Test
  void aClosedWindowReopensOnlyByAtLeastOneSegment() throws Exception {
    BlockingQueue<Integer> reads = new LinkedBlockingQueue<>();
    Server readsWhenTold = connection -> {
      while (true) {
        connection.input().readNBytes(reads.take());
      }
    };
    try (CraftedHost host = host(Rules.of(Mode.REJECT).with(Rule.of("*", "80", readsWhenTold)), 43005)) {
      host.open(1000, 65535);
      long window = 65535;
      for (int i = 0; window > 0; i++) {
        host.data(CraftedHost.bytes((int) Math.min(CraftedHost.MSS, window), i), 65535);
        long expected = host.seq;
        window = host.next(s -> s.acknowledgmentNumber() == expected, "the ACK of segment " + i).window();
      }
      host.skipAll();
      reads.add(500);
      assertThat(host.during(150)).as("no window of less than one segment")
          .noneMatch(s -> s.window() > 0 && s.window() < CraftedHost.MSS);
      reads.add(1000);
      TcpSegment update = host.next(s -> s.window() > 0, "the window update");
      assertThat(update.window()).isGreaterThanOrEqualTo(CraftedHost.MSS);
      host.assertHealthy();
    }
  }
}
