package io.faketcp.peer.internal.servers;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.internal.tcp.Application;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BlockSums}: a server's output summed in 4 KiB blocks as it is written, in pieces of any size. */
class BlockSumsTest {
  private static final int BLOCK = Application.SUM_BLOCK;

  /** Textbook RFC 1071 over {@code b[offset, offset + length)}: 16-bit words, end-around carry, folded. */
  static int reference(byte[] b, int offset, int length) {
    long sum = 0;
    for (int i = 0; i < length; i += 2) {
      sum += (b[offset + i] & 0xff) << 8 | (i + 1 < length ? b[offset + i + 1] & 0xff : 0);
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  @Test
  void knowsEveryWholeBlockWrittenInOddPiecesAndNoOther() {
    byte[] stream = new byte[10 * BLOCK + 777];
    new Random(1071).nextBytes(stream);
    BlockSums sums = new BlockSums();
    for (int at = 0, piece = 1; at < stream.length; at += piece, piece = piece * 3 % 5003 + 1) {
      int n = Math.min(piece, stream.length - at);
      byte[] copy = new byte[n + 3]; // the server's own array, the bytes not at its start
      System.arraycopy(stream, at, copy, 3, n);
      sums.add(copy, 3, n);
    }

    for (int block = 0; block < 10; block++) {
      assertThat(sums.sum(block)).as("block %d", block).isEqualTo(reference(stream, block * BLOCK, BLOCK));
    }
    assertThat(sums.sum(10)).as("the block written in part").isEqualTo(-1);
    assertThat(sums.sum(11)).isEqualTo(-1);
  }

  @Test
  void bytesThatWentPastUnsummedLeaveTheirBlocksUnknownAndTheNextOnesRight() {
    byte[] stream = new byte[12 * BLOCK];
    new Random(9293).nextBytes(stream);
    BlockSums sums = new BlockSums();
    sums.add(stream, 0, BLOCK + 100); // block 0 whole, block 1 begun
    sums.skip(BLOCK); // the rest of block 1 and the start of block 2 went past
    sums.add(stream, 2 * BLOCK + 100, 2 * BLOCK - 100); // the rest of block 2, block 3
    sums.skip(3 * BLOCK); // blocks 4 to 6 exactly
    sums.add(stream, 7 * BLOCK, 5 * BLOCK);

    assertThat(sums.sum(0)).isEqualTo(reference(stream, 0, BLOCK));
    assertThat(sums.sum(1)).as("begun, then skipped").isEqualTo(-1);
    assertThat(sums.sum(2)).as("skipped in part").isEqualTo(-1);
    assertThat(sums.sum(3)).isEqualTo(reference(stream, 3 * BLOCK, BLOCK));
    for (int block = 4; block < 7; block++) {
      assertThat(sums.sum(block)).as("block %d skipped", block).isEqualTo(-1);
    }
    for (int block = 7; block < 12; block++) {
      assertThat(sums.sum(block)).as("block %d", block).isEqualTo(reference(stream, block * BLOCK, BLOCK));
    }
  }

  @Test
  void rfc1071sExampleRepeatedFillsABlockWithItsSum() {
    // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2; 512 of them make one block.
    byte[] example = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
    BlockSums sums = new BlockSums();
    for (int i = 0; i < BLOCK / 8; i++) {
      sums.add(example, 0, 8);
    }
    long expected = 512L * 0xddf2;
    while ((expected >>> 16) != 0) {
      expected = (expected & 0xffff) + (expected >>> 16);
    }

    assertThat(sums.sum(0)).isEqualTo((int) expected);
  }

  @Test
  void keepsTheLastBlocksOnly() {
    BlockSums sums = new BlockSums();
    byte[] block = new byte[BLOCK];
    for (int i = 0; i <= BlockSums.SLOTS; i++) {
      block[0] = (byte) i;
      sums.add(block, 0, BLOCK);
    }

    assertThat(sums.sum(0)).as("overwritten by block %d", BlockSums.SLOTS).isEqualTo(-1);
    assertThat(sums.sum(BlockSums.SLOTS)).isEqualTo(reference(block, 0, BLOCK));
    assertThat(sums.sum(1)).isEqualTo((1 << 8) & 0xffff);
  }

  @Test
  void bytesSplicedForFourGibibytesLeaveNoSumOfTheBlockTheStreamWrappedTo() {
    byte[] first = new byte[2 * BLOCK];
    new Random(32).nextBytes(first);
    BlockSums sums = new BlockSums();
    sums.add(first, 0, first.length); // blocks 0 and 1 summed
    long skipped = (1L << 32) - first.length; // then 4 GiB spliced by the peer thread: the stream wraps to block 0
    while (skipped > 0) {
      int n = (int) Math.min(skipped, 1 << 20);
      sums.skip(n);
      skipped -= n;
    }

    assertThat(sums.sum(0)).as("block 0, 4 GiB on: its bytes went past unsummed").isEqualTo(-1);
    assertThat(sums.sum(1)).as("block 1, 4 GiB on").isEqualTo(-1);
  }
}
