package io.faketcp.tun.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An IPv6 prefix of a fake network, {@code fd00:fa:ce::/64}: its 128 bits as two longs, so that
 * the packet path compares addresses without objects. The host holds the prefix's first address
 * ({@code ::1}); every other address of it is a fake host.
 */
public final class Ipv6Prefix {
  /** The longest prefix accepted: the host and at least 254 fake hosts. */
  public static final int LONGEST = 120;
  /** The shortest prefix accepted: one link's worth of addresses. */
  public static final int SHORTEST = 64;

  private final long high;
  private final long low;
  private final int length;

  private Ipv6Prefix(long high, long low, int length) {
    this.high = high;
    this.low = low;
    this.length = length;
  }

  /**
   * Parses {@code addr/len}, a prefix of length 64 to 120 with its host bits zero, outside the
   * ranges no interface takes a routed prefix in (unspecified, loopback, IPv4-mapped, link-local,
   * multicast).
   *
   * @throws IllegalArgumentException naming the value, why and what to use instead
   */
  public static Ipv6Prefix parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr
          + "' has no prefix length: expected CIDR notation such as fd00:fa:ce::/64");
    }
    String text = cidr.substring(0, slash);
    if (!text.contains(":") || !text.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' does not start with an IPv6 address");
    }
    byte[] bytes;
    try {
      InetAddress parsed = InetAddress.getByName(text); // a literal: no lookup
      if (!(parsed instanceof Inet6Address)) {
        throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' is an IPv4-mapped address: use an IPv4 subnet"
            + " such as 192.168.0.0/24 for IPv4");
      }
      bytes = parsed.getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' does not start with an IPv6 address", e);
    }
    int length;
    try {
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' has a prefix length that is not a number: expected "
          + SHORTEST + " to " + LONGEST);
    }
    if (length < SHORTEST || length > LONGEST) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' has prefix length " + length + ": expected "
          + SHORTEST + " to " + LONGEST + " (a /64 is the usual one, e.g. fd00:fa:ce::/64)");
    }
    long high = toLong(bytes, 0);
    long low = toLong(bytes, 8);
    Ipv6Prefix prefix = new Ipv6Prefix(high, low, length);
    if ((low & ~prefix.lowMask()) != 0) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' has host bits set: did you mean "
          + new Ipv6Prefix(high, low & prefix.lowMask(), length) + "?");
    }
    String refusal = refusal(high);
    if (refusal != null) {
      throw new IllegalArgumentException("IPv6 subnet '" + cidr + "' is in " + refusal
          + ": use a unique local prefix such as fd00:fa:ce::/64");
    }
    return prefix;
  }

  private static String refusal(long high) {
    int first = (int) (high >>> 48);
    if ((first & 0xff00) == 0xff00) {
      return "ff00::/8, the multicast range";
    }
    if ((first & 0xffc0) == 0xfe80) {
      return "fe80::/10, the link-local range (every interface has its own)";
    }
    if ((first & 0xffc0) == 0xfec0) {
      return "fec0::/10, the deprecated site-local range";
    }
    if ((first & 0xff00) == 0) {
      return "::/8, the range of the unspecified, loopback and IPv4-mapped addresses";
    }
    return null;
  }

  /** The upper 64 bits of the network address. */
  public long high() {
    return high;
  }

  /** The lower 64 bits of the network address. */
  public long low() {
    return low;
  }

  /** The prefix length, 64 to 120. */
  public int length() {
    return length;
  }

  /** Whether the address {@code high:low} lies in this prefix. */
  public boolean contains(long addressHigh, long addressLow) {
    return addressHigh == high && (addressLow & lowMask()) == low;
  }

  /** The {@code n}th address ({@code network + n}); {@code n} 1 is the host's. */
  public Inet6Address address(long n) {
    if (n < 0 || length > 64 && n >>> (128 - length) != 0) {
      throw new IllegalArgumentException("address(" + n + ") is outside " + this);
    }
    return toInet(high, low + n);
  }

  /** The host's address, the prefix's first ({@code ::1}). */
  public Inet6Address hostAddress() {
    return address(1);
  }

  private long lowMask() {
    return length == 64 ? 0 : -1L << (128 - length); // Java shifts by 64 as by 0
  }

  /** The address of two longs. */
  public static Inet6Address toInet(long high, long low) {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (high >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    try {
      return (Inet6Address) InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long toLong(byte[] bytes, int offset) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | (bytes[offset + i] & 0xff);
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ipv6Prefix && ((Ipv6Prefix) o).high == high && ((Ipv6Prefix) o).low == low
        && ((Ipv6Prefix) o).length == length;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(high) * 31 + Long.hashCode(low) * 7 + length;
  }

  /** CIDR notation in the compressed form, e.g. {@code fd00:fa:ce::/64}. */
  @Override
  public String toString() {
    return compressed(toInet(high, low)) + "/" + length;
  }

  /** RFC 5952 text of an address: lower case, the longest run of zero groups as {@code ::}. */
  public static String compressed(Inet6Address address) {
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString().toLowerCase(Locale.ROOT);
  }
}
