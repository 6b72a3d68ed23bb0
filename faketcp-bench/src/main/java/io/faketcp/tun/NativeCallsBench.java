package io.faketcp.tun;

import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one per-packet system call as the peer makes it, by way of calling: JNA direct
 * mapping, and (JDK 22+) the FFM downcall handles with and without errno capture. The calls go to
 * {@code /dev/null} (write), {@code /dev/zero} (read of 64 bytes) and an empty non-blocking eventfd
 * (a read that fails with EAGAIN, as the last read of each wake-up does), so that the kernel's share
 * is as small as a system call's can be and the differences are the calling paths'. The {@code ffm*}
 * benchmarks fail on JDK 17-21.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NativeCallsBench {
  int devNull;
  int devZero;
  int empty;
  long address;
  ByteBuffer buffer;
  Object errno;

  @Setup
  public void setUp() {
    devNull = LibC.open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC);
    devZero = LibC.open("/dev/zero", LibC.O_RDWR | LibC.O_CLOEXEC);
    empty = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
    buffer = ByteBuffer.allocateDirect(4096);
    address = TunDevice.address(buffer);
    if (NativeCalls.foreignAvailable()) {
      errno = ForeignCalls.Handles.allocateCallState();
    }
  }

  @TearDown
  public void tearDown() {
    LibC.close(devNull);
    LibC.close(devZero);
    LibC.close(empty);
  }

  @Benchmark
  public long jnaWrite() {
    return LibC.write(devNull, address, 64);
  }

  @Benchmark
  public long jnaRead() {
    return LibC.read(devZero, address, 64);
  }

  @Benchmark
  public long jnaReadEmpty() {
    return LibC.read(empty, address, 8);
  }

  @Benchmark
  public long ffmWriteCapturingErrno() throws Throwable {
    return (long) ForeignCalls.Handles.WRITE.invokeExact(errno, devNull, address, 64L);
  }

  @Benchmark
  public long ffmWrite() throws Throwable {
    return (long) ForeignCalls.Handles.WRITE_UNCAPTURED.invokeExact(devNull, address, 64L);
  }

  @Benchmark
  public long ffmReadCapturingErrno() throws Throwable {
    return (long) ForeignCalls.Handles.READ.invokeExact(errno, devZero, address, 64L);
  }

  @Benchmark
  public long ffmRead() throws Throwable {
    return (long) ForeignCalls.Handles.READ_UNCAPTURED.invokeExact(devZero, address, 64L);
  }

  @Benchmark
  public long ffmReadEmptyCapturingErrno() throws Throwable {
    return (long) ForeignCalls.Handles.READ.invokeExact(errno, empty, address, 8L);
  }
}
