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
   * Writes {@code buffer[0, length)} (a direct buffer), a TCP or UDP packet of the peer's own whose
   * checksum, at {@code checksumStart + checksumOffset}, the kernel takes as a network card's work
   * ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}) and does not check: on a device with checksum offload the
   * field holds only the pseudo-header's sum (folded, not complemented); on one without, the complete
   * checksum, which a capture shows as it is. Only for packets to the host (the kernel would complete
   * the field again on a packet it forwards), and only where {@link #ownChecksums} says so.
   *
   * @throws IllegalArgumentException when the buffer is not direct or the checksum lies outside the packet
   * @throws IllegalStateException when the device cannot mark checksums
   * @throws io.faketcp.tun.TunException when the device is closed or the kernel refuses the packet
   */
  public abstract void writeOwnChecksum(D device, java.nio.ByteBuffer buffer, int length, int checksumStart,
      int checksumOffset);

  /**
   * Whether the device can mark a packet's checksum as the peer's own ({@link #writeOwnChecksum}, {@link
   * #writeGather} with a {@code checksumStart}): one with checksum offload, or with a large MTU, where
   * sparing the kernel its check pays for the header each packet then carries.
   */
  public abstract boolean ownChecksums(D device);

  /**
   * Writes one packet from two parts in one {@code writev}: its headers, {@code header[0, headerLength)},
   * and its payload, {@code payload}'s {@code [position, limit)} (both direct buffers), so that the
   * payload goes to the kernel from where it is. With {@code checksumStart} not negative the checksum
   * at {@code checksumStart + checksumOffset} is the peer's own, as for {@link #writeOwnChecksum};
   * negative: the kernel checks the packet's checksums.
   *
   * @throws IllegalArgumentException when a buffer is not direct or the headers do not fit it
   * @throws IllegalStateException when {@code checksumStart} is not negative and the device cannot mark checksums
   * @throws io.faketcp.tun.TunException when the device is closed or the kernel refuses the packet
   */
  public abstract void writeGather(D device, java.nio.ByteBuffer header, int headerLength, java.nio.ByteBuffer payload,
      int checksumStart, int checksumOffset);
}
