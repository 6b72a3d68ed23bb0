package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link SendBuffer}: a ring that grows into its limit with use and keeps the bytes in order. */
class SendBufferTest {

  @Test
  void startsSmallAndGrowsToTheLimitKeepingTheOrderAcrossTheWrap() {
    SendBuffer buffer = new SendBuffer(4 * SendBuffer.INITIAL, new RingPool());
    assertThat(buffer.capacity()).isEqualTo(SendBuffer.INITIAL);
    byte[] first = pattern(SendBuffer.INITIAL - 100, 0);
    assertThat(buffer.append(ByteBuffer.wrap(first))).isEqualTo(first.length);
    buffer.drop(1000); // the head moves: the next append wraps around the ring's end
    byte[] second = pattern(3 * SendBuffer.INITIAL, first.length);
    assertThat(buffer.append(ByteBuffer.wrap(second))).isEqualTo(second.length);
    assertThat(buffer.capacity()).isEqualTo(4 * SendBuffer.INITIAL);
    byte[] all = new byte[buffer.size()];
    buffer.copy(0, all, all.length);
    assertThat(all).isEqualTo(pattern(first.length - 1000 + second.length, 1000));
  }

  @Test
  void aRingGrownPastItsFirstSizeIsDirectAndItsViewsShowTheQueuedBytes() {
    SendBuffer buffer = new SendBuffer(4 * SendBuffer.INITIAL, new RingPool());
    byte[] first = pattern(SendBuffer.INITIAL, 0);
    buffer.append(ByteBuffer.wrap(first));
    assertThat(buffer.isDirect()).as("a ring of its first size").isFalse();
    buffer.drop(500);
    byte[] second = pattern(SendBuffer.INITIAL, first.length);
    buffer.append(ByteBuffer.wrap(second));
    assertThat(buffer.isDirect()).as("grown: a bulk connection's ring").isTrue();
    ByteBuffer view = buffer.view(1000, 70_000);
    assertThat(view.isDirect()).isTrue();
    byte[] seen = new byte[view.remaining()];
    view.duplicate().get(seen);
    assertThat(seen).isEqualTo(pattern(70_000, 1500));
  }

  @Test
  void takesNoMoreThanTheLimit() {
    SendBuffer buffer = new SendBuffer(1000, new RingPool());
    assertThat(buffer.capacity()).isEqualTo(1000);
    ByteBuffer source = ByteBuffer.wrap(new byte[1500]);
    assertThat(buffer.append(source)).isEqualTo(1000);
    assertThat(source.remaining()).isEqualTo(500);
    assertThat(buffer.free()).isZero();
  }

  @Test
  void knowsTheSumOfWholePiecesAppendedWithTheirSumsAndOfRunsOfThem() {
    SendBuffer buffer = new SendBuffer(1 << 20, new RingPool());
    byte[] a = pattern(1001, 0); // odd: the next piece's words straddle
    byte[] b = pattern(2000, 5000);
    byte[] c = pattern(777, 9000);
    buffer.append(ByteBuffer.wrap(a), sum(a, 0, a.length));
    buffer.append(ByteBuffer.wrap(b), sum(b, 0, b.length));
    buffer.append(ByteBuffer.wrap(c)); // no sum known
    byte[] all = new byte[buffer.size()];
    buffer.copy(0, all, all.length);
    assertThat(buffer.sum(0, 1001)).isEqualTo(sum(all, 0, 1001));
    assertThat(buffer.sum(1001, 2000)).isEqualTo(sum(all, 1001, 2000));
    assertThat(buffer.sum(0, 3001)).as("two pieces, the second at an odd position").isEqualTo(sum(all, 0, 3001));
    assertThat(buffer.sum(0, 1000)).as("part of a piece").isEqualTo(-1);
    assertThat(buffer.sum(1, 1000)).as("not at a piece's start").isEqualTo(-1);
    assertThat(buffer.sum(1001, 2777)).as("into a piece without a sum").isEqualTo(-1);
    buffer.drop(1001);
    assertThat(buffer.sum(0, 2000)).as("after the head moved").isEqualTo(sum(all, 1001, 2000));
    assertThat(sum(all, 0, 3001)).isNotEqualTo(sum(all, 1001, 2000));
  }

  @Test
  void aFullQueueOfSegmentsFromMtu65535KeepsEverySegmentsSum() {
    // 4 MiB of the host's 65,483-byte segments (MTU 65,535 with timestamps) is 65 pieces: the oldest
    // one's sum was forgotten at 64, and the sender summed its 64 KiB again.
    SendBuffer buffer = new SendBuffer(TcpSender.SEND_BUFFER, new RingPool());
    int piece = 65_483;
    byte[] all = pattern(TcpSender.SEND_BUFFER, 0);
    int pieces = 0;
    for (int at = 0; at < all.length; at += piece) {
      int n = Math.min(piece, all.length - at);
      assertThat(buffer.append(ByteBuffer.wrap(all, at, n), sum(all, at, n))).isEqualTo(n);
      pieces++;
    }
    assertThat(pieces).isEqualTo(65);
    assertThat(buffer.sum(0, piece)).as("the oldest piece").isEqualTo(sum(all, 0, piece));
    assertThat(buffer.sum(64 * piece, all.length - 64 * piece)).as("the newest").isEqualTo(sum(all, 64 * piece, all.length - 64 * piece));
    assertThat(buffer.sum(piece, 2 * piece)).as("a run of two").isEqualTo(sum(all, piece, 2 * piece));
    buffer.drop(3 * piece);
    assertThat(buffer.sum(0, piece)).as("after the host acknowledged three").isEqualTo(sum(all, 3 * piece, piece));
  }

  @Test
  void pastItsMostEntriesTheOldestSumsAreForgottenAndTheirSegmentsSummedFromTheBytes() {
    SendBuffer buffer = new SendBuffer(1 << 20, new RingPool());
    byte[] all = pattern(600 * 100, 0);
    for (int at = 0; at < all.length; at += 100) {
      buffer.append(ByteBuffer.wrap(all, at, 100), sum(all, at, 100));
    }
    assertThat(buffer.sum(0, 100)).as("the first of 600, past 512 kept").isEqualTo(-1);
    assertThat(buffer.sum(87 * 100, 100)).as("the last forgotten").isEqualTo(-1);
    assertThat(buffer.sum(88 * 100, 100)).as("the oldest kept").isEqualTo(sum(all, 88 * 100, 100));
    assertThat(buffer.sum(599 * 100, 100)).as("the newest").isEqualTo(sum(all, 599 * 100, 100));
    for (int piece = 88; piece < 599; piece += 37) {
      assertThat(buffer.sum(piece * 100, 300)).as("three from piece %d", piece).isEqualTo(sum(all, piece * 100, 300));
      assertThat(buffer.sum(piece * 100 + 2, 98)).as("inside piece %d", piece).isEqualTo(-1);
    }
  }

  /** The folded one's complement sum of {@code b[offset, offset + length)} (RFC 1071). */
  private static int sum(byte[] b, int offset, int length) {
    return ~io.faketcp.packet.Checksum.compute(ByteBuffer.wrap(b), offset, length) & 0xffff;
  }

  private static byte[] pattern(int length, int start) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ((start + i) * 31 / 7);
    }
    return b;
  }
}
