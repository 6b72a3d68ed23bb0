package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link RingPool}: the direct rings of send queues that were left serve the next queues, up to a bound. */
class RingPoolTest {

  @Test
  void aQueueLeftGivesItsGrownRingsToTheNextQueue() {
    RingPool pool = new RingPool();
    SendBuffer first = new SendBuffer(TcpSender.SEND_BUFFER, pool);
    for (int i = 0; i < 3; i++) {
      first.append(ByteBuffer.wrap(new byte[SendBuffer.INITIAL])); // 64 KiB (heap), then 128 KiB, then 256 KiB
    }
    assertThat(first.capacity()).isEqualTo(4 * SendBuffer.INITIAL);
    assertThat(pool.kept()).as("the 128 KiB ring it grew out of").isEqualTo(2 * SendBuffer.INITIAL);
    first.release();
    assertThat(pool.kept()).isEqualTo(6 * SendBuffer.INITIAL);

    SendBuffer second = new SendBuffer(TcpSender.SEND_BUFFER, pool);
    byte[] data = new byte[3 * SendBuffer.INITIAL];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + i / 1000);
    }
    second.append(ByteBuffer.wrap(data));
    assertThat(pool.kept()).as("the 256 KiB ring taken again").isEqualTo(2 * SendBuffer.INITIAL);
    byte[] back = new byte[data.length];
    second.copy(0, back, back.length);
    assertThat(back).as("a reused ring's old bytes do not show").isEqualTo(data);
  }

  @Test
  void keepsNoMoreThanItsBoundDroppingTheOldest() {
    RingPool pool = new RingPool();
    ByteBuffer oldest = ByteBuffer.allocateDirect(TcpSender.SEND_BUFFER);
    pool.give(oldest);
    pool.give(ByteBuffer.allocateDirect(TcpSender.SEND_BUFFER));
    pool.give(ByteBuffer.allocateDirect(TcpSender.SEND_BUFFER));
    pool.give(ByteBuffer.allocate(SendBuffer.INITIAL)); // a heap ring is not kept

    assertThat(pool.kept()).isEqualTo(RingPool.KEPT);
    ByteBuffer a = pool.take(TcpSender.SEND_BUFFER);
    ByteBuffer b = pool.take(TcpSender.SEND_BUFFER);
    ByteBuffer fresh = pool.take(TcpSender.SEND_BUFFER);
    assertThat(a).isNotSameAs(oldest);
    assertThat(b).isNotSameAs(oldest);
    assertThat(fresh).isNotSameAs(oldest).isNotSameAs(a).isNotSameAs(b);
    assertThat(pool.kept()).isZero();
  }
}
