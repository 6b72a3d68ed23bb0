package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 7323 driven with crafted segments ({@link CraftedHost}) against ECHO: window scaling both ways
 * when the host's SYN offers it (and never otherwise), timestamps echoed, PAWS and the round trip
 * from the echoed timestamp.
 */
@ExtendWith(RequiresTun.class)
class WindowConformanceTest {
  /** The crafted host of a test: IPv4 here, IPv6 in {@code Ipv6WindowConformanceTest}. */
  CraftedHost host(Rules rules, int port) {
    return new CraftedHost(rules, port);
  }

  /** The fake hosts' window scale (Linux's for a few MB of receive buffer). */
  private static final int OUR_SHIFT = 7;

  @Test
  void aSynWithWindowScaleGetsOursAndTheWindowGrowsPast64KiBWithUse() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45001)) {
      TcpSegment synAck = host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS)
          .sackPermitted(true).windowScale(2), 65535);
      assertThat(synAck.options().windowScale()).isEqualTo(OUR_SHIFT);
      assertThat(synAck.window()).as("a SYN's window is never scaled").isLessThanOrEqualTo(0xffff);
      long window = 0;
      for (int i = 0; i < 100 && window <= 0xffff; i++) {
        host.data(CraftedHost.bytes(CraftedHost.MSS, i), 65535 >> 2);
        long expected = host.seq;
        TcpSegment ack = host.next(s -> s.acknowledgmentNumber() == expected, "the ACK of segment " + i);
        window = (long) ack.window() << OUR_SHIFT;
      }
      assertThat(window).as("the window, scaled, after 100 segments").isGreaterThan(0xffff);
    }
  }

  @Test
  void theHostsScaleAppliesToItsWindowOutsideTheSyn() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45002)) {
      host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS).windowScale(4), 10);
      // Window field 10 with the host's scale 4: 160 bytes. The 100-byte echo fits; unscaled it would not.
      host.data(CraftedHost.bytes(100, 1), 10);
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo within the scaled window");
      assertThat(echo.payloadLength()).isEqualTo(100);
    }
  }

  @Test
  void withoutTheHostsOfferThereIsNoScaleAndNoTimestamps() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45003)) {
      TcpSegment synAck = host.open(1000, 65535);
      assertThat(synAck.options().windowScale()).isEqualTo(-1);
      assertThat(synAck.options().hasTimestamps()).isFalse();
      host.data(CraftedHost.bytes(100, 1), 65535);
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo");
      assertThat(echo.options().hasTimestamps()).isFalse();
    }
  }

  @Test
  void timestampsAreEchoedOnEverySegment() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45004)) {
      TcpSegment synAck = host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS)
          .sackPermitted(true).timestamps(5000, 0), 65535);
      assertThat(synAck.options().hasTimestamps()).isTrue();
      assertThat(synAck.options().tsEcr()).isEqualTo(5000);
      host.send(host.acking(TcpSegment.PSH).timestamps(5100, synAck.options().tsVal()).payload(CraftedHost.bytes(100, 1)));
      host.seq += 100;
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo");
      assertThat(echo.options().tsEcr()).isEqualTo(5100);
      assertThat(echo.options().tsVal() - synAck.options().tsVal()).as("a millisecond clock").isBetween(0L, 5000L);
    }
  }

  /**
   * RFC 7323 §4: the round trip is read from the TSecr of the ACK that moves SND.UNA, not from when
   * that ACK arrives. The host echoes a TSval a second old (as a host that delays its ACKs echoes
   * the oldest it has not acknowledged) on an ACK sent at once; the retransmission timeout that
   * follows is RFC 6298's from a one-second sample (about 1.1 s), not the 200 ms floor a sample
   * timed by the ACK's arrival gives. Both times on the peer's clock.
   */
  @Test
  void theRoundTripIsReadFromTheEchoedTimestamp() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45006)) {
      TcpSegment synAck = host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS)
          .timestamps(5000, 0), 65535);
      long old = synAck.options().tsVal();
      Thread.sleep(1000); // the SYN+ACK's TSval is now at least a second old
      host.send(host.acking(TcpSegment.PSH).timestamps(5100, old).payload(CraftedHost.bytes(100, 1)));
      host.seq += 100;
      TcpSegment first = host.next(CraftedHost.withData(), "the first echo");
      host.peerNext = CraftedHost.end(first);
      host.send(host.acking(0).timestamps(5200, old)); // acknowledged at once, echoing the old TSval
      host.send(host.acking(TcpSegment.PSH).timestamps(5300, old).payload(CraftedHost.bytes(100, 2)));
      host.seq += 100;
      host.next(s -> s.sequenceNumber() == host.peerNext && s.payloadLength() == 100, "the second echo");
      long sent = host.sentAt();
      host.next(s -> s.sequenceNumber() == host.peerNext && s.payloadLength() == 100, "its retransmission");
      assertThat((host.sentAt() - sent) / 1_000_000).as("ms to the retransmission: an RTO from the 1 s echoed round trip")
          .isGreaterThanOrEqualTo(800L);
    }
  }

  /** RFC 7323 §5: a segment whose TSval is older than the last one seen is an old duplicate: ACKed, not taken. */
  @Test
  void pawsDropsASegmentWithAnOldTimestamp() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 45005)) {
      TcpSegment synAck = host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS)
          .timestamps(5000, 0), 65535);
      host.send(host.acking(TcpSegment.PSH).timestamps(6000, synAck.options().tsVal()).payload(CraftedHost.bytes(10, 1)));
      host.seq += 10;
      host.next(CraftedHost.withData(), "the first echo");
      host.skipAll();
      host.send(host.acking(TcpSegment.PSH).timestamps(5500, synAck.options().tsVal()).payload(CraftedHost.bytes(10, 2)));
      TcpSegment ack = host.next(s -> true, "the ACK of the old duplicate");
      assertThat(ack.acknowledgmentNumber()).as("not taken").isEqualTo(host.seq);
      assertThat(host.during(100)).noneMatch(CraftedHost.withData());
    }
  }
}
