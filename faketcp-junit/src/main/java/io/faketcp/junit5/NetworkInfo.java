package io.faketcp.junit5;

import io.faketcp.dns.Zone;
import io.faketcp.junit5.internal.Views;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.tun.Subnet;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the fake network of the current test is: its subnet, the host's address and the device.
 * Read-only; inject it as a parameter or get it from {@link FakeNetworkExtension#info()}.
 *
 * <pre>{@code
 * @Test
 * void connects(NetworkInfo net) throws IOException {
 *   try (Socket socket = new Socket(net.address(5), 80)) { ... }   // 192.168.0.5:80
 * }
 * }</pre>
 */
public final class NetworkInfo {
  static {
    Views.register(NetworkViews.INSTANCE); // faketcp-spring's door to the views: see Views
  }

  private final Subnet subnet;
  /** The IPv6 prefix beside it, or null. */
  private final Subnet subnet6;
  private final String interfaceName;
  private final int mtu;
  private final Inet4Address dnsServer;
  /** The names the fake DNS serves now (a class-shared network has a fresh copy per test); null: none. */
  private final Supplier<Zone> names;

  NetworkInfo(Subnet subnet, Subnet subnet6, String interfaceName, int mtu, Inet4Address dnsServer,
      Supplier<Zone> names) {
    this.subnet = subnet;
    this.subnet6 = subnet6;
    this.interfaceName = interfaceName;
    this.mtu = mtu;
    this.dnsServer = dnsServer;
    this.names = names;
  }

  /**
   * The first address the fake DNS server gives {@code name} now (declared with
   * {@link FakeNetwork#hosts()}, following a CNAME), without a query on the wire.
   *
   * @throws IllegalArgumentException when the name has no address
   */
  public Inet4Address address(String name) {
    Zone names = this.names.get();
    List<Inet4Address> addresses = names == null ? List.of() : names.addresses(name);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("'" + name + "' has no address on this fake network: declare it, e.g."
          + " @FakeNetwork(hosts = \"" + name + "=" + address(5).getHostAddress() + "\")"
          + (names == null || names.isEmpty() ? "" : "; declared: " + names));
    }
    return addresses.get(0);
  }

  /**
   * The fake DNS server's address (UDP and TCP port 53), for clients given a resolver address
   * explicitly; empty when no name was declared.
   */
  public Optional<Inet4Address> dnsServer() {
    return Optional.ofNullable(dnsServer);
  }

  /**
   * The fake DNS server's IPv6 address on a dual-stack network, the prefix's {@code ::ff} (e.g.
   * fd00:fa:ce::ff), UDP and TCP port 53, serving the same names as {@link #dnsServer()}; empty when no
   * name was declared or the network has no IPv6 prefix.
   */
  public Optional<java.net.Inet6Address> dnsServer6() {
    return dnsServer == null || subnet6 == null ? Optional.empty()
        : Optional.of((java.net.Inet6Address) subnet6.dnsAddress());
  }

  /**
   * The IPv6 prefix ({@link FakeNetwork#subnet6()}) beside the IPv4 subnet, or alone on an IPv6-only
   * network, if there is one.
   */
  public java.util.Optional<Subnet> subnet6() {
    return java.util.Optional.ofNullable(subnet6);
  }

  /**
   * This machine's IPv6 address on the tun device: the prefix's first address, e.g. fd00:fa:ce::1.
   *
   * @throws IllegalStateException when the network has no IPv6 prefix
   */
  public java.net.Inet6Address hostAddress6() {
    return address6(1);
  }

  /**
   * The IPv6 prefix's {@code n}th address, prefix + {@code n}: {@code address6(1)} is the host,
   * {@code address6(5)} is fd00:fa:ce::5, the fake host of the same number as {@code address(5)}.
   *
   * @throws IllegalStateException when the network has no IPv6 prefix
   * @throws IllegalArgumentException when {@code n} is outside the prefix
   */
  public java.net.Inet6Address address6(long n) {
    if (subnet6 == null) {
      throw new IllegalStateException("this fake network has no IPv6 prefix: give one, e.g."
          + " @FakeNetwork(subnet6 = \"fd00:fa:ce::/64\")");
    }
    return (java.net.Inet6Address) subnet6.addressAt(n);
  }

  /**
   * The fake subnet, e.g. 192.168.0.0/24; on an IPv6-only network ({@code @FakeNetwork(subnet = "",
   * subnet6 = ...)}) the IPv6 prefix, as {@link #subnet6()}, whose addresses {@link #address6(long)} gives.
   */
  public Subnet subnet() {
    return subnet;
  }

  /**
   * This machine's address on the tun device: the subnet's first address, e.g. 192.168.0.1.
   *
   * @throws IllegalStateException on an IPv6-only network: use {@link #hostAddress6()}
   */
  public Inet4Address hostAddress() {
    return ipv4().hostAddress();
  }

  /**
   * The subnet's {@code n}th address: {@code address(1)} is the host, {@code address(2)} and up are
   * played by the fake peer.
   *
   * @throws IllegalArgumentException when {@code n} is outside the subnet's usable addresses
   * @throws IllegalStateException on an IPv6-only network: use {@link #address6(long)}
   */
  public Inet4Address address(int n) {
    return ipv4().address(n);
  }

  private Subnet ipv4() {
    if (subnet.isIpv6()) {
      throw new IllegalStateException("this fake network is IPv6 only (" + subnet + "): use hostAddress6() and"
          + " address6(n), or give it an IPv4 subnet beside subnet6 for dual stack");
    }
    return subnet;
  }

  /** {@link #address(int) address(n)} with a port, for connecting. */
  public InetSocketAddress socketAddress(int n, int port) {
    return new InetSocketAddress(address(n), port);
  }

  /** The tun device's name, e.g. {@code tun0}. */
  public String interfaceName() {
    return interfaceName;
  }

  /** The device's MTU. */
  public int mtu() {
    return mtu;
  }

  @Override
  public String toString() {
    return interfaceName + " " + subnet + (subnet6 == null || subnet6.equals(subnet) ? "" : " " + subnet6)
        + " (host " + (subnet.isIpv6() ? Ipv6Packet.toText(hostAddress6()) : hostAddress().getHostAddress())
        + ", mtu " + mtu + ")";
  }
}
