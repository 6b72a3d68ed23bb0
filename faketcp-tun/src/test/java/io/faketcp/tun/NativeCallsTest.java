package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both native-call implementations against an eventfd: results and errno, no tun needed. */
class NativeCallsTest {

  @Test
  void theImplementationFollowsTheJdk() {
    String expected = Runtime.version().feature() >= 22 ? "ffm" : "jna";
    assertThat(TunDevice.nativeCalls()).isEqualTo(expected);
    assertThat(NativeCalls.foreignAvailable()).isEqualTo(Runtime.version().feature() >= 22);
  }

  @Test
  void readWritePollAndErrnoBehaveAlikeInEveryImplementation() {
    List<NativeCalls> implementations = new ArrayList<>();
    implementations.add(NativeCalls.jna());
    if (NativeCalls.foreignAvailable()) {
      implementations.add(new ForeignCalls());
    }
    for (NativeCalls calls : implementations) {
      int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
      try {
        ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        ByteBuffer pollFd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        pollFd.putInt(0, fd).putShort(4, LibC.POLLIN);
        String name = calls.getClass().getSimpleName();

        assertThat(calls.read(fd, calls.address(value), 8)).as(name + ": read of an empty eventfd").isEqualTo(-1);
        assertThat(calls.errno()).as(name + ": errno").isEqualTo(LibC.EAGAIN);
        assertThat(calls.poll(TunDevice.address(pollFd), 1, 0)).as(name + ": poll, nothing ready").isZero();

        value.putLong(0, 41);
        assertThat(calls.write(fd, calls.address(value), 8)).as(name + ": write").isEqualTo(8);
        assertThat(calls.poll(TunDevice.address(pollFd), 1, 1000)).as(name + ": poll, readable").isEqualTo(1);
        assertThat(pollFd.getShort(6) & LibC.POLLIN).isEqualTo(LibC.POLLIN);
        value.putLong(0, 0);
        assertThat(calls.read(fd, calls.address(value), 8)).isEqualTo(8);
        assertThat(value.getLong(0)).as(name + ": the value written").isEqualTo(41);

        assertThat(calls.write(fd, calls.address(value), 3)).as(name + ": a short write to an eventfd").isEqualTo(-1);
        assertThat(calls.errno()).as(name + ": errno").isEqualTo(LibC.EINVAL);
        assertThat(calls.read(-1, calls.address(value), 8)).isEqualTo(-1);
        assertThat(calls.errno()).as(name + ": errno of a bad fd").isEqualTo(9);

        value.putLong(0, 7);
        assertThat(calls.write(fd, calls.address(value), 8)).isEqualTo(8);
        value.putLong(0, 0);
        assertThat(calls.readWithoutErrno(fd, calls.address(value), 8)).as(name + ": read without errno").isEqualTo(8);
        assertThat(value.getLong(0)).isEqualTo(7);
        assertThat(calls.readWithoutErrno(fd, calls.address(value), 8)).as(name + ": read without errno, empty")
            .isEqualTo(-1);
      } finally {
        LibC.close(fd);
      }
    }
  }

  @Test
  void addressesAreRememberedForTheTwoBuffersUsedLast() {
    NativeCalls calls = NativeCalls.jna();
    ByteBuffer in = ByteBuffer.allocateDirect(16);
    ByteBuffer out = ByteBuffer.allocateDirect(16);
    long inAddress = calls.address(in);
    long outAddress = calls.address(out);
    assertThat(inAddress).isNotEqualTo(outAddress).isEqualTo(TunDevice.address(in));
    assertThat(calls.address(in)).isEqualTo(inAddress);
    assertThat(calls.address(out)).isEqualTo(outAddress);
    assertThat(calls.address(out.duplicate())).isEqualTo(outAddress);
  }
}
