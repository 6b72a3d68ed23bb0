package io.faketcp.peer;

import io.faketcp.peer.internal.ip.FamilyScope;
import java.util.Locale;

/**
 * Which fake hosts and ports something applies to: a {@link Rule}, or a {@link Fault} given
 * {@code @ADDRESSES:PORTS}. Addresses are {@code *} (every fake host), one address, a range
 * {@code a.b.c.d-a.b.c.e}, a CIDR block {@code a.b.c.d/n}, IPv6 addresses in the same forms
 * ({@code fd00:fa:ce::5}, {@code fd00:fa:ce::5-fd00:fa:ce::9}, {@code fd00:fa:ce::/120}; written in brackets
 * before ports, {@code [fd00:fa:ce::5]:80}), or an address family, {@code ipv4} or {@code ipv6}; ports are
 * {@code *}, one port or a range {@code 8000-8999}.
 *
 * <pre>{@code
 * Scope.of("192.168.0.5", "80");                 // written 192.168.0.5:80
 * Scope.parse("192.168.0.128/25:8000-8999");
 * Scope.parse("ipv6");                           // every IPv6 fake host: ipv6:*
 * Fault.parse("latency=300ms@ipv6").scope();     // the same
 * }</pre>
 *
 * <p>Immutable; {@link #toString()} gives the text back, as {@link #parse} reads it.
 */
public final class Scope {
  private static final Scope EVERYWHERE = new Scope(Family.ANY, 0, -1, 0, 65535, "*", "*");
  private static final String ADDRESSES = "expected *, ipv4, ipv6, an address, a range a.b.c.d-a.b.c.e or a"
      + " CIDR block a.b.c.d/n (IPv6 the same: fd00:fa:ce::5, fd00:fa:ce::5-fd00:fa:ce::9, fd00:fa:ce::/120)";

  /** Which addresses a scope's addresses belong to. */
  private enum Family {
    ANY, IPV4, IPV6
  }

  private final Family family;
  /** The engine's 32-bit addresses, unsigned, inclusive: IPv6 hosts are their 240.0.0.0/4 ids. */
  private final int firstAddress;
  private final int lastAddress;
  private final int firstPort;
  private final int lastPort;
  private final String addresses;
  private final String ports;

  private Scope(Family family, int firstAddress, int lastAddress, int firstPort, int lastPort, String addresses,
      String ports) {
    this.family = family;
    this.firstAddress = firstAddress;
    this.lastAddress = lastAddress;
    this.firstPort = firstPort;
    this.lastPort = lastPort;
    this.addresses = addresses;
    this.ports = ports;
  }

  /** Every fake host and port: {@code *:*}. */
  public static Scope everywhere() {
    return EVERYWHERE;
  }

  /**
   * The fake hosts {@code addresses} on {@code ports}.
   *
   * @param addresses {@code *}, {@code ipv4}, {@code ipv6}, one address, a range {@code a.b.c.d-a.b.c.e}, or a
   *     CIDR block
   * @param ports {@code *}, one port, or a range {@code 8000-8999}
   * @throws IllegalArgumentException naming the value that cannot be parsed and what was expected
   */
  public static Scope of(String addresses, String ports) {
    String a = addresses == null ? "" : addresses.trim();
    String p = ports == null ? "" : ports.trim();
    int[] portRange = parsePorts(p, ports);
    String canonicalPorts = portRange[0] == 0 && portRange[1] == 65535 ? "*"
        : portRange[0] + (portRange[1] == portRange[0] ? "" : "-" + portRange[1]);
    String lower = a.toLowerCase(Locale.ROOT);
    int[] v6 = FamilyScope.addresses(a, addresses);
    if (lower.equals("ipv4") || lower.equals("ipv6")) {
      return new Scope(lower.equals("ipv4") ? Family.IPV4 : Family.IPV6, v6[0], v6[1], portRange[0], portRange[1],
          lower, canonicalPorts);
    }
    if (v6 != null) {
      String bare = a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
      return new Scope(Family.ANY, v6[0], v6[1], portRange[0], portRange[1], "[" + bare.toLowerCase(Locale.ROOT)
          + "]", canonicalPorts);
    }
    int[] range = parseAddresses(a, addresses);
    String canonical = a.equals("*") ? a
        : a.contains("/") ? format(range[0]) + "/" + Integer.bitCount(~(range[0] ^ range[1]))
        : format(range[0]) + (range[0] == range[1] ? "" : "-" + format(range[1]));
    return new Scope(Family.ANY, range[0], range[1], portRange[0], portRange[1], canonical, canonicalPorts);
  }

