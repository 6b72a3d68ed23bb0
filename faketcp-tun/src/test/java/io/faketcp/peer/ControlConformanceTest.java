package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conformance of a fake host's control segments, driven with crafted segments from the host's side
 * ({@link CraftedHost}): RST and SYN checks (RFC 5961 §3–4), TIME-WAIT (RFC 9293 §3.10.7.4) and data
 * in a SYN (RFC 7413 §4.2.2).
 */
@ExtendWith(RequiresTun.class)
class ControlConformanceTest {
  /** The crafted host of a test: IPv4 here, IPv6 in {@code Ipv6ControlConformanceTest}. */
  CraftedHost host(Rules rules, int port) {
    return new CraftedHost(rules, port);
  }

  private static final Server CLOSES_AT_ONCE = Server.Connection::close;

  @Test
  void aResetAtExactlyTheNextSequenceNumberClosesTheConnection() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 41001)) {
      host.open(1000, 65535);
      host.send(host.segment().sequenceNumber(host.seq).flags(TcpSegment.RST));
      await(() -> host.fixture.peer.counters().established() == 0, "the connection closed");
      host.send(host.acking(0));
      TcpSegment rst = host.next(TcpSegment::rst, "a RST to a segment of a closed connection");
      assertThat(rst.sequenceNumber()).isEqualTo(host.peerNext);
      host.assertHealthy();
    }
  }

  @Test
  void aResetInTheWindowButNotAtTheNextSequenceNumberGetsAChallengeAck() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 41002)) {
      host.open(1000, 65535);
      host.send(host.segment().sequenceNumber(host.seq + 100).flags(TcpSegment.RST));
      TcpSegment challenge = host.next(s -> true, "a challenge ACK");
      assertThat(challenge.flags()).isEqualTo(TcpSegment.ACK);
      assertThat(challenge.acknowledgmentNumber()).isEqualTo(host.seq);
      assertThat(host.fixture.peer.counters().established()).isEqualTo(1);
      host.assertHealthy();
    }
  }

  @Test
  void aResetOutsideTheWindowIsIgnored() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 41003)) {
      host.open(1000, 65535);
      host.send(host.segment().sequenceNumber((host.seq + (1L << 30)) & 0xffffffffL).flags(TcpSegment.RST));
      assertThat(host.during(150)).as("no answer to an out-of-window RST").isEmpty();
      assertThat(host.fixture.peer.counters().established()).isEqualTo(1);
      host.data(CraftedHost.bytes(10, 1), 65535);
      host.next(s -> s.payloadLength() == 10, "the echo: the connection is alive");
    }
  }

  @Test
  void aSynOnAnEstablishedConnectionGetsAChallengeAckAndTheConnectionStays() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.DISCARD), 41004)) {
      host.open(5000, 65535);
      host.send(host.segment().sequenceNumber(900_000).flags(TcpSegment.SYN).mss(1460));
      TcpSegment challenge = host.next(s -> true, "a challenge ACK");
      assertThat(challenge.flags()).isEqualTo(TcpSegment.ACK);
      assertThat(challenge.acknowledgmentNumber()).isEqualTo(5001);
      assertThat(challenge.sequenceNumber()).isEqualTo(host.peerNext);
      assertThat(host.fixture.peer.counters().established()).isEqualTo(1);
      assertThat(host.fixture.peer.counters().connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void timeWaitAnswersARetransmittedFinAndANewerSynReusesTheFourTuple() throws Exception {
    try (CraftedHost host = timeWait(41005)) {
      host.send(host.segment().sequenceNumber(host.seq - 1).acknowledgmentNumber(host.peerNext)
          .flags(TcpSegment.FIN | TcpSegment.ACK));
      TcpSegment ack = host.next(s -> true, "the ACK of the retransmitted FIN");
      assertThat(ack.flags()).isEqualTo(TcpSegment.ACK);
      assertThat(ack.acknowledgmentNumber()).isEqualTo(host.seq);
      host.send(host.segment().sequenceNumber(host.seq + 100_000).flags(TcpSegment.SYN).mss(1460));
      TcpSegment synAck = host.next(s -> s.syn() && s.ack(), "a SYN+ACK to the newer SYN");
      assertThat(synAck.acknowledgmentNumber()).isEqualTo(host.seq + 100_001);
    }
  }

  @Test
  void timeWaitEndsOnAResetAtTheNextSequenceNumber() throws Exception {
    try (CraftedHost host = timeWait(41007)) {
      host.send(host.segment().sequenceNumber(host.seq).flags(TcpSegment.RST));
      Thread.sleep(50);
      host.send(host.segment().sequenceNumber(host.seq - 5000).flags(TcpSegment.SYN).mss(1460));
      host.next(s -> s.syn() && s.ack(), "a SYN+ACK: the 4-tuple is free after the RST");
      assertThat(host.fixture.peer.counters().connectionsOpened()).isEqualTo(2);
    }
  }

  /**
   * A connection in TIME-WAIT on the fake host: a {@link Server} that closes at once sends its FIN
   * first; the host acknowledges it and sends its own, which the fake host acknowledges.
   */
  private CraftedHost timeWait(int port) throws InterruptedException {
    CraftedHost host = host(Rules.of(Mode.ECHO).with(Rule.of("*", "80", CLOSES_AT_ONCE)), port);
    try {
      host.open(1000, 65535);
      TcpSegment fin = host.next(TcpSegment::fin, "the server's FIN");
      host.peerNext = CraftedHost.end(fin);
      host.send(host.acking(TcpSegment.FIN));
      host.seq++;
      TcpSegment last = host.next(s -> s.acknowledgmentNumber() == host.seq, "the ACK of the host's FIN");
      assertThat(last.flags()).isEqualTo(TcpSegment.ACK);
      await(() -> host.fixture.peer.counters().closing() == 0, "the fake host in TIME-WAIT");
      return host;
    } catch (RuntimeException | Error | InterruptedException e) {
      host.close();
      throw e;
    }
  }

  /** RFC 9293 §3.10.7.4 with RFC 5961 §3: TIME-WAIT checks a RST's sequence number as the other states do. */
  @Test
  void timeWaitIgnoresAResetOutsideTheWindowAndAnOldSynAfterIt() throws Exception {
    try (CraftedHost host = timeWait(41006)) {
      host.send(host.segment().sequenceNumber((host.seq + (1L << 30)) & 0xffffffffL).flags(TcpSegment.RST));
      Thread.sleep(50);
      host.send(host.segment().sequenceNumber(host.seq - 5000).flags(TcpSegment.SYN).mss(1460));
      assertThat(host.during(200)).as("no SYN+ACK to an old SYN in TIME-WAIT")
          .noneMatch(TcpSegment::syn);
      assertThat(host.fixture.peer.counters().connectionsOpened()).isEqualTo(1);
    }
  }

  /** RFC 5961 §3.2 in TIME-WAIT as in the other states: a RST in the window but not at RCV.NXT gets a challenge ACK. */
  @Test
  void timeWaitAnswersAResetInTheWindowButNotAtTheNextSequenceNumberWithAChallengeAck() throws Exception {
    try (CraftedHost host = timeWait(41009)) {
      host.send(host.segment().sequenceNumber(host.seq + 100).flags(TcpSegment.RST));
      TcpSegment challenge = host.next(s -> true, "a challenge ACK");
      assertThat(challenge.flags()).isEqualTo(TcpSegment.ACK);
      assertThat(challenge.acknowledgmentNumber()).isEqualTo(host.seq);
      host.send(host.segment().sequenceNumber(host.seq - 5000).flags(TcpSegment.SYN).mss(1460));
      assertThat(host.during(200)).as("still in TIME-WAIT: no SYN+ACK to an old SYN").noneMatch(TcpSegment::syn);
      assertThat(host.fixture.peer.counters().connectionsOpened()).isEqualTo(1);
    }
  }

  /** RFC 7413 §4.2.2: without a valid cookie, a SYN's data is not acknowledged; the host sends it again. */
  @Test
  void dataInASynWithoutACookieIsNotAcknowledged() throws Exception {
    try (CraftedHost host = host(Rules.of(Mode.ECHO), 41008)) {
      byte[] data = CraftedHost.bytes(20, 3);
      host.send(host.segment().sequenceNumber(7000).flags(TcpSegment.SYN).mss(1460).payload(data));
      TcpSegment synAck = host.next(s -> s.syn() && s.ack(), "SYN+ACK");
      assertThat(synAck.acknowledgmentNumber()).as("only the SYN acknowledged").isEqualTo(7001);
      host.seq = 7001;
      host.peerNext = CraftedHost.end(synAck);
      host.data(data, 65535);
      TcpSegment echo = host.next(CraftedHost.withData(), "the echo of the data sent again");
      assertThat(CraftedHost.payload(echo)).isEqualTo(data);
      assertThat(echo.acknowledgmentNumber()).isEqualTo(7021);
      assertThat(host.unread()).noneMatch(CraftedHost.withData());
      host.assertHealthy();
    }
  }
}
