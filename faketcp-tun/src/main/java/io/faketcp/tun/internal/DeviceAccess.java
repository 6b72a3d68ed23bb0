package io.faketcp.tun.internal;

import java.util.Objects;

/**
 * Not API: device operations that only faketcp's own modules call (faketcp-junit's device pool), kept
 * off {@code TunDevice}'s public surface. {@code TunDevice} installs the one implementation when its
 * class initialises; any code holding a device has therefore already triggered it.
 *
 * <p>The device type is a type parameter so that this package does not depend on {@code io.faketcp.tun}
 * (which depends on it): callers write {@code DeviceAccess.<TunDevice>get().withdrawAddress(device)}.
 *
 * @param <D> the device type, {@code io.faketcp.tun.TunDevice}
 */
public abstract class DeviceAccess<D> {
  private static volatile DeviceAccess<?> installed;

  /** For the one implementation only. */
  protected DeviceAccess() {
  }

  /**
   * Installs the implementation; called once, by {@code TunDevice}'s class initialiser.
   *
   * @throws IllegalStateException when an implementation is already installed
   */
  public static synchronized void install(DeviceAccess<?> access) {
    Objects.requireNonNull(access, "access");
    if (installed != null) {
      throw new IllegalStateException("DeviceAccess is installed once, by TunDevice; it is not an extension point");
    }
    installed = access;
  }

  /**
   * The implementation.
   *
   * @throws IllegalStateException when no {@code TunDevice} class has been initialised yet (open a device
   *     first: only an open device has an address to withdraw)
   */
  @SuppressWarnings("unchecked")
  public static <D> DeviceAccess<D> get() {
    DeviceAccess<?> access = installed;
    if (access == null) {
      throw new IllegalStateException("DeviceAccess is used before any TunDevice was opened: open a device first");
    }
    return (DeviceAccess<D>) access;
  }

  /**
   * Takes the host's address (and so the subnet's routes) off the device's interface, leaving it up
   * and open: the kernel stops routing the subnet there at once, and the device can close in the
   * background while another device takes the subnet.
   *
   * @throws io.faketcp.tun.TunException when the device is closed or the ioctl fails
   */
  public abstract void withdrawAddress(D device);

  /**
   * Gives the host its address and netmask on the device's interface again after
   * {@link #withdrawAddress}.
   *
   * @throws io.faketcp.tun.TunException when the device is closed or the ioctl fails
   */
  public abstract void restoreAddress(D device);

  /**
   * Writes {@code buffer[0, length)} (a direct buffer), a packet whose checksum at {@code checksumStart
   * + checksumOffset} holds only the pseudo-header's sum, for the kernel to complete: on a device
   * opened with checksum offload.
   *
   * @throws IllegalStateException when the device has no checksum offload
   * @throws io.faketcp.tun.TunException when the device is closed or the kernel refuses the packet
   */
  public abstract void writeChecksumPending(D device, java.nio.ByteBuffer buffer, int length, int checksumStart,
      int checksumOffset);

  /**
   * Writes one packet from two parts in one {@code writev}: its headers, {@code header[0, headerLength)},
   * and its payload, {@code payload}'s {@code [position, limit)} (both direct buffers), so that the
   * payload goes to the kernel from where it is. With {@code checksumStart} not negative (a device
   * opened with checksum offload only) the checksum at {@code checksumStart + checksumOffset} holds only
   * the pseudo-header's sum, for the kernel to complete; negative: the packet is complete.
   *
   * @throws IllegalArgumentException when a buffer is not direct or the headers do not fit it
   * @throws IllegalStateException when {@code checksumStart} is not negative on a device without checksum offload
   * @throws io.faketcp.tun.TunException when the device is closed or the kernel refuses the packet
   */
  public abstract void writeGather(D device, java.nio.ByteBuffer header, int headerLength, java.nio.ByteBuffer payload,
      int checksumStart, int checksumOffset);
}
