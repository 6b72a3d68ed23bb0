package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The end of a run closes every device and returns only when the kernel has removed its interface, also
 * when the device file outlives the pool's close: the kernel deletes a tun interface when the last
 * reference to the file goes (here a thread blocked in poll on the fd; a child process forked meanwhile
 * does the same until it execs).
 */
class DrainTest {
  /** How long the other holder keeps the device file: its poll starts in the test and times out after this. */
  static final long HOLD_MILLIS = 1000;

  @Test
  void theRunEndsOnlyWhenTheKernelHasRemovedAnInterfaceThatAnotherThreadStillHeld() throws Exception {
    Kit.assertAllSucceeded(Kit.run(HeldDeviceTestCases.class), 1);
    long afterRun = System.nanoTime();
    Kit.assertCleanedUp();
    Thread holder = HeldDeviceTestCases.holder;
    holder.join(10_000);
    // the poll ends by its timeout (then it reports POLLNVAL: the fd number was closed under it): it held the file all along
    assertThat(HeldDeviceTestCases.holderEnded - HeldDeviceTestCases.pollStarted).as("the holder's poll, ns")
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS) * 9 / 10);
    // the interface goes when the holder's poll times out: the run cannot have ended before that
    assertThat(afterRun - HeldDeviceTestCases.pollStarted).as("from the holder's poll to the end of the run, ns")
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS));
  }

  /** The fd of {@code name}'s tun device in this process (its fdinfo says {@code iff: name}). */
  static int tunFd(String name) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fdinfo"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readAllLines(fd).stream().anyMatch(l -> l.startsWith("iff:") && l.substring(4).trim().equals(name))) {
            return Integer.parseInt(fd.getFileName().toString());
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    throw new AssertionError("no fd of " + name + " in /proc/self/fdinfo");
  }

  @FakeNetwork(capture = false)
  static class HeldDeviceTestCases {
    static volatile Thread holder;
    static volatile long pollStarted;
    static volatile long holderEnded;

    @Test
    void anotherThreadPollsTheDeviceFd(NetworkInfo net) throws Exception {
      int fd = tunFd(net.interfaceName());
      Memory pollFd = new Memory(8); // struct pollfd { int fd; short events; short revents; }
      pollFd.setInt(0, fd);
      pollFd.setShort(4, (short) 0); // no event: only the timeout (or the device going away) ends it
      pollFd.setShort(6, (short) 0);
      java.util.concurrent.CountDownLatch polling = new java.util.concurrent.CountDownLatch(1);
      Thread t = new Thread(() -> {
        polling.countDown();
        pollStarted = System.nanoTime();
        LibC.poll(Pointer.nativeValue(pollFd), 1, (int) HOLD_MILLIS);
        holderEnded = System.nanoTime();
      }, "device-file-holder");
      t.setDaemon(true);
      holder = t;
      t.start();
      polling.await();
      Thread.sleep(20); // in poll by now
    }
  }
}
