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