  /**
   * A scope as written after a fault's {@code @}: {@code ADDRESSES:PORTS}, or {@code ADDRESSES} alone
   * for every port ({@code ipv6}, {@code 192.168.0.5}).
   *
   * @throws IllegalArgumentException naming the value that cannot be parsed and what was expected
   */
  public static Scope parse(String text) {
    String s = text == null ? "" : text.trim();
    int colon = FamilyScope.portColon(s);
    if (colon < 0 || colon == s.length()) {
      return of(s, "*");
    }
    return of(s.substring(0, colon), s.substring(colon + 1));
  }

  /** Whether this is every fake host and port. */
  public boolean isEverywhere() {
    return equals(EVERYWHERE);
  }

  /**
   * Whether the fake host {@code address} (the engine's 32-bit form: an IPv6 host is its 240.0.0.0/4 id) on
   * {@code port} is in scope (-1: no port, as ICMP).
   */
  boolean matches(int address, int port) {
    return Integer.compareUnsigned(address, firstAddress) >= 0
        && Integer.compareUnsigned(address, lastAddress) <= 0
        && (port < 0 ? firstPort == 0 && lastPort == 65535 : port >= firstPort && port <= lastPort);
  }

  /** The addresses as written ({@code *}, {@code ipv6}, {@code 192.168.0.5}...). */
  String addresses() {
    return addresses;
  }

  /** The ports as written ({@code *}, {@code 80}, {@code 8000-8999}). */
  String ports() {
    return ports;
  }

  /** {@code ADDRESSES:PORTS}, or {@code ipv4} / {@code ipv6} alone for every port of a family. */
  @Override
  public String toString() {
    return family != Family.ANY && ports.equals("*") ? addresses : addresses + ":" + ports;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scope && ((Scope) o).toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /** {@code [first, last]} of IPv4 addresses: {@code *}, an address, a range or a CIDR block. */
  private static int[] parseAddresses(String s, String given) {
    if (s.equals("*")) {
      return new int[] {0, -1};
    }
    int slash = s.indexOf('/');
    if (slash > 0) {
      int prefix = -1;
      try {
        prefix = Integer.parseInt(s.substring(slash + 1).trim());
      } catch (NumberFormatException e) {
        // the message below
      }
      if (prefix < 0 || prefix > 32) {
        throw new IllegalArgumentException("addresses '" + given + "': the prefix length '" + s.substring(slash + 1)
            + "' is not 0 to 32: write a CIDR block as a.b.c.d/n, e.g. 192.168.0.128/25");
      }
      int mask = prefix == 0 ? 0 : (int) (0xffffffffL << (32 - prefix));
      int network = address(s.substring(0, slash), given) & mask;
      return new int[] {network, network | ~mask};
    }
    int dash = s.indexOf('-');
    if (dash > 0) {
      int first = address(s.substring(0, dash), given);
      int last = address(s.substring(dash + 1), given);
      if (Integer.compareUnsigned(first, last) > 0) {
        throw new IllegalArgumentException("addresses '" + given + "': the range ends before it starts: write the"
            + " lower address first");
      }
      return new int[] {first, last};
    }
    int one = address(s, given);
    return new int[] {one, one};
  }

  private static String format(int address) {
    return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
  }

  private static int address(String s, String given) {
    String[] parts = s.trim().split("\\.", -1);
    boolean ok = parts.length == 4;
    int value = 0;
    for (int i = 0; ok && i < 4; i++) {
      ok = parts[i].matches("\\d{1,3}") && Integer.parseInt(parts[i]) <= 255;
      value = ok ? value << 8 | Integer.parseInt(parts[i]) : 0;
    }
    if (!ok) {
      throw new IllegalArgumentException("addresses '" + given + "': " + ADDRESSES);
    }
    return value;
  }

  /** {@code [first, last]} of a port range. */
  private static int[] parsePorts(String s, String given) {
    if (s.equals("*")) {
      return new int[] {0, 65535};
    }
    int dash = s.indexOf('-');
    int first = port(dash > 0 ? s.substring(0, dash) : s, given);
    int last = dash > 0 ? port(s.substring(dash + 1), given) : first;
    if (first > last) {
      throw new IllegalArgumentException("ports '" + given + "': the range ends before it starts: write the lower"
          + " port first");
    }
    return new int[] {first, last};
  }

  private static int port(String s, String given) {
    try {
      int port = Integer.parseInt(s.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("ports '" + given + "': expected *, a port 0-65535 or a range 8000-8999");
  }
}
