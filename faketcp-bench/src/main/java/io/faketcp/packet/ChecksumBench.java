package io.faketcp.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The internet checksum's sum ({@link Checksum#sum}) over one segment's payload, 65,483 bytes (MTU
 * 65,535) and 1,448 bytes (MTU 1,500), from a direct buffer (as the peer reads packets) and a heap
 * one; beside the loop it replaced (the buffer's longs read one by one through a VarHandle, four
 * lanes) and a plain copy of the same bytes into a heap array, the yardstick of one pass over them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChecksumBench {
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  @Param({"65483", "1448"})
  int length;
  ByteBuffer direct;
  ByteBuffer heap;
  byte[] target;

  @Setup
  public void setUp() {
    direct = ByteBuffer.allocateDirect(65536);
    heap = ByteBuffer.allocate(65536);
    for (int i = 0; i < 65536; i++) {
      direct.put(i, (byte) (i * 31 + 7));
      heap.put(i, (byte) (i * 31 + 7));
    }
    target = new byte[65536];
  }

  /** The sum as the peer computes it, from a direct buffer. */
  @Benchmark
  public long sumDirect() {
    return Checksum.sum(direct, 0, length);
  }

  /** The sum from a heap buffer. */
  @Benchmark
  public long sumHeap() {
    return Checksum.sum(heap, 0, length);
  }

  /** The loop {@link Checksum#sum} had before: the buffer's longs read one by one, in four lanes. */
  @Benchmark
  public long longsOneByOne() {
    ByteBuffer b = direct;
    int i = 0;
    long a = 0;
    long c = 0;
    long d = 0;
    long e = 0;
    for (; length - i >= 32; i += 32) {
      long v = (long) LONGS.get(b, i);
      long w = (long) LONGS.get(b, i + 8);
      long x = (long) LONGS.get(b, i + 16);
      long y = (long) LONGS.get(b, i + 24);
      a += (v >>> 32) + (v & 0xFFFF_FFFFL);
      c += (w >>> 32) + (w & 0xFFFF_FFFFL);
      d += (x >>> 32) + (x & 0xFFFF_FFFFL);
      e += (y >>> 32) + (y & 0xFFFF_FFFFL);
    }
    return a + c + d + e;
  }

  /** One copy of the same bytes from the direct buffer into a heap array. */
  @Benchmark
  public byte[] copyDirectToHeap() {
    direct.get(0, target, 0, length);
    return target;
  }
}
