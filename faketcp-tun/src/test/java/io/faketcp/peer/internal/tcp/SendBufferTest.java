package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link SendBuffer}: a ring that grows into its limit with use and keeps the bytes in order. */
class SendBufferTest {

  @Test
  void startsSmallAndGrowsToTheLimitKeepingTheOrderAcrossTheWrap() {
    SendBuffer buffer = new SendBuffer(4 * SendBuffer.INITIAL);
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
  void takesNoMoreThanTheLimit() {
    SendBuffer buffer = new SendBuffer(1000);
    assertThat(buffer.capacity()).isEqualTo(1000);
    ByteBuffer source = ByteBuffer.wrap(new byte[1500]);
    assertThat(buffer.append(source)).isEqualTo(1000);
    assertThat(source.remaining()).isEqualTo(500);
    assertThat(buffer.free()).isZero();
  }

  private static byte[] pattern(int length, int start) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ((start + i) * 31 / 7);
    }
    return b;
  }
}
