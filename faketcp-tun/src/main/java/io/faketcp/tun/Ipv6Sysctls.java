package io.faketcp.tun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code /proc/sys/net/ipv6/conf/<device>} settings that make IPv6 on a tun device quiet and
 * usable at once: no link-local address (so no router solicitations, the only packets the kernel
 * would send unasked), no duplicate address detection, no router advertisements heeded, and IPv6
 * enabled where the namespace's default disabled it.
 */
final class Ipv6Sysctls {
  private static final System.Logger LOG = System.getLogger(TunDevice.class.getName());
  /** IPv6's minimum link MTU (RFC 8200 §5): below it the kernel disables IPv6 on the link. */
  static final int MINIMUM_MTU = io.faketcp.packet.Ipv6Packet.MINIMUM_MTU;
  private static final Path ROOT = Path.of("/proc/sys/net/ipv6");

  private Ipv6Sysctls() {}

  /**
   * Enables IPv6 on {@code device} (before it is up) without link-local address, DAD or router
   * solicitations.
   *
   * @throws TunException when the kernel has no IPv6, or IPv6 is disabled and cannot be enabled here
   */
  static void enableQuietly(String device) {
    if (!Files.isDirectory(ROOT)) {
      throw new TunException("this kernel has no IPv6 (" + ROOT + " is missing: booted with ipv6.disable=1, or built"
          + " without IPv6), so " + device + " cannot carry an IPv6 subnet: boot without ipv6.disable=1, or use an"
          + " IPv4 subnet only");
    }
    Path conf = ROOT.resolve("conf").resolve(device);
    set(conf, "addr_gen_mode", "1", false); // none: no link-local address, hence no router solicitation
    set(conf, "accept_dad", "0", false);
    set(conf, "router_solicitations", "0", false);
    set(conf, "accept_ra", "0", false);
    if (!set(conf, "disable_ipv6", "0", true)) {
      throw new TunException("IPv6 is disabled on " + device + " (net.ipv6.conf." + device + ".disable_ipv6 = 1,"
          + " inherited from net.ipv6.conf.default.disable_ipv6) and cannot be enabled here: /proc/sys/net is not"
          + " writable in this namespace. Enable IPv6 before the run (sysctl -w net.ipv6.conf.default.disable_ipv6=0"
          + " net.ipv6.conf.all.disable_ipv6=0; in a container: --sysctl net.ipv6.conf.all.disable_ipv6=0), or use"
          + " an IPv4 subnet only");
    }
  }

  /** Writes {@code value} unless it is there already; false when it had to be written and could not. */
  private static boolean set(Path conf, String knob, String value, boolean needed) {
    Path path = conf.resolve(knob);
    try {
      if (Files.readString(path, StandardCharsets.US_ASCII).trim().equals(value)) {
        return true;
      }
      Files.write(path, value.getBytes(StandardCharsets.US_ASCII));
      return true;
    } catch (IOException e) {
      if (!needed) {
        LOG.log(System.Logger.Level.INFO, "could not set {0} to {1} ({2}): captures may see IPv6 packets the kernel"
            + " sends on its own", path, value, e.toString());
      }
      return false;
    }
  }
}
