package io.faketcp.peer.internal.servers;

import io.faketcp.packet.Checksum;
import io.faketcp.peer.internal.tcp.Application;

/**
 * The internet checksum sums (RFC 1071, folded) of a server's output stream in blocks of
 * {@link Application#SUM_BLOCK} bytes at stream positions that are multiples of it, summed by the
 * server's thread as it writes, so that the peer thread need not sum the bytes again when it sends
 * them ({@link Application#blockSum}). The last {@value #SLOTS} blocks are kept: more than the
 * endpoint's send queue and the session's output buffer hold together.
 *
 * <p>{@link #add} is called by one writing thread at a time, before it commits the bytes under the
 * session's lock ({@link #skip} by the peer thread in a writer's stead, the session's output marked
 * as being written meanwhile); {@link #sum} by the peer thread for bytes it took from the output
 * buffer under that lock after the commit: what it asks for was stored before.
 */
final class BlockSums {
  /** 8 MiB of stream: the send queue holds up to 4 MiB, the output buffer up to 1 MiB. */
  static final int SLOTS = 2048;
  private static final int BLOCK = Application.SUM_BLOCK;
  private static final int SHIFT = Integer.numberOfTrailingZeros(BLOCK);

  /** Per slot: the block's number plus one (0: none yet), and its sum. */
  private int[] blocks;
  private int[] sums;
  /** The stream position of the next byte written (mod 2^32). */
  private int position;
  /** The sum of the current block's bytes so far, not folded. */
  private long partial;
  /** Bytes of the current block went past unsummed ({@link #skip}): its sum is not known. */
  private boolean broken;

  /** {@code b[off, off + n)} are the stream's next bytes. */
  void add(byte[] b, int off, int n) {
    while (n > 0) {
      int inBlock = position & (BLOCK - 1);
      int k = Math.min(n, BLOCK - inBlock);
      int sum = ~Checksum.compute(b, off, k) & 0xffff; // the array's own entry: no heap buffer in the peer's compiled sums
      partial += (inBlock & 1) == 0 ? sum : swap(sum); // a piece at an odd offset: its words straddle
      position += k;
      off += k;
      n -= k;
      if ((position & (BLOCK - 1)) == 0) {
        if (!broken) {
          store((position - BLOCK) >>> SHIFT, fold(partial));
        }
        partial = 0;
        broken = false;
      }
    }
  }

  /**
   * The stream's next {@code n} bytes went out without passing here (the peer thread sent them
   * itself): the blocks they touch stay unknown (sums kept for the same block numbers 4 GiB of stream
   * before are forgotten), the ones after are summed again.
   */
  void skip(int n) {
    if (n <= 0) {
      return;
    }
    if (blocks != null) { // a block number comes back every 4 GiB: a sum kept from then is not this block's
      long touched = ((position & (BLOCK - 1)) + (long) n + BLOCK - 1) >>> SHIFT;
      int first = position >>> SHIFT;
      for (int k = 0; k < Math.min(touched, SLOTS); k++) {
        blocks[(first + k) & (SLOTS - 1)] = 0;
      }
    }
    position += n;
    partial = 0;
    broken = (position & (BLOCK - 1)) != 0; // the block under way began among the skipped bytes
  }

  /** The sum of block {@code block} (stream position {@code block * SUM_BLOCK}), or -1 when not kept. */
  int sum(int block) {
    int[] known = blocks;
    if (known == null) {
      return -1;
    }
    int slot = block & (SLOTS - 1);
    return known[slot] == block + 1 ? sums[slot] : -1;
  }

  private void store(int block, int sum) {
    if (blocks == null) {
      sums = new int[SLOTS];
      blocks = new int[SLOTS];
    }
    int slot = block & (SLOTS - 1);
    sums[slot] = sum;
    blocks[slot] = block + 1;
  }

  static int swap(int sum) {
    return (sum >>> 8 | sum << 8) & 0xffff;
  }

  static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }
}
