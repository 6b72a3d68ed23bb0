package io.faketcp.tun;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.Ipv6Packet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv4 subnet or an IPv6 prefix in CIDR form, such as {@code 192.168.0.0/24} or
 * {@code fd00:fa:ce::/64}. The first address after the network address ({@code .1}, {@code ::1})
 * belongs to the host (the tun interface); every other usable address is played by the fake peer.
 *
 * <pre>{@code
 * Subnet subnet = Subnet.parse("192.168.7.0/24");
 * subnet.hostAddress();  // 192.168.7.1
 * subnet.address(5);     // 192.168.7.5
 *
 * Subnet prefix = Subnet.parse("fd00:fa:ce::/64");
 * prefix.host();         // fd00:fa:ce::1
 * prefix.addressAt(5);   // fd00:fa:ce::5
 * prefix.dnsAddress();   // fd00:fa:ce::ff
 * }</pre>
 *
 * <p><b>IPv6.</b> A prefix is 64 to 120 bits long: a /64 is one link (what SLAAC and most networks
 * use), a /120 leaves 255 fake hosts, as a /24 leaves IPv4 254; longer prefixes are refused to keep
 * {@code ::ff} inside every prefix. All its addresses but the network address (the subnet-router
 * anycast address of RFC 4291, kept free like IPv4's network address) are usable: IPv6 has no
 * broadcast. Refused, each with the reason: multicast (ff00::/8), link-local (fe80::/10; every
 * interface has its own), the deprecated site-local fec0::/10, the discard-only 100::/64, and the
 * reserved ::/8 with the unspecified, loopback and IPv4-mapped (::ffff:0:0/96) addresses; the NAT64
 * prefixes 64:ff9b::/96 and 64:ff9b:1::/48 inside ::/8 are accepted. Documentation prefixes
 * (2001:db8::/32) are accepted, as IPv4's TEST-NETs are: the kernel takes them and a fake network
 * never leaves its namespace. A unique local prefix (fd00::/8, {@link #DEFAULT_IPV6}) is the usual
 * choice. Text is parsed in every RFC 4291 form and printed in RFC 5952 form
 * ({@code fd00:fa:ce::/64}, as tcpdump prints addresses; Java's {@link Inet6Address#toString()}
 * prints {@code fd00:fa:ce:0:0:0:0:0} instead). The methods typed {@link Inet4Address} and
 * {@code int} are IPv4's and throw {@link IllegalStateException} for an IPv6 prefix; {@link #host()},
 * {@link #addressAt(long)}, {@link #dnsAddress()}, {@link #networkAddress()} and
 * {@link #contains(InetAddress)} serve both families, {@link #networkHigh()}, {@link #networkLow()} and
 * {@link #contains(long, long)} give IPv6 addresses as two longs (see {@link Ipv6Packet}).
 */
public final class Subnet {
  // Before DEFAULT: parse() reads it.
  /** Ranges no interface can hold an address in, with what they are. */
  private static final String[][] UNUSABLE = {
      {"0.0.0.0/8", "the 'this network' range"},
      {"224.0.0.0/4", "the multicast range"},
      {"240.0.0.0/4", "the reserved range (with the broadcast address 255.255.255.255)"},
  };
  /** The subnet faketcp uses unless told otherwise. */
  public static final Subnet DEFAULT = parse("192.168.0.0/24");
  /** The IPv6 prefix faketcp uses when asked for IPv6 without a prefix: a unique local /64. */
  public static final Subnet DEFAULT_IPV6 = parse("fd00:fa:ce::/64");
  /** The shortest IPv6 prefix accepted. */
  public static final int SHORTEST_IPV6_PREFIX = 64;
  /** The longest IPv6 prefix accepted. */
  public static final int LONGEST_IPV6_PREFIX = 120;

  private final int network;
  private final int prefixLength;
  private final boolean ipv6;
  private final long high;
  private final long low;

  private Subnet(int network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
    this.ipv6 = false;
    this.high = 0;
    this.low = 0;
  }

  private Subnet(long high, long low, int prefixLength) {
    this.network = 0;
    this.prefixLength = prefixLength;
    this.ipv6 = true;
    this.high = high;
    this.low = low;
  }

  /**
   * Parses {@code a.b.c.d/len} or an IPv6 {@code prefix/len} (any text with a colon). IPv4: the prefix
   * length must leave room for the host and at least one peer (1 to 30), the host bits must be zero,
   * and the subnet must not reach into a range the kernel will not give an interface: 0.0.0.0/8,
   * multicast (224.0.0.0/4), reserved and broadcast (240.0.0.0/4). IPv6: 64 to 120, host bits zero,
   * and none of the ranges the class comment lists.
   *
   * @throws IllegalArgumentException naming the bad value and what would be accepted
   */
  public static Subnet parse(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("subnet is null: expected CIDR notation such as 192.168.0.0/24");
    }
    if (cidr.indexOf(':') >= 0) {
      return parseIpv6(cidr);
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "subnet '" + cidr + "' has no prefix length: expected CIDR notation such as 192.168.0.0/24");
    }
    int address = parseAddress(cidr.substring(0, slash), cidr);
    int length;
    try {
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "subnet '" + cidr + "' has a prefix length that is not a number: expected 1 to 30");
    }
    if (length < 1 || length > 30) {
      throw new IllegalArgumentException("subnet '" + cidr + "' has prefix length " + length
          + ": expected 1 to 30, so that the host and at least one peer have addresses");
    }
    int mask = mask(length);
    if ((address & ~mask) != 0) {
      throw new IllegalArgumentException("subnet '" + cidr + "' has host bits set: did you mean "
          + format(address & mask) + "/" + length + "?");
    }
    for (String[] range : UNUSABLE) {
      int rangeLength = Integer.parseInt(range[0].substring(range[0].indexOf('/') + 1));
      int common = mask(Math.min(length, rangeLength));
      if ((address & common) == (parseAddress(range[0].substring(0, range[0].indexOf('/')), range[0]) & common)) {
        throw new IllegalArgumentException("subnet '" + cidr + "' " + (length >= rangeLength ? "is in " : "reaches into ")
            + range[0] + ", " + range[1] + ": the kernel gives no interface an address there; use a private"
            + " range such as 10.1.0.0/24, 172.16.1.0/24 or 192.168.1.0/24");
      }
    }
    return new Subnet(address, length);
  }

  private static Subnet parseIpv6(String cidr) {
    String what = "IPv6 subnet '" + cidr + "'";
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(what + " has no prefix length: expected CIDR notation such as fd00:fa:ce::/64");
    }
    long[] address = Ipv6Text.parse(cidr.substring(0, slash), what);
    int length;
    try {
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " has a prefix length that is not a number: expected "
          + SHORTEST_IPV6_PREFIX + " to " + LONGEST_IPV6_PREFIX);
    }
    if (length < SHORTEST_IPV6_PREFIX || length > LONGEST_IPV6_PREFIX) {
      throw new IllegalArgumentException(what + " has prefix length " + length + ": expected " + SHORTEST_IPV6_PREFIX
          + " to " + LONGEST_IPV6_PREFIX + (length < SHORTEST_IPV6_PREFIX
              ? " (a /64 is one link's worth of addresses; a fake network is one link)"
              : " (a /120 leaves 255 fake hosts)"));
    }
    long high = address[0];
    long low = address[1];
    long mask = lowMask(length);
    if ((low & ~mask) != 0) {
      throw new IllegalArgumentException(what + " has host bits set: did you mean "
          + Ipv6Packet.toText(high, low & mask) + "/" + length + "?");
    }
    String refusal = ipv6Refusal(high, low);
    if (refusal != null) {
      throw new IllegalArgumentException(what + " is in " + refusal
          + ": use a unique local prefix such as fd00:fa:ce::/64");
    }
    return new Subnet(high, low, length);
  }

  /** Why no fake network can live in the prefix starting {@code high:low} (64 bits or longer), or null. */
  private static String ipv6Refusal(long high, long low) {
    int first = (int) (high >>> 48);
    if ((first & 0xff00) == 0xff00) {
      return "ff00::/8, the multicast range";
    }
    if ((first & 0xffc0) == 0xfe80) {
      return "fe80::/10, the link-local range (every interface has its own, and it is never routed)";
    }
    if ((first & 0xffc0) == 0xfec0) {
      return "fec0::/10, the deprecated site-local range (RFC 3879)";
    }
    if (high == 0x0100_0000_0000_0000L) {
      return "100::/64, the discard-only prefix (RFC 6666)";
    }
    if ((first & 0xff00) != 0) {
      return null;
    }
    if (high == 0x0064_ff9b_0000_0000L || (high >>> 16) == 0x0064_ff9b_0001L) {
      return null; // NAT64: 64:ff9b::/96 and 64:ff9b:1::/48
    }
    if (high == 0 && (low >>> 32) == 0xffffL) {
      return "::ffff:0:0/96, the IPv4-mapped addresses (use an IPv4 subnet such as 192.168.0.0/24 for IPv4)";
    }
    if (high == 0 && (low >>> 32) == 0) {
      return "::/96, with the unspecified address :: and the loopback address ::1";
    }
    return "::/8, reserved by the IETF (RFC 4291)";
  }

  /** The mask of the low 64 bits of a prefix of {@code length} 64 to 128. */
  private static long lowMask(int length) {
    return length == 64 ? 0 : -1L << (128 - length); // Java shifts by 64 as by 0
  }

  private static int parseAddress(String text, String whole) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          "subnet '" + whole + "' does not start with a dotted-quad IPv4 address (a.b.c.d)");
    }
    int value = 0;
    for (String part : parts) {
      int octet;
      try {
        octet = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        octet = -1;
      }
      if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
        throw new IllegalArgumentException(
            "subnet '" + whole + "' has an octet '" + part + "' that is not 0 to 255");
      }
      value = value << 8 | octet;
    }
    return value;
  }

  private static int mask(int length) {
    return length == 0 ? 0 : -1 << (32 - length);
  }

  static String format(int address) {
    return Ipv4Packet.toDottedQuad(address);
  }

  /**
   * Whether this is an IPv6 prefix.
   *
   * @return true for IPv6, false for IPv4
   */
  public boolean isIpv6() {
    return ipv6;
  }

  private void requireIpv4(String method, String instead) {
    if (ipv6) {
      throw new IllegalStateException(this + " is an IPv6 subnet, and " + method + " is for IPv4 subnets: use "
          + instead);
    }
  }

  /** The network address, e.g. 192.168.0.0. IPv4 only: see {@link #networkAddress()}. */
  public Inet4Address network() {
    requireIpv4("network()", "networkAddress()");
    return toInet(network);
  }

  /**
   * The network address of either family, e.g. 192.168.0.0 or fd00:fa:ce::.
   *
   * @return an {@link Inet4Address} or an {@link Inet6Address}
   */
  public InetAddress networkAddress() {
    return ipv6 ? Ipv6Packet.toInet6Address(high, low) : toInet(network);
  }

  /**
   * The first eight bytes of an IPv6 network address (see {@link Ipv6Packet} for the two halves).
   *
   * @return e.g. {@code 0xfd0000fa00ce0000L} for fd00:fa:ce::/64
   * @throws IllegalStateException for an IPv4 subnet
   */
  public long networkHigh() {
    requireIpv6("networkHigh()");
    return high;
  }

  /**
   * The last eight bytes of an IPv6 network address.
   *
   * @return 0 for a /64; the network's low bits for longer prefixes
   * @throws IllegalStateException for an IPv4 subnet
   */
  public long networkLow() {
    requireIpv6("networkLow()");
    return low;
  }

  private void requireIpv6(String method) {
    if (!ipv6) {
      throw new IllegalStateException(this + " is an IPv4 subnet, and " + method + " is for IPv6 prefixes: use"
          + " networkInt()");
    }
  }

  /**
   * The host's address on the tun interface, of either family: network + 1 (192.168.0.1,
   * fd00:fa:ce::1).
   *
   * @return an {@link Inet4Address} or an {@link Inet6Address}
   */
  public InetAddress host() {
    return addressAt(1);
  }

  /**
   * The {@code n}th address of either family, network + {@code n}: 1 is the host, 2 up to the last
   * usable address are played by the peer (IPv4: {@link #usableAddresses()}; IPv6: every address of
   * the prefix after the network address).
   *
   * @param n 1 to the last usable address
   * @return the address
   * @throws IllegalArgumentException if {@code n} is the network address or outside
   */
  public InetAddress addressAt(long n) {
    if (!ipv6) {
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("address(" + n + ") is outside " + this
            + ": expected 1 (the host) to " + usableAddresses());
      }
      return address((int) n);
    }
    int hostBits = 128 - prefixLength;
    if (n < 1 || (hostBits < 64 && (n >>> hostBits) != 0)) {
      throw new IllegalArgumentException("addressAt(" + n + ") is outside " + this + ": expected 1 (the host) to "
          + ((1L << hostBits) - 1));
    }
    return Ipv6Packet.toInet6Address(high, low + n);
  }

  /**
   * The fake DNS server's address: IPv4's last usable address (192.168.0.254 in a /24), IPv6's
   * {@code ::ff} of the prefix (fd00:fa:ce::ff): the last address of a /120, and the same short address
   * in every shorter prefix.
   *
   * @return an {@link Inet4Address} or an {@link Inet6Address}
   */
  public InetAddress dnsAddress() {
    return ipv6 ? Ipv6Packet.toInet6Address(high, low + 0xff) : address(usableAddresses());
  }

  /** The prefix length, e.g. 24. */
  public int prefixLength() {
    return prefixLength;
  }

  /** The netmask, e.g. 255.255.255.0. IPv4 only. */
  public Inet4Address netmask() {
    requireIpv4("netmask()", "prefixLength()");
    return toInet(mask(prefixLength));
  }

  /** The host's address on the tun interface: the first usable address (network + 1). IPv4 only: see {@link #host()}. */
  public Inet4Address hostAddress() {
    requireIpv4("hostAddress()", "host()");
    return toInet(network + 1);
  }

  /** The host's address as a 32-bit int, for the packet path. IPv4 only. */
  public int hostAddressInt() {
    requireIpv4("hostAddressInt()", "networkHigh() and networkLow() + 1");
    return network + 1;
  }

  /** The network address as a 32-bit int. IPv4 only. */
  public int networkInt() {
    requireIpv4("networkInt()", "networkHigh() and networkLow()");
    return network;
  }

  /**
   * The number of usable addresses (host included): 254 for a /24; for IPv6 every address but the
   * network address, 255 for a /120, at most {@link Integer#MAX_VALUE} (a /64 has 2^64 - 1).
   */
  public int usableAddresses() {
    if (ipv6) {
      int hostBits = 128 - prefixLength;
      return hostBits >= 31 ? Integer.MAX_VALUE : (1 << hostBits) - 1;
    }
    return (int) ((1L << (32 - prefixLength)) - 2);
  }

  /**
   * The {@code n}th address of the subnet, {@code network + n}: {@code address(1)} is the host,
   * {@code address(2)} up to {@code address(usableAddresses())} are played by the peer.
   *
   * @throws IllegalArgumentException if {@code n} is the network, the broadcast or outside
   */
  public Inet4Address address(int n) {
    requireIpv4("address(int)", "addressAt(long)");
    if (n < 1 || n > usableAddresses()) {
      throw new IllegalArgumentException("address(" + n + ") is outside " + this
          + ": expected 1 (the host) to " + usableAddresses());
    }
    return toInet(network + n);
  }

  /** Whether {@code address} lies in this subnet (network and broadcast included), of either family. */
  public boolean contains(InetAddress address) {
    if (address instanceof Inet6Address) {
      Inet6Address a = (Inet6Address) address;
      return contains(Ipv6Packet.high(a), Ipv6Packet.low(a));
    }
    return address instanceof Inet4Address && contains(toInt((Inet4Address) address));
  }

  /** Whether the 32-bit address lies in this subnet; false for an IPv6 prefix. */
  public boolean contains(int address) {
    return !ipv6 && (address & mask(prefixLength)) == network;
  }

  /**
   * Whether the IPv6 address of two halves lies in this prefix; no allocation.
   *
   * @param addressHigh the first eight bytes
   * @param addressLow the last eight bytes
   * @return false for an IPv4 subnet
   */
  public boolean contains(long addressHigh, long addressLow) {
    return ipv6 && addressHigh == high && (addressLow & lowMask(prefixLength)) == low;
  }

  /** Whether the two subnets share any address; subnets of different families never do. */
  public boolean overlaps(Subnet other) {
    if (ipv6 != other.ipv6) {
      return false;
    }
    int shorter = Math.min(prefixLength, other.prefixLength);
    if (ipv6) {
      return high == other.high && (low & lowMask(shorter)) == (other.low & lowMask(shorter));
    }
    return (network & mask(shorter)) == (other.network & mask(shorter));
  }

  /** The 32-bit form of an IPv4 address. */
  public static int toInt(Inet4Address address) {
    return Ipv4Packet.toInt(address);
  }

  /** The {@link Inet4Address} of a 32-bit address. */
  public static Inet4Address toInet(int address) {
    return Ipv4Packet.toInet4Address(address);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Subnet)) {
      return false;
    }
    Subnet s = (Subnet) o;
    return s.ipv6 == ipv6 && s.network == network && s.high == high && s.low == low && s.prefixLength == prefixLength;
  }

  @Override
  public int hashCode() {
    return ipv6 ? Long.hashCode(high * 31 + low) * 31 + prefixLength : network * 31 + prefixLength;
  }

  /** CIDR notation, e.g. {@code 192.168.0.0/24}, or RFC 5952 for IPv6, e.g. {@code fd00:fa:ce::/64}. */
  @Override
  public String toString() {
    return (ipv6 ? Ipv6Packet.toText(high, low) : format(network)) + "/" + prefixLength;
  }
}
