package io.faketcp.tun.internal;

/** Constants from {@code <linux/sockios.h>} and {@code <net/if.h>} for interface configuration. */
public final class Sockios {
  /** Get interface flags. */
  public static final long SIOCGIFFLAGS = 0x8913;
  /** Set interface flags. */
  public static final long SIOCSIFFLAGS = 0x8914;
  /** Set the interface's IPv4 address; on an AF_INET6 socket, add an IPv6 address ({@code struct in6_ifreq}). */
  public static final long SIOCSIFADDR = 0x8916;
  /** Delete an address ({@code struct in6_ifreq} on an AF_INET6 socket). */
  public static final long SIOCDIFADDR = 0x8936;
  /** Get the interface index ({@code ifr_ifindex}). */
  public static final long SIOCGIFINDEX = 0x8933;
  /** Set the interface's IPv4 netmask. */
  public static final long SIOCSIFNETMASK = 0x891c;
  /** Set the MTU. */
  public static final long SIOCSIFMTU = 0x8922;
  /** Set the transmit queue length ({@code ifr_qlen}). */
  public static final long SIOCSIFTXQLEN = 0x8943;
  /** {@code IFF_UP}: interface is up. */
  public static final int IFF_UP = 0x1;
  /** {@code IFF_RUNNING}: resources allocated. */
  public static final int IFF_RUNNING = 0x40;

  private Sockios() {}
}
