package io.faketcp.spring;

import io.faketcp.tun.Subnet;
import org.springframework.core.env.PropertySource;

/**
 * The context network's addresses as properties, known before the context refreshes:
 * {@code faketcp.subnet}, {@code faketcp.host} and {@code faketcp.address.N} (the subnet's Nth address),
 * and on a dual-stack network {@code faketcp.subnet6}, {@code faketcp.host6} and {@code faketcp.address6.N}.
 * On an IPv6-only network {@code faketcp.subnet} is the prefix too, and the IPv4 addresses' properties
 * fail saying which to use.
 */
final class NetworkPropertySource extends PropertySource<Subnet> {
  static final String NAME = "faketcp";
  private static final String ADDRESS = "faketcp.address.";
  private static final String ADDRESS6 = "faketcp.address6.";
  /** The IPv6 prefix, or null. */
  private final Subnet subnet6;

  NetworkPropertySource(Subnet subnet, Subnet subnet6) {
    super(NAME, subnet);
    this.subnet6 = subnet6;
  }

  @Override
  public Object getProperty(String name) {
    if (!name.startsWith("faketcp.")) {
      return null;
    }
    Subnet subnet = getSource();
    if (name.equals("faketcp.subnet")) {
      return subnet.toString();
    }
    if (subnet.isIpv6() && (name.equals("faketcp.host") || name.startsWith(ADDRESS))) {
      throw new IllegalArgumentException("property " + name + ": the network is IPv6 only (" + subnet
          + "): use faketcp.host6 or faketcp.address6.N, or give it an IPv4 subnet beside subnet6");
    }
    if (name.equals("faketcp.host")) {
      return subnet.hostAddress().getHostAddress();
    }
    if (subnet6 != null && name.equals("faketcp.subnet6")) {
      return subnet6.toString();
    }
    if (subnet6 != null && name.equals("faketcp.host6")) {
      return io.faketcp.packet.Ipv6Packet.toText((java.net.Inet6Address) subnet6.host());
    }
    if (subnet6 != null && name.startsWith(ADDRESS6)) {
      String n = name.substring(ADDRESS6.length());
      try {
        return io.faketcp.packet.Ipv6Packet.toText((java.net.Inet6Address) subnet6.addressAt(Long.parseLong(n)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("property " + name + ": " + subnet6 + " has no address number " + n
            + " (" + e.getMessage() + ")", e);
      }
    }
    if (name.startsWith(ADDRESS)) {
      String n = name.substring(ADDRESS.length());
      try {
        return subnet.address(Integer.parseInt(n)).getHostAddress();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("property " + name + ": " + subnet + " has no address number " + n
            + " (" + e.getMessage() + ")", e);
      }
    }
    return null;
  }
}
