package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.RequiresTun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conformance of a fake host as a receiver, driven with crafted segments from the host's side
 * ({@link CraftedHost}) against ECHO: the acceptability test (RFC 9293 §3.10.7.4) and out-of-order
 * data answered with SACK blocks (RFC 2018, RFC 5681 §4.2).
 */
@ExtendWith(RequiresTun.class)
class ReceiveConformanceTest {

  @Test
  void dataBeyondTheWindowIsAnsweredWithAnAckAndDropped() throws Exception {
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 43001)) {
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
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 43002)) {
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
    try (CraftedHost host = new CraftedHost(Rules.of(Mode.ECHO), 43003)) {
      host.open(1000, 65535);
      long start = host.seq;
      host.send(host.acking(TcpSegment.PSH).sequenceNumber(start + 100).payload(CraftedHost.bytes(200, 1)));
      TcpSegment dup = host.next(s -> true, "a duplicate ACK");
      assertThat(dup.acknowledgmentNumber()).isEqualTo(start);
      assertThat(dup.options().sackBlockCount()).isEqualTo(1);
      assertThat(dup.options().sackLeft(0)).isEqualTo(start + 100);
      assertThat(dup.options().sackRight(0)).isEqualTo(start + 300);
      host.data(CraftedHost.bytes(100, 9), 65535);
      host.next(s -> s.acknowledgmentNumber() == start + 300, "the whole data acknowledged");
    }
  }
}
