package io.faketcp.junit5.internal;

import io.faketcp.packet.Ipv6Packet;
import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds an address or route already in this network namespace that overlaps a subnet: the routes of
 * {@code /proc/net/route} (the default route excepted: a more specific route always wins over it; and
 * {@code unreachable} routes, which the launcher's reach adds so that fake subnets cannot leak, and a
 * fake subnet's own route beats) and every interface's IPv4 addresses, leaving out faketcp's own
 * devices. For an IPv6 prefix the routes of {@code /proc/net/ipv6_route}, every table's, with the
 * same exceptions: each IPv6 address of an interface that is up has a local route there.
 */
final class NamespaceCheck {
  private static final Path ROUTES = Path.of("/proc/net/route");
  private static final Path ROUTES6 = Path.of("/proc/net/ipv6_route");
  private static final Path DEVICES = Path.of("/proc/net/dev");
  /** RTF_REJECT: an unreachable (or prohibit, blackhole) route, not a network. */
  private static final int REJECT = 0x0200;
  /** RTF_LOCAL: the route of an address of this host. */
  private static final int LOCAL = 0x80000000;

  private NamespaceCheck() {}

  /** What overlaps {@code subnet}, e.g. "route 10.0.0.0/8 on eth0"; empty when nothing does. */
  static Optional<String> overlap(Subnet subnet, Set<String> ownDevices) {
    if (subnet.isIpv6()) {
      return routeOverlap6(subnet, ownDevices);
    }
    Optional<String> route = routeOverlap(subnet, ownDevices);
    return route.isPresent() ? route : addressOverlap(subnet, ownDevices);
  }

  private static Optional<String> routeOverlap(Subnet subnet, Set<String> own) {
    List<String> lines;
    try {
      lines = Files.readAllLines(ROUTES);
    } catch (IOException e) {
      return Optional.empty(); // no procfs: the kernel will say so when the address is set
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length < 8 || own.contains(f[0]) || (Integer.parseUnsignedInt(f[3], 16) & REJECT) != 0) {
        continue;
      }
      int destination = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
      int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
      int length = Integer.bitCount(mask);
      if (length == 0) {
        continue;
      }
      if (overlaps(subnet, destination, length)) {
        return Optional.of("route " + Subnet.toInet(destination).getHostAddress() + "/" + length + " on " + f[0]);
      }
    }
    return Optional.empty();
  }

  /**
   * A line of /proc/net/ipv6_route: destination (32 hex digits, network order), its length (hex), source
   * and its length, next hop, metric, reference count, use, flags, device.
   */
  private static Optional<String> routeOverlap6(Subnet prefix, Set<String> own) {
    List<String> lines;
    try {
      lines = Files.readAllLines(ROUTES6);
    } catch (IOException e) {
      return Optional.empty(); // no procfs or no IPv6: the kernel will say so when the address is set
    }
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10 || f[0].length() != 32 || own.contains(f[9])) {
        continue;
      }
      int flags = Integer.parseUnsignedInt(f[8], 16);
      int length = Integer.parseInt(f[1], 16);
      if ((flags & REJECT) != 0 || length == 0) {
        continue;
      }
      long high = Long.parseUnsignedLong(f[0], 0, 16, 16);
      long low = Long.parseUnsignedLong(f[0], 16, 32, 16);
      if (overlaps6(prefix, high, low, length)) {
        String address = Ipv6Packet.toText(high, low);
        return Optional.of((flags & LOCAL) != 0 ? "address " + address + " on " + f[9]
            : "route " + address + "/" + length + " on " + f[9]);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> addressOverlap(Subnet subnet, Set<String> own) {
    for (ForeignAddress a : foreignAddresses(own)) {
      if (overlaps(subnet, a.address, a.length)) {
        return Optional.of("address " + Subnet.toInet(a.address).getHostAddress() + "/" + a.length + " on " + a.interfaceName);
      }
    }
    return Optional.empty();
  }

  /**
   * The IPv4 addresses of the interfaces that are not faketcp's. Listing every interface's addresses
   * costs a millisecond or more (a netlink dump per interface, our tun devices included), so the list
   * is kept while the set of foreign interfaces ({@code /proc/net/dev}) stays the same. An address
   * added later to an interface already there is seen by the route check when it brings a route.
   */
  private static List<ForeignAddress> foreignAddresses(Set<String> own) {
    Set<String> names = interfaceNames();
    if (names != null) {
      names.removeAll(own);
      ForeignAddresses cached = cache;
      if (cached != null && cached.interfaces.equals(names)) {
        return cached.addresses;
      }
    }
    List<ForeignAddress> found = new ArrayList<>();
    List<NetworkInterface> interfaces;
    try {
      interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
    } catch (SocketException e) {
      return found;
    }
    for (NetworkInterface nif : interfaces) {
      if (own.contains(nif.getName())) {
        continue;
      }
      for (InterfaceAddress a : nif.getInterfaceAddresses()) {
        if (a.getAddress() instanceof Inet4Address) {
          found.add(new ForeignAddress(Subnet.toInt((Inet4Address) a.getAddress()),
              Math.max(0, Math.min(32, a.getNetworkPrefixLength())), nif.getName()));
        }
      }
    }
    if (names != null) {
      cache = new ForeignAddresses(names, List.copyOf(found));
    }
    return found;
  }

  /** The interface names of this network namespace, or null when {@code /proc/net/dev} cannot be read. */
  private static Set<String> interfaceNames() {
    try {
      List<String> lines = Files.readAllLines(DEVICES);
      Set<String> names = new HashSet<>();
      for (int i = 2; i < lines.size(); i++) {
        String line = lines.get(i);
        int colon = line.indexOf(':');
        if (colon > 0) {
          names.add(line.substring(0, colon).trim());
        }
      }
      return names;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static volatile ForeignAddresses cache;

  private record ForeignAddress(int address, int length, String interfaceName) {}

  private record ForeignAddresses(Set<String> interfaces, List<ForeignAddress> addresses) {}

  private static boolean overlaps6(Subnet prefix, long high, long low, int length) {
    int shorter = Math.min(length, prefix.prefixLength());
    long maskHigh = shorter >= 64 ? -1L : -1L << (64 - shorter); // shorter > 0: the default route is skipped
    long maskLow = shorter <= 64 ? 0 : -1L << (128 - shorter);
    return (high & maskHigh) == (prefix.networkHigh() & maskHigh) && (low & maskLow) == (prefix.networkLow() & maskLow);
  }

  private static boolean overlaps(Subnet subnet, int address, int length) {
    int shorter = Math.min(length, subnet.prefixLength());
    int mask = shorter == 0 ? 0 : -1 << (32 - shorter);
    return (address & mask) == (subnet.networkInt() & mask);
  }
}
