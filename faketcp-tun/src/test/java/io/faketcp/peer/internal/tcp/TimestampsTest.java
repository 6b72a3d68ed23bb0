package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Timestamps}: RFC 7323's TS.Recent, PAWS, RTT from TSecr and the option bytes. */
class TimestampsTest {
  /** The layer alone, below the rest of an endpoint. */
  private final Timestamps ts = new Timestamps() {
    @Override
    protected void timerExpired(long now) {
    }
  };

  @Test
  void notInUseUnlessTheSynCarriedTheOption() throws Exception {
    ts.negotiateTimestamps(segment(TcpSegment.SYN, 0, -1, 0).options(), 0);
    assertThat(ts.timestampsOn()).isFalse();
    assertThat(ts.oldTimestamp(segment(TcpSegment.ACK, 1, 5, 0))).isFalse();
    ts.negotiateTimestamps(segment(TcpSegment.SYN, 0, 100, 0).options(), 0);
    assertThat(ts.timestampsOn()).isTrue();
    assertThat(ts.tsRecent()).isEqualTo(100);
  }

  @Test
  void pawsDropsAnOlderTsValButNotAResetAndTsRecentFollowsSegmentsAtLastAckSent() throws Exception {
    ts.negotiateTimestamps(segment(TcpSegment.SYN, 0, 100, 0).options(), 0);
    ts.timestampSent(1);
    assertThat(ts.oldTimestamp(segment(TcpSegment.ACK, 1, 99, 0))).isTrue();
    assertThat(ts.oldTimestamp(segment(TcpSegment.RST, 1, 99, 0))).isFalse();
    ts.timestampReceived(segment(TcpSegment.ACK, 1, 150, 0), 1);
    assertThat(ts.tsRecent()).isEqualTo(150);
    ts.timestampReceived(segment(TcpSegment.ACK, 500, 160, 0), 500);
    assertThat(ts.tsRecent()).as("a segment beyond Last.ACK.sent does not update it").isEqualTo(150);
    assertThat(ts.oldTimestamp(segment(TcpSegment.ACK, 1, 0x7fff_0000 + 150, 0))).as("modulo 2^32").isFalse();
  }

  @Test
  void theEchoedTsValGivesTheRoundTrip() throws Exception {
    long now = TimeUnit.SECONDS.toNanos(1000);
    ts.negotiateTimestamps(segment(TcpSegment.SYN, 0, 100, 0).options(), 12345);
    int sent = ts.tsValue(now);
    long later = now + TimeUnit.MILLISECONDS.toNanos(30);
    assertThat(ts.timestampRtt(segment(TcpSegment.ACK, 1, 101, sent), later)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    assertThat(ts.timestampRtt(segment(TcpSegment.ACK, 1, 101, sent), now)).as("within the tick: half of one")
        .isEqualTo(TimeUnit.MICROSECONDS.toNanos(500));
    assertThat(ts.timestampRtt(segment(TcpSegment.ACK, 1, 101, sent + 5), now)).as("an echo from the future").isEqualTo(-1);
  }

  @Test
  void theOptionCarriesTsValTsRecentAndUpToThreeSackBlocks() {
    ts.negotiateTimestamps(options(100), 0);
    long now = TimeUnit.MILLISECONDS.toNanos(0x01020304L);
    assertThat(ts.timestampOption(now, null, Timestamps.scratch())).containsExactly(1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 100);
    byte[] sack = {1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8};
    assertThat(ts.timestampOption(now, sack, Timestamps.scratch())).containsExactly(1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 100,
        1, 1, 5, 26, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6);
  }

  private static io.faketcp.packet.TcpOptions options(long tsVal) {
    return segment(TcpSegment.SYN, 0, tsVal, 0).options();
  }

  private static TcpSegment segment(int flags, long seq, long tsVal, long tsEcr) {
    TcpSegment.Builder b = TcpSegment.builder().source(0xc0a80001).destination(0xc0a80005).sourcePort(1000)
        .destinationPort(80).flags(flags).sequenceNumber(seq);
    if (tsVal >= 0) {
      b.timestamps(tsVal, tsEcr);
    }
    try {
      return TcpSegment.wrap(Ipv4Packet.wrap(ByteBuffer.wrap(b.build())));
    } catch (io.faketcp.packet.MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }
}
