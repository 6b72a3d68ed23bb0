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
