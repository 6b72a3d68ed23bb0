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

  private IfTun() {}
}
