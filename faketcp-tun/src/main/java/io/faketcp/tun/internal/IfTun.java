package io.faketcp.tun.internal;

/** Constants from {@code <linux/if_tun.h>}. */
public final class IfTun {
  /** {@code TUNSETIFF = _IOW('T', 202, int)}: attach the fd to a (new) tun/tap interface. */
  public static final long TUNSETIFF = 0x400454caL;
  /** {@code IFF_TUN}: layer-3 device, packets start with the IP header. */
  public static final int IFF_TUN = 0x0001;
  /** {@code IFF_NO_PI}: no 4-byte packet-information prefix. */
  public static final int IFF_NO_PI = 0x1000;
  /** {@code IFF_MULTI_QUEUE}: one of several queues (fds) of the same interface. */
  public static final int IFF_MULTI_QUEUE = 0x0100;
  /** {@code IFF_VNET_HDR}: every packet read or written is preceded by a {@code struct virtio_net_hdr}. */
  public static final int IFF_VNET_HDR = 0x4000;
  /** {@code TUNSETOFFLOAD = _IOW('T', 208, unsigned int)}: the offloads the reader of the fd handles. */
  public static final long TUNSETOFFLOAD = 0x400454d0L;
  /** {@code TUN_F_CSUM}: the reader completes checksums (the host's packets may come with a partial one). */
  public static final int TUN_F_CSUM = 0x01;
  /** {@code sizeof(struct virtio_net_hdr)}: the header before each packet with {@link #IFF_VNET_HDR}. */
  public static final int VNET_HDR_SIZE = 10;
  /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum at csum_start + csum_offset is still to be completed. */
  public static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;

  private IfTun() {}
}
