package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The out-of-order buffer alone: bytes kept as far as the window reaches (megabytes, not 64 KiB),
 * its ring grown without losing or moving a byte (across the ring's wrap and 2^32), handed back
 * byte-exact once the hole is filled, and let go once empty.
 */
class ReassemblyTest {
  private static final int WINDOW = 4 << 20;

  @Test
  void rangesFarPast64KiBAreKeptAndListedLatestFirst() {
    Reassembly r = new Reassembly();
    int rcvNxt = 1000;
    byte[] data = pattern(3_000_000, 1);
    assertThat(add(r, data, 1460, 100_000, rcvNxt, WINDOW)).isTrue();
    assertThat(add(r, data, 2_000_000, 1460, rcvNxt, WINDOW)).isTrue();
    assertThat(add(r, data, 3_000_000 - 1460, 1460, rcvNxt, WINDOW)).as("2.9 MB past the hole").isTrue();
    assertThat(r.capacity()).as("the window offered, rounded up to a power of two").isEqualTo(WINDOW);
    byte[] sack = r.sackOption(options());
    assertThat(sack).hasSize(4 + 3 * 8);
    assertThat(blocks(sack)).containsExactly(
        rcvNxt + 3_000_000 - 1460, rcvNxt + 3_000_000,
        rcvNxt + 1460, rcvNxt + 101_460,
        rcvNxt + 2_000_000, rcvNxt + 2_001_460);
  }

  @Test
  void aSmallWindowGetsA64KiBRingThatGrowsKeepingWhatStraddlesItsWrap() {
    Reassembly r = new Reassembly();
    int rcvNxt = (1 << 16) * 5 - 3000; // the ring's index 62,536: bytes from 100 on straddle its end
    byte[] data = pattern(300_000, 2);
    assertThat(add(r, data, 100, 10_000, rcvNxt, 20_000)).isTrue();
    assertThat(r.capacity()).as("at least 64 KiB").isEqualTo(1 << 16);
    assertThat(add(r, data, 250_000, 50_000, rcvNxt, 20_000)).as("beyond the ring: it grows").isTrue();
    assertThat(r.capacity()).isEqualTo(1 << 19);
    assertThat(add(r, data, 10_100, 239_900, rcvNxt, 20_000)).isTrue();
    assertThat(r.contiguous(rcvNxt)).as("nothing at RCV.NXT: the hole").isZero();

    rcvNxt += 100; // the hole's bytes, delivered in order
    r.advance(rcvNxt);
    assertThat(r.contiguous(rcvNxt)).isEqualTo(299_900);
    assertThat(drain(r, rcvNxt, 299_900)).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 300_000));
    r.advance(rcvNxt + 299_900);
    assertThat(r.isEmpty()).isTrue();
    assertThat(r.capacity()).as("a grown ring is let go once empty").isZero();
  }

  @Test
  void sequenceNumbersWrappingPast2To32KeepTheirBytes() {
    Reassembly r = new Reassembly();
    int rcvNxt = -70_000; // 2^32 - 70,000: the kept bytes cross 2^32
    byte[] data = pattern(1_000_000, 3);
    assertThat(add(r, data, 60_000, 20_000, rcvNxt, 1 << 16)).isTrue();
    assertThat(add(r, data, 500_000, 500_000, rcvNxt, 1 << 16)).isTrue(); // grows to 1 MiB
    assertThat(add(r, data, 80_000, 420_000, rcvNxt, 1 << 16)).isTrue();
    assertThat(r.rangeCount()).isEqualTo(1);
    assertThat(blocks(r.sackOption(options()))).containsExactly(rcvNxt + 60_000, rcvNxt + 1_000_000);
    assertThatThrownBy(() -> r.add(ByteBuffer.wrap(data), 0, 10, rcvNxt - 10, rcvNxt, 1 << 16))
        .as("bytes before RCV.NXT are not out of order").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must lie after RCV.NXT 4294897296");
  }

  @Test
  void theBytesAfterAFilledHoleAcross2To32ComeBackExactly() {
    Reassembly r = new Reassembly();
    int rcvNxt = -1460;
    byte[] data = pattern(400_000, 4);
    for (int at = 400_000 - 1460; at >= 1460; at -= 1460 * 20) { // every 20th segment, the last first
      assertThat(add(r, data, at, Math.min(1460, 400_000 - at), rcvNxt, 1 << 16)).isTrue();
    }
    for (int at = 1460; at < 400_000; at += 1460) {
      assertThat(add(r, data, at, Math.min(1460, 400_000 - at), rcvNxt, 1 << 16)).isTrue();
    }
    assertThat(r.rangeCount()).isEqualTo(1);
    rcvNxt += 1460;
    r.advance(rcvNxt);
    assertThat(drain(r, rcvNxt, 400_000 - 1460)).isEqualTo(java.util.Arrays.copyOfRange(data, 1460, 400_000));
  }

  @Test
  void aFinAfterTheGapIsFoundOnceTheBytesBeforeItAreIn() {
    Reassembly r = new Reassembly();
    byte[] data = pattern(200_000, 5);
    add(r, data, 100_000, 100_000, 0, 1 << 16);
    r.fin(200_000);
    assertThat(r.finAt(100)).isFalse();
    r.advance(200_000);
    assertThat(r.finAt(200_000)).isTrue();
    assertThat(r.isEmpty()).as("the FIN is still kept").isFalse();
  }

  @Test
  void seventeenRangesDoNotFitAndSegmentsBeyondAnyRingAreRefused() {
    Reassembly r = new Reassembly();
    byte[] data = pattern(100, 6);
    for (int i = 0; i < Reassembly.RANGES; i++) {
      assertThat(r.add(ByteBuffer.wrap(data), 0, 10, 100 + 100 * i, 0, 1 << 16)).isTrue();
    }
    assertThat(r.add(ByteBuffer.wrap(data), 0, 10, 100_000, 0, 1 << 16)).as("a 17th range").isFalse();
    assertThat(r.add(ByteBuffer.wrap(data), 0, 10, Reassembly.MAX_CAPACITY, 0, 1 << 16)).isFalse();
    assertThat(r.rangeCount()).isEqualTo(Reassembly.RANGES);
  }

  /** Keeps {@code data[from, from + length)}, the bytes at {@code rcvNxt + from}. */
  private static boolean add(Reassembly r, byte[] data, int from, int length, int rcvNxt, int window) {
    return r.add(ByteBuffer.wrap(data), from, length, rcvNxt + from, rcvNxt, window);
  }

  /** The {@code n} contiguous bytes at {@code rcvNxt}, read view by view as the receiver reads them. */
  private static byte[] drain(Reassembly r, int rcvNxt, int n) {
    byte[] out = new byte[n];
    int got = 0;
    while (got < n) {
      ByteBuffer view = r.view(rcvNxt + got, n - got);
      assertThat(view.remaining()).isPositive();
      int k = view.remaining();
      view.get(out, got, k);
      got += k;
    }
    return out;
  }

  private static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i * 7 + i / 251);
    }
    return b;
  }

  private static byte[][] options() {
    byte[][] options = new byte[5][];
    for (int n = 1; n <= 4; n++) {
      options[n] = new byte[4 + 8 * n];
    }
    return options;
  }

  /** The SACK blocks' edges in order, left and right of each. */
  private static int[] blocks(byte[] option) {
    assertThat(option[2]).isEqualTo((byte) 5);
    int[] edges = new int[(option.length - 4) / 4];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = ByteBuffer.wrap(option, 4 + 4 * i, 4).getInt();
    }
    return edges;
  }
}
