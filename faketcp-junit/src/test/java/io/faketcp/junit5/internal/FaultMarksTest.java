package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.Direction;
import io.faketcp.peer.Fault;
import io.faketcp.peer.FaultListener.Action;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Fault marks find their packets in the capture, and hold a line or a fingerprint, never the packet. */
class FaultMarksTest {
  private static final Fault LATENCY = Fault.parse("latency=50ms");
  private static final Fault LOSS = Fault.parse("loss=50%");
  private static final int HOST = 0xC0A80001;
  private static final int FAKE_HOST = 0xC0A80005;

  /** A 192.168.0.1:40000 > 192.168.0.5:80 segment carrying {@code size} bytes of data. */
  private static byte[] packet(int size, long seq) {
    byte[] data = new byte[size];
    Arrays.fill(data, (byte) 'x');
    return TcpSegment.builder().source(HOST).destination(FAKE_HOST).sourcePort(40000).destinationPort(80)
        .flags(TcpSegment.ACK | TcpSegment.PSH).sequenceNumber(seq).acknowledgmentNumber(1).payload(data).build();
  }

  @Test
  void aMarkGoesToTheCapturedPacketWithItsBytesOnly() {
    byte[] delayed = packet(1000, 1);
    byte[] onePayloadByteOff = delayed.clone();
    onePayloadByteOff[delayed.length - 1] = 'y';
    FaultMarks marks = new FaultMarks();
    marks.record(Action.DELAYED, LATENCY, Direction.TO_PEER, ByteBuffer.wrap(delayed), 50_000_000L);
    marks.record(Action.DUPLICATED, LOSS, Direction.TO_PEER, ByteBuffer.wrap(delayed), 0);

    FaultMarks.Matcher matcher = marks.matcher();
    assertThat(matcher.markFor(onePayloadByteOff)).as("another payload").isNull();
    assertThat(matcher.markFor(delayed.clone())).isEqualTo("delayed 50000us by latency=50ms");
    assertThat(matcher.markFor(delayed.clone())).as("the second mark, once").isEqualTo("duplicated by loss=50%");
    assertThat(matcher.markFor(delayed.clone())).isNull();
    assertThat(matcher.unmatched()).isEmpty();
  }

  @Test
  void aPacketKeptOffTheWireIsListedByItsLineAsItWasWhenDropped() {
    byte[] dropped = packet(100, 7);
    String line = Tcpdump.format(dropped);
    ByteBuffer peersBuffer = ByteBuffer.wrap(dropped);
    FaultMarks marks = new FaultMarks();
    marks.record(Action.DROPPED, LOSS, Direction.FROM_PEER, peersBuffer, 0);
    Arrays.fill(dropped, (byte) 0); // the peer reuses its buffer

    assertThat(peersBuffer.position()).isZero();
    assertThat(marks.matcher().unmatched()).containsExactly(line + "   <- dropped by loss=50%");
  }

  @Test
  void marksOfLargePacketsHoldNoCopyOfThem() {
    ByteBuffer jumbo = ByteBuffer.wrap(packet(65_535 - 40, 1));
    int count = 20_000; // 1.3 GB as copies
    FaultMarks marks = new FaultMarks();
    long before = usedHeap();
    for (int i = 0; i < count; i++) {
      marks.record(Action.DELAYED, LATENCY, Direction.TO_PEER, jumbo, 50_000_000L);
    }
    long grown = usedHeap() - before;

    assertThat(grown).as("heap grown by %d marks of a 65,535-byte packet", count).isLessThan(64L << 20);
    FaultMarks.Matcher matcher = marks.matcher();
    assertThat(matcher.markFor(jumbo.array().clone())).isEqualTo("delayed 50000us by latency=50ms");
  }

  @Test
  void aPacketTheCaptureKeptCutGetsItsMarkByItsHeadersAndLength() {
    byte[] delayed = packet(60_000, 1);
    byte[] other = packet(60_000, 60_001);
    FaultMarks marks = new FaultMarks();
    marks.record(Action.DELAYED, LATENCY, Direction.TO_PEER, ByteBuffer.wrap(delayed), 50_000_000L);
    int headers = PacketHeaders.length(ByteBuffer.wrap(delayed));
    CaptureRecord cutOther = new CaptureRecord(Arrays.copyOf(other, headers), 1, true, other.length,
        CaptureRecord.Cut.BUDGET);
    CaptureRecord cut = new CaptureRecord(Arrays.copyOf(delayed, headers), 2, true, delayed.length,
        CaptureRecord.Cut.BUDGET);

    FaultMarks.Matcher matcher = marks.matcher();
    assertThat(matcher.markFor(cutOther)).as("another segment's headers").isNull();
    assertThat(matcher.markFor(cut)).isEqualTo("delayed 50000us by latency=50ms");
    assertThat(matcher.markFor(delayed)).as("handed out once, whole or cut").isNull();
    assertThat(marks.matcher().markFor(new CaptureRecord(delayed, 3, true))).as("a new matcher starts afresh")
        .isEqualTo("delayed 50000us by latency=50ms");
  }

  @Test
  void marksStopAtTheLimit() {
    ByteBuffer small = ByteBuffer.wrap(packet(0, 1));
    FaultMarks marks = new FaultMarks();
    for (int i = 0; i < FaultMarks.LIMIT + 10; i++) {
      marks.record(Action.DELAYED, LATENCY, Direction.TO_PEER, small, 0);
    }
    FaultMarks.Matcher matcher = marks.matcher();
    int found = 0;
    while (matcher.markFor(small.array()) != null) {
      found++;
    }
    assertThat(found).isEqualTo(FaultMarks.LIMIT);
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
