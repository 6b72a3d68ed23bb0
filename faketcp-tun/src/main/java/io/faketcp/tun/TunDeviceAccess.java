package io.faketcp.tun;

import io.faketcp.tun.internal.DeviceAccess;
import java.nio.ByteBuffer;

/**
 * The one {@link DeviceAccess}: the {@link TunDevice} operations only faketcp's own modules call —
 * taking the host's address off and back, and the peer's writes that leave a checksum to the kernel
 * or gather a packet from two buffers. Each is a call on the device as {@link TunDevice#begin} says.
 */
final class TunDeviceAccess extends DeviceAccess<TunDevice> {
  @Override
  public void withdrawAddress(TunDevice device) {
    device.withdrawAddress();
  }

  @Override
  public void restoreAddress(TunDevice device) {
    device.restoreAddress();
  }

  @Override
  public void writeChecksumPending(TunDevice device, ByteBuffer buffer, int length, int checksumStart,
      int checksumOffset) {
    if (!device.checksumOffload()) {
      throw new IllegalStateException(device.name() + " was opened without checksum offload: write complete checksums");
    }
    if (!buffer.isDirect() || length < 0 || length > buffer.capacity()) {
      throw new IllegalArgumentException("packet of " + length + " bytes in a buffer of " + buffer.capacity()
          + (buffer.isDirect() ? "" : " (not direct)"));
    }
    long stamp = device.begin("write");
    try {
      NativeCalls calls = device.calls(stamp);
      device.io().write(calls.address(buffer), length, calls, checksumStart, checksumOffset);
    } finally {
      device.end(stamp);
    }
  }

  @Override
  public void writeGather(TunDevice device, ByteBuffer header, int headerLength, ByteBuffer payload,
      int checksumStart, int checksumOffset) {
    if (checksumStart >= 0 && !device.checksumOffload()) {
      throw new IllegalStateException(device.name() + " was opened without checksum offload: write complete checksums");
    }
    if (!header.isDirect() || !payload.isDirect() || headerLength < 0 || headerLength > header.capacity()) {
      throw new IllegalArgumentException("headers of " + headerLength + " bytes in a buffer of " + header.capacity()
          + (header.isDirect() ? "" : " (not direct)") + ", payload " + (payload.isDirect() ? "direct" : "not direct"));
    }
    long stamp = device.begin("write");
    try {
      NativeCalls calls = device.calls(stamp);
      // The payload's address is looked up each time (a JNI call, once per segment of 4 KiB or more):
      // remembering a send queue's buffer would keep it, and its megabytes, for as long as the device.
      device.io().writeGather(calls, calls.address(header), headerLength,
          TunDevice.address(payload) + payload.position(), payload.remaining(), checksumStart, checksumOffset);
    } finally {
      device.end(stamp);
    }
  }
}
