package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conformance of a fake host as a sender, driven with crafted segments from the host's side
 * ({@link CraftedHost}) against ECHO: retransmission timeout and backoff (RFC 6298), zero-window
 * probes (RFC 9293 §3.8.6.1), fast retransmit (RFC 5681, RFC 6582), SACK-based recovery (RFC 6675),
 * FIN retransmission and sender silly-window avoidance (RFC 9293 §3.8.6.2.1).
 */
@ExtendWith(RequiresTun.class)
class SendConformanceTest {
  /** The crafted host of a test: IPv4 here, IPv6 in {@code Ipv6SendConformanceTest}. */
  CraftedHost host(Rules rules, int port) {
    return new CraftedHost(rules, port);
  }


  @Test
  void anUnacknowledgedSegmentIsRetransmittedWithTheTimeoutDoubling() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42001)) {
      host.open(1000, 65535);
      host.data(CraftedHost.bytes(100, 1), 65535);
      List<Long> sentAt = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        host.next(s -> s.payloadLength() == 100, "the echo, sent or resent");
        // the peer's clock when it wrote each: the test thread notices them later, and on a loaded
        // machine by up to tens of milliseconds more for one than another (ratios of 2.9 once)
        sentAt.add(host.sentAt());
      }
      long first = sentAt.get(1) - sentAt.get(0);
      assertThat(first).as("the first timeout: at least 200 ms (RFC 6298's 1 s minimum, 200 ms like Linux)")
          .isGreaterThanOrEqualTo(190_000_000L);
      assertThat(backoff(sentAt)).as("backoff").isBetween(1.6, 2.5);
      assertThat(host.fixture.peer.counters().retransmissions()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aClosedWindowIsProbedWithBackoffAndDataFlowsWhenItOpens() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42002)) {
      host.open(1000, 0);
      host.data(CraftedHost.bytes(100, 1), 0);
      host.next(s -> s.acknowledgmentNumber() == host.seq, "the ACK of the data");
      List<Long> probes = new ArrayList<>();
      probes.add(host.sentAt()); // the persist timer starts as the data is acknowledged
      for (int i = 0; i < 3; i++) {
        TcpSegment probe = host.next(s -> true, "a zero-window probe");
        probes.add(host.sentAt()); // the peer's clock, as in the test above
        assertThat(probe.payloadLength()).as("a probe of an old sequence number, without data").isZero();
        assertThat(probe.sequenceNumber()).isEqualTo((host.peerNext - 1) & 0xffffffffL);
        host.send(host.acking(0).window(0)); // the host answers each probe: still closed
      }
      assertThat(backoff(probes)).as("backoff").isBetween(1.6, 2.5);
      host.send(host.acking(0).window(65535));
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo once the window opens");
      assertThat(echo.payloadLength()).isEqualTo(100);
      assertThat(echo.sequenceNumber()).isEqualTo(host.peerNext);
    }
  }

  /** RFC 5681 §3.2 with RFC 6582: three duplicate ACKs resend the first segment only, before the timeout. */
  @Test
  void threeDuplicateAcksTriggerAFastRetransmitWithoutSack() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42003)) {
      host.open(host.segment().sequenceNumber(1000).flags(TcpSegment.SYN).mss(CraftedHost.MSS), 65535);
      List<TcpSegment> echoes = echoFive(host);
      for (int i = 0; i < 3; i++) {
        host.send(host.acking(0));
      }
      host.heard(s -> s.payloadLength() > 0 && CraftedHost.end(s) == host.seq, "the last data segment");
      long heard = 0;
      for (int i = 0; i < 3; i++) {
        heard = host.heard(s -> s.acknowledgmentNumber() == host.peerNext && s.payloadLength() == 0, "a duplicate ACK");
      }
      // Both on the peer's clock: from reading the third duplicate ACK to writing the retransmission.
      TcpSegment resent = host.next(CraftedHost.withData(), "the fast retransmission");
      assertThat(host.sentAt() - heard).as("well before the 200 ms timeout").isLessThan(150_000_000L);
      assertThat(resent.sequenceNumber()).isEqualTo(echoes.get(0).sequenceNumber());
      assertThat(host.sentWithin(host.sentAt(), 50)).as("only the first segment resent")
          .noneMatch(CraftedHost.withData());
    }
  }

  /** RFC 6675: a SACK that shows a hole below three segments' worth of SACKed data resends the hole only. */
  @Test
  void sackBlocksResendOnlyTheHole() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42004)) {
      host.open(1000, 65535);
      List<TcpSegment> echoes = echoFive(host);
      long hole = echoes.get(1).sequenceNumber();
      byte[] block = sackBlock(echoes.get(2).sequenceNumber(), CraftedHost.end(echoes.get(4)));
      host.send(host.segment().sequenceNumber(host.seq).acknowledgmentNumber(hole).flags(TcpSegment.ACK)
          .options(block));
      // Only what the fake host sent once it read the SACK: on a loaded machine its retransmission
      // timer may fire before (it resends the first segment then, which the SACK's ACK covers).
      host.heard(s -> s.acknowledgmentNumber() == hole, "the SACK");
      TcpSegment resent = host.next(CraftedHost.withData(), "the hole resent");
      assertThat(resent.sequenceNumber()).isEqualTo(hole);
      assertThat(resent.payloadLength()).isEqualTo(echoes.get(1).payloadLength());
      assertThat(host.sentWithin(host.sentAt(), 100)).as("never the SACKed segments").noneMatch(CraftedHost.withData());
    }
  }

  @Test
  void anUnacknowledgedFinIsRetransmitted() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42005)) {
      host.open(1000, 65535);
      host.send(host.acking(TcpSegment.FIN));
      host.seq++;
      TcpSegment fin = host.next(TcpSegment::fin, "the fake host's FIN");
      TcpSegment again = host.next(TcpSegment::fin, "its retransmission");
      assertThat(again.sequenceNumber()).isEqualTo(fin.sequenceNumber());
      assertThat(again.acknowledgmentNumber()).isEqualTo(host.seq);
      host.peerNext = CraftedHost.end(fin);
      host.send(host.acking(0));
      FakePeerTest.await(() -> host.fixture.peer.counters().closing() == 0, "closed once the FIN is acknowledged");
    }
  }

  /**
   * How much the intervals between {@code times} grow: all but the first against all but the last,
   * (t[n] - t[1]) / (t[n-1] - t[0]); 2 when each interval doubles. Summed, not one interval against
   * the one before: each interval is the fake host's timeout plus how late its thread woke, which
   * only lengthens it; at load 7-9 one late wake of about 50 ms made a single ratio of 200 and
   * 400 ms read 1.59, while a sum over three intervals stays above 1.6 up to a wake 150 ms late.
   * Growth by 1, 1.5 or 3 still reads 1, 1.5 or 3.
   */
  private static double backoff(List<Long> times) {
    int n = times.size() - 1;
    return (double) (times.get(n) - times.get(1)) / (times.get(n - 1) - times.get(0));
  }

  /**
   * The host sends five full segments; ECHO sends them back (the host acknowledges none of the
   * echoes). Returns the five echoed segments.
   */
  private static List<TcpSegment> echoFive(CraftedHost host) throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      host.data(CraftedHost.bytes(CraftedHost.MSS, i), 65535);
    }
    List<TcpSegment> echoes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      echoes.add(host.next(CraftedHost.withData(), "echo " + i));
    }
    for (int i = 1; i < 5; i++) {
      assertThat(echoes.get(i).sequenceNumber()).as("five different segments")
          .isEqualTo(CraftedHost.end(echoes.get(i - 1)));
    }
    return echoes;
  }

  /** A SACK option (two NOPs, kind 5) with one block. */
  static byte[] sackBlock(long left, long right) {
    byte[] option = {1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
      option[4 + k] = (byte) (left >>> (24 - 8 * k));
      option[8 + k] = (byte) (right >>> (24 - 8 * k));
    }
    return option;
  }

  /**
   * RFC 9293 §3.8.6.2.1 (MUST-38): with a full segment's worth queued, a window of 500 bytes (under
   * half the largest the host offered) is not filled at once; the data waits for a wider window or
   * the persist timer.
   */
  @Test
  void aSliverOfWindowIsNotFilledWhileMoreIsQueued() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 42006)) {
      host.open(1000, 65535);
      for (int i = 0; i < 4; i++) {
        host.data(CraftedHost.bytes(CraftedHost.MSS, i), 0);
      }
      long expected = host.seq;
      host.next(s -> s.acknowledgmentNumber() == expected, "the ACK of the data");
      host.skipAll();
      host.send(host.acking(0).window(500));
      // within 100 ms on the peer's clock: its persist timer may send 500 bytes later, as it should
      long narrowed = host.heard(s -> s.window() == 500, "the window of 500");
      assertThat(host.sentWithin(narrowed, 100)).as("no segment of 500 bytes at once").noneMatch(CraftedHost.withData());
      host.send(host.acking(0).window(65535));
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo once the window is wide");
      assertThat(echo.payloadLength()).isIn(500, CraftedHost.MSS);
    }
  }
}
