package io.faketcp.tun;

import io.faketcp.packet.Ipv4Packet;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 subnet in CIDR form, such as {@code 192.168.0.0/24}. The first usable address
 * ({@code .1}) belongs to the host (the tun interface); every other usable address is played by
 * the fake peer.
 *
 * <pre>{@code
 * Subnet subnet = Subnet.parse("192.168.7.0/24");
 * subnet.hostAddress();  // 192.168.7.1
 * subnet.address(5);     // 192.168.7.5
 * }</pre>
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

  private final int network;
  private final int prefixLength;

  private Subnet(int network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code a.b.c.d/len}. The prefix length must leave room for the host and at least one
   * peer (1 to 30), the host bits must be zero, and the subnet must not reach into a range the kernel
   * will not give an interface: 0.0.0.0/8, multicast (224.0.0.0/4), reserved and broadcast (240.0.0.0/4).
   *
   * @throws IllegalArgumentException naming the bad value and what would be accepted
   */
  public static Subnet parse(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("subnet is null: expected CIDR notation such as 192.168.0.0/24");
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

  /** The network address, e.g. 192.168.0.0. */
  public Inet4Address network() {
    return toInet(network);
  }

  /** The prefix length, e.g. 24. */
  public int prefixLength() {
    return prefixLength;
  }

  /** The netmask, e.g. 255.255.255.0. */
  public Inet4Address netmask() {
    return toInet(mask(prefixLength));
  }

  /** The host's address on the tun interface: the first usable address (network + 1). */
  public Inet4Address hostAddress() {
    return toInet(network + 1);
  }

  /** The host's address as a 32-bit int, for the packet path. */
  public int hostAddressInt() {
    return network + 1;
  }

  /** The network address as a 32-bit int. */
  public int networkInt() {
    return network;
  }

  /** The number of usable addresses (host included): 254 for a /24. */
  public int usableAddresses() {
    return (int) ((1L << (32 - prefixLength)) - 2);
  }

  /**
   * The {@code n}th address of the subnet, {@code network + n}: {@code address(1)} is the host,
   * {@code address(2)} up to {@code address(usableAddresses())} are played by the peer.
   *
   * @throws IllegalArgumentException if {@code n} is the network, the broadcast or outside
   */
  public Inet4Address address(int n) {
    if (n < 1 || n > usableAddresses()) {
      throw new IllegalArgumentException("address(" + n + ") is outside " + this
          + ": expected 1 (the host) to " + usableAddresses());
    }
    return toInet(network + n);
  }

  /** Whether {@code address} lies in this subnet (network and broadcast included). */
  public boolean contains(InetAddress address) {
    return address instanceof Inet4Address && contains(toInt((Inet4Address) address));
  }

  /** Whether the 32-bit address lies in this subnet. */
  public boolean contains(int address) {
    return (address & mask(prefixLength)) == network;
  }

  /** Whether the two subnets share any address. */
  public boolean overlaps(Subnet other) {
    int shorter = Math.min(prefixLength, other.prefixLength);
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
    return o instanceof Subnet && ((Subnet) o).network == network && ((Subnet) o).prefixLength == prefixLength;
  }

  @Override
  public int hashCode() {
    return network * 31 + prefixLength;
  }

  /** CIDR notation, e.g. {@code 192.168.0.0/24}. */
  @Override
  public String toString() {
    return format(network) + "/" + prefixLength;
  }
}
