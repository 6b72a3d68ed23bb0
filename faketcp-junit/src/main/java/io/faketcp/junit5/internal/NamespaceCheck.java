package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds an address or route already in this network namespace that overlaps a subnet: the routes of
 * {@code /proc/net/route} (the default route excepted: a more specific route always wins over it) and
 * every interface's IPv4 addresses, leaving out faketcp's own devices.
 */
final class NamespaceCheck {
  private static final Path ROUTES = Path.of("/proc/net/route");

  private NamespaceCheck() {}

  /** What overlaps {@code subnet}, e.g. "route 10.0.0.0/8 on eth0"; empty when nothing does. */
  static Optional<String> overlap(Subnet subnet, Set<String> ownDevices) {
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
      if (f.length < 8 || own.contains(f[0])) {
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

  private static Optional<String> addressOverlap(Subnet subnet, Set<String> own) {
    List<NetworkInterface> interfaces;
    try {
      interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
    } catch (SocketException e) {
      return Optional.empty();
    }
    for (NetworkInterface nif : interfaces) {
      if (own.contains(nif.getName())) {
        continue;
      }
      for (InterfaceAddress a : nif.getInterfaceAddresses()) {
        if (!(a.getAddress() instanceof Inet4Address)) {
          continue;
        }
        int address = Subnet.toInt((Inet4Address) a.getAddress());
        int length = Math.max(0, Math.min(32, a.getNetworkPrefixLength()));
        if (overlaps(subnet, address, length)) {
          return Optional.of("address " + a.getAddress().getHostAddress() + "/" + length + " on " + nif.getName());
        }
      }
    }
    return Optional.empty();
  }

  private static boolean overlaps(Subnet subnet, int address, int length) {
    int shorter = Math.min(length, subnet.prefixLength());
    int mask = shorter == 0 ? 0 : -1 << (32 - shorter);
    return (address & mask) == (subnet.networkInt() & mask);
  }
}
