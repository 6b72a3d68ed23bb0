package io.faketcp.peer.internal.ip;

import io.faketcp.tun.Subnet;
import java.util.Locale;

/**
 * The IPv6 side of rule and fault scopes: {@code ipv4} and {@code ipv6} for every host of a family
 * ({@code latency=300ms@ipv6}, {@code blackhole-after=0s@ipv4}), and IPv6 addresses, ranges and
 * prefixes ({@code @[fd00:fa:ce::5]:80}), as ranges of the 32-bit addresses the engine matches: an
 * IPv6 host is its {@linkplain FamilyTranslator id}, 240.0.0.0/4 plus its address's low 28 bits.
 *
 * <p>Not API: public for {@code io.faketcp.peer} only.
 */
public final class FamilyScope {
  /** Every IPv4 address: below the ids' range. */
  private static final int[] IPV4 = {0, FamilyTranslator.ID_BASE - 1};
  /** Every IPv6 id. */
  private static final int[] IPV6 = {FamilyTranslator.ID_BASE, -1};

  private FamilyScope() {}

  /**
   * {@code [first, last]} of {@code s} when it is a family or IPv6 addresses; null when it is IPv4
   * notation for {@link io.faketcp.peer.Rule} to parse.
   */
  public static int[] addresses(String s, String whole) {
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("ipv4")) {
      return IPV4.clone();
    }
    if (lower.equals("ipv6")) {
      return IPV6.clone();
    }
    if (!s.contains(":")) {
      return null;
    }
    String v6 = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    try {
      int slash = v6.indexOf('/');
      if (slash >= 0) {
        Subnet prefix = Subnet.parse(v6);
        if (!prefix.isIpv6()) {
          throw new IllegalArgumentException("'" + v6 + "' is not an IPv6 prefix");
        }
        int hostBits = 128 - prefix.prefixLength();
        if (hostBits >= 28) {
          return IPV6.clone();
        }
        int first = FamilyTranslator.id(prefix.networkLow());
        return new int[] {first, first + (1 << hostBits) - 1};
      }
      int dash = v6.indexOf('-');
      if (dash > 0) {
        int first = id(v6.substring(0, dash));
        int last = id(v6.substring(dash + 1));
        if (Integer.compareUnsigned(first, last) > 0) {
          throw new IllegalArgumentException("the range ends before it starts");
        }
        return new int[] {first, last};
      }
      int one = id(v6);
      return new int[] {one, one};
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("addresses '" + whole + "': " + e.getMessage()
          + " (IPv6: an address fd00:fa:ce::5, a range fd00:fa:ce::5-fd00:fa:ce::9, a prefix fd00:fa:ce::/120,"
          + " or ipv4 / ipv6 for every host of a family)", e);
    }
  }

  /**
   * Where the ports start in {@code @ADDRESSES:PORTS}: the index of the colon before them,
   * {@code where.length()} for a bare family ({@code ipv6}), -1 when there is none. IPv6 addresses
   * are written in brackets, {@code [fd00:fa:ce::5]:80}.
   */
  public static int portColon(String where) {
    String lower = where.toLowerCase(Locale.ROOT);
    if (lower.equals("ipv4") || lower.equals("ipv6")) {
      return where.length();
    }
    int bracket = where.lastIndexOf(']');
    if (where.startsWith("[") && bracket > 0) {
      return where.indexOf(':', bracket);
    }
    if (where.indexOf(':') != where.lastIndexOf(':')) {
      throw new IllegalArgumentException("'@" + where + "': write an IPv6 address in brackets before its ports,"
          + " e.g. @[fd00:fa:ce::5]:80");
    }
    return where.lastIndexOf(':');
  }

  private static int id(String text) {
    java.net.InetAddress address;
    String t = text.trim();
    if (!t.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
    }
    try {
      address = java.net.InetAddress.getByName(t); // a literal: no lookup
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 address", e);
    }
    byte[] b = address.getAddress();
    if (b.length != 16) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
    }
    long low = 0;
    for (int i = 8; i < 16; i++) {
      low = low << 8 | (b[i] & 0xff);
    }
    return FamilyTranslator.id(low);
  }
}
