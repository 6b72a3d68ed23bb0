package io.faketcp.dns;

import io.faketcp.packet.DnsMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names a test declares, with their records: what the fake {@link DnsServer} answers. A, CNAME,
 * SRV and TXT records, several addresses per name in the order given, a TTL per name. Thread-safe:
 * change it mid-test (a name moves from .5 to .6) and the next query gets the new answer.
 *
 * <pre>{@code
 * Zone zone = new Zone()
 *     .host("db.test", "192.168.0.5")
 *     .host("api.test", "192.168.0.6", "192.168.0.7")       // two addresses, in this order
 *     .cname("www.test", "api.test")
 *     .srv("_postgresql._tcp.test", 0, 5, 5432, "db.test")
 *     .txt("db.test", "role=primary")
 *     .add("cache.test=192.168.0.8;ttl=5");                  // the annotation's notation
 * }</pre>
 *
 * <p>Names are compared without case and without a trailing dot.
 */
public final class Zone {
  /** The TTL of records declared without one: 30 seconds. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

  private static final Pattern LABELS =
      Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*");

  private final Map<String, Entry> names = new LinkedHashMap<>();
  /** The IPv4 subnet and the IPv6 prefix AAAA answers map between ({@link #ipv6}); null: no AAAA. */
  private io.faketcp.tun.Subnet subnet;
  private io.faketcp.tun.Subnet subnet6;

  /** An empty zone: every name is unknown (NXDOMAIN). */
  public Zone() {}

  /**
   * Declares {@code name} with these IPv4 addresses (replacing any it had), answered in this order.
   *
   * @throws IllegalArgumentException naming a bad name or address and what to write instead
   */
  public Zone host(String name, String... addresses) {
    if (addresses == null || addresses.length == 0) {
      throw new IllegalArgumentException("host '" + name + "' has no address: give at least one, e.g. 192.168.0.5");
    }
    List<Inet4Address> parsed = new ArrayList<>();
    for (String a : addresses) {
      parsed.add(address(name, a));
    }
    return hostAddresses(name, parsed);
  }

  /** Declares {@code name} with these IPv4 addresses (replacing any it had), answered in this order. */
  public Zone host(String name, Inet4Address... addresses) {
    if (addresses == null || addresses.length == 0) {
      throw new IllegalArgumentException("host '" + name + "' has no address: give at least one, e.g. 192.168.0.5");
    }
    return hostAddresses(name, List.of(addresses));
  }

  private Zone hostAddresses(String name, List<Inet4Address> addresses) {
    String key = checkName(name);
    synchronized (names) {
      Entry e = names.computeIfAbsent(key, k -> new Entry(name));
      if (e.cname != null) {
        throw new IllegalArgumentException("host '" + name + "' is an alias (CNAME " + e.cname + "): a name has either"
            + " a CNAME or addresses; remove(\"" + name + "\") first");
      }
      e.addresses = List.copyOf(addresses);
    }
    return this;
  }

  /** Declares {@code name} as an alias of {@code target} (a CNAME record). */
  public Zone cname(String name, String target) {
    String key = checkName(name);
    checkName(target);
    synchronized (names) {
      Entry e = names.computeIfAbsent(key, k -> new Entry(name));
      if (!e.addresses.isEmpty()) {
        throw new IllegalArgumentException("name '" + name + "' has addresses: a name has either a CNAME or addresses;"
            + " remove(\"" + name + "\") first");
      }
      e.cname = target;
    }
    return this;
  }

  /** Adds an SRV record to {@code name} (e.g. {@code _postgresql._tcp.test}). */
  public Zone srv(String name, int priority, int weight, int port, String target) {
    String key = checkName(name);
    checkName(target);
    for (int v : new int[] {priority, weight, port}) {
      if (v < 0 || v > 65535) {
        throw new IllegalArgumentException("SRV record of '" + name + "': priority, weight and port are 0..65535, was "
            + v);
      }
    }
    synchronized (names) {
      Entry e = names.computeIfAbsent(key, k -> new Entry(name));
      List<int[]> more = new ArrayList<>(e.srvNumbers);
      more.add(new int[] {priority, weight, port});
      List<String> targets = new ArrayList<>(e.srvTargets);
      targets.add(target);
      e.srvNumbers = more;
      e.srvTargets = targets;
    }
    return this;
  }

  /** Adds a TXT record to {@code name}. */
  public Zone txt(String name, String text) {
    String key = checkName(name);
    if (text == null) {
      throw new IllegalArgumentException("TXT record of '" + name + "' is null: give the text (may be empty)");
    }
    synchronized (names) {
      Entry e = names.computeIfAbsent(key, k -> new Entry(name));
      List<String> more = new ArrayList<>(e.texts);
      more.add(text);
      e.texts = more;
    }
    return this;
  }

  /** The TTL of {@code name}'s records (whole seconds); {@link #DEFAULT_TTL} unless set. */
  public Zone ttl(String name, Duration ttl) {
    String key = checkName(name);
    if (ttl == null || ttl.isNegative() || ttl.getSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("TTL of '" + name + "' is " + ttl + ": give 0 seconds or more, e.g. 5s");
    }
    synchronized (names) {
      Entry e = names.get(key);
      if (e == null) {
        throw new IllegalArgumentException("TTL of '" + name + "': the name is not declared; declare its records first");
      }
      e.ttl = ttl.getSeconds();
    }
    return this;
  }

  /** Forgets {@code name} and its records: it is NXDOMAIN from now on. */
  public Zone remove(String name) {
    synchronized (names) {
      names.remove(DnsMessage.canonical(name));
    }
    return this;
  }

  /**
   * Adds one declaration in the annotation's notation: {@code NAME=RECORD[;ttl=SECONDS]}, where RECORD is
   * addresses ({@code 192.168.0.5} or {@code 192.168.0.5,192.168.0.6}), {@code CNAME target},
   * {@code SRV priority weight port target} or {@code TXT text}. Addresses replace the name's
   * addresses; other records are added.
   *
   * @throws IllegalArgumentException naming the part that cannot be parsed and what to write
   */
  public Zone add(String spec) {
    if (spec == null || spec.indexOf('=') <= 0) {
      throw new IllegalArgumentException("'" + spec + "' is not NAME=ADDRESS: write e.g. db.test=192.168.0.5");
    }
    int eq = spec.indexOf('=');
    String name = spec.substring(0, eq).trim();
    String value = spec.substring(eq + 1).trim();
    Duration ttl = null;
    int semi = value.lastIndexOf(";ttl=");
    if (semi >= 0) {
      String t = value.substring(semi + 5).trim();
      value = value.substring(0, semi).trim();
      try {
        ttl = Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + spec + "': ttl '" + t + "' is not whole seconds: write e.g. ;ttl=5");
      }
    }
    String[] words = value.split("\\s+", 2);
    String type = words[0].toUpperCase(Locale.ROOT);
    try {
      switch (type) {
        case "CNAME":
          cname(name, rest(words, "CNAME target, e.g. www.test=CNAME api.test"));
          break;
        case "SRV":
          String[] f = rest(words, "SRV priority weight port target, e.g. SRV 0 5 5432 db.test").split("\\s+");
          if (f.length != 4) {
            throw new IllegalArgumentException("SRV needs priority weight port target, e.g. SRV 0 5 5432 db.test");
          }
          srv(name, number(f[0]), number(f[1]), number(f[2]), f[3]);
          break;
        case "TXT":
          txt(name, words.length > 1 ? words[1] : "");
          break;
        case "A":
          host(name, rest(words, "A address, e.g. A 192.168.0.5").split("\\s*,\\s*"));
          break;
        default:
          if (!Character.isDigit(type.isEmpty() ? 'x' : type.charAt(0))) {
            throw new IllegalArgumentException("record type '" + words[0] + "' is not one of A (or just addresses),"
                + " CNAME, SRV, TXT");
          }
          host(name, value.split("\\s*,\\s*"));
      }
      if (ttl != null) {
        ttl(name, ttl);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + spec + "': " + e.getMessage(), e);
    }
    return this;
  }

  private static String rest(String[] words, String expected) {
    if (words.length < 2 || words[1].isBlank()) {
      throw new IllegalArgumentException("expected " + expected);
    }
    return words[1].trim();
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a number 0..65535");
    }
  }

  /** The addresses of {@code name} in order, following a CNAME; empty when it has none or is unknown. */
  public List<Inet4Address> addresses(String name) {
    synchronized (names) {
      Entry e = names.get(DnsMessage.canonical(name));
      for (int hops = 0; e != null && e.cname != null && hops < 8; hops++) {
        e = names.get(DnsMessage.canonical(e.cname));
      }
      return e == null ? List.of() : e.addresses;
    }
  }

  /** Whether {@code name} is declared (any case, with or without the trailing dot). */
  public boolean declares(String name) {
    synchronized (names) {
      return names.containsKey(DnsMessage.canonical(name));
    }
  }

  /** Every address any name has, for checking that they lie in the subnet. */
  public List<Inet4Address> allAddresses() {
    List<Inet4Address> all = new ArrayList<>();
    synchronized (names) {
      for (Entry e : names.values()) {
        all.addAll(e.addresses);
      }
    }
    return all;
  }

  /** Whether no name is declared. */
  public boolean isEmpty() {
    synchronized (names) {
      return names.isEmpty();
    }
  }

  /** The declared names, as first written, in order of declaration. */
  public List<String> names() {
    List<String> list = new ArrayList<>();
    synchronized (names) {
      for (Entry e : names.values()) {
        list.add(e.name);
      }
    }
    return Collections.unmodifiableList(list);
  }

  /** An independent copy. */
  public Zone copy() {
    Zone z = new Zone();
    synchronized (names) {
      names.forEach((k, e) -> z.names.put(k, e.copy()));
      z.subnet = subnet;
      z.subnet6 = subnet6;
    }
    return z;
  }

  /**
   * Answers AAAA questions too, on a dual-stack network: each address of {@code subnet} a name has
   * gives it the address of the same host number in the IPv6 {@code subnet6} ({@code 192.168.0.5}
   * in 192.168.0.0/24 gives {@code fd00:fa:ce::5} in fd00:fa:ce::/64), in the same order.
   *
   * @return this zone
   */
  public Zone ipv6(io.faketcp.tun.Subnet subnet, io.faketcp.tun.Subnet subnet6) {
    if (subnet.isIpv6() || !subnet6.isIpv6()) {
      throw new IllegalArgumentException("ipv6(" + subnet + ", " + subnet6 + "): give the IPv4 subnet, then the IPv6"
          + " prefix");
    }
    synchronized (names) {
      this.subnet = subnet;
      this.subnet6 = subnet6;
    }
    return this;
  }

  /** The IPv6 addresses of {@code name} (see {@link #ipv6}), following CNAMEs; empty without a prefix. */
  public List<java.net.Inet6Address> addresses6(String name) {
    List<java.net.Inet6Address> all = new ArrayList<>();
    synchronized (names) {
      if (subnet6 != null) {
        for (Inet4Address a : addresses(name)) {
          all.add(mapped(a));
        }
      }
    }
    return all;
  }

  /** The IPv6 address of the same host number as {@code a}, or null when {@code a} is outside the subnet. */
  private java.net.Inet6Address mapped(Inet4Address a) {
    if (!subnet.contains(a)) {
      return null;
    }
    long n = io.faketcp.tun.Subnet.toInt(a) - subnet.networkInt();
    return (java.net.Inet6Address) subnet6.addressAt(n);
  }

  /**
   * Writes the records answering a question for {@code name} of {@code type} into {@code answer},
   * following CNAMEs; false when the name is not declared (NXDOMAIN).
   */
  boolean answer(String name, int type, DnsMessage.Builder answer) {
    synchronized (names) {
      Entry e = names.get(DnsMessage.canonical(name));
      if (e == null) {
        return false;
      }
      String owner = name;
      for (int hops = 0; e.cname != null && type != DnsMessage.CNAME && hops < 8; hops++) {
        answer.cname(owner, e.ttl, e.cname);
        owner = e.cname;
        e = names.get(DnsMessage.canonical(owner));
        if (e == null) {
          return true; // the alias exists; its target is not ours to answer
        }
      }
      boolean any = type == DnsMessage.ANY;
      if (type == DnsMessage.CNAME && e.cname != null) {
        answer.cname(owner, e.ttl, e.cname);
      }
      if (type == DnsMessage.A || any) {
        for (Inet4Address a : e.addresses) {
          answer.a(owner, e.ttl, a);
        }
      }
      if ((type == DnsMessage.AAAA || any) && subnet6 != null) {
        for (Inet4Address a : e.addresses) {
          java.net.Inet6Address six = mapped(a);
          if (six != null) {
            answer.aaaa(owner, e.ttl, six);
          }
        }
      }
      if (type == DnsMessage.SRV || any) {
        for (int i = 0; i < e.srvNumbers.size(); i++) {
          int[] n = e.srvNumbers.get(i);
          answer.srv(owner, e.ttl, n[0], n[1], n[2], e.srvTargets.get(i));
        }
      }
      if (type == DnsMessage.TXT || any) {
        for (String t : e.texts) {
          answer.txt(owner, e.ttl, t);
        }
      }
      return true;
    }
  }

  /** The canonical form of {@code name}, after checking that it is a host name. */
  static String checkName(String name) {
    String n = name == null ? "" : DnsMessage.canonical(name.trim());
    if (!LABELS.matcher(n).matches() || n.length() > 253) {
      throw new IllegalArgumentException("'" + name + "' is not a host name: write letters, digits and '-' in"
          + " dot-separated labels of at most 63 characters, e.g. db.test");
    }
    return n;
  }

  /** {@code text} as an IPv4 address, parsed here: never a lookup (300 in a part would make the JDK ask the DNS). */
  private static Inet4Address address(String name, String text) {
    String t = text == null ? "" : text.trim();
    if (!t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("address '" + text + "' of '" + name + "' is not an IPv4 address: write e.g."
          + " 192.168.0.5");
    }
    byte[] bytes = new byte[4];
    String[] parts = t.split("\\.");
    for (int i = 0; i < 4; i++) {
      int part = Integer.parseInt(parts[i]);
      if (part > 255) {
        throw new IllegalArgumentException("address '" + text + "' of '" + name + "' is not an IPv4 address: each"
            + " part is 0..255, e.g. 192.168.0.5");
      }
      bytes[i] = (byte) part;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are an IPv4 address", e);
    }
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    synchronized (names) {
      for (Entry e : names.values()) {
        parts.add(e.toString());
      }
    }
    return String.join(", ", parts);
  }

  /** One name's records. */
  private static final class Entry {
    final String name;
    List<Inet4Address> addresses = List.of();
    String cname;
    List<int[]> srvNumbers = List.of();
    List<String> srvTargets = List.of();
    List<String> texts = List.of();
    long ttl = DEFAULT_TTL.getSeconds();

    Entry(String name) {
      this.name = name.trim();
    }

    Entry copy() {
      Entry e = new Entry(name);
      e.addresses = addresses;
      e.cname = cname;
      e.srvNumbers = srvNumbers;
      e.srvTargets = srvTargets;
      e.texts = texts;
      e.ttl = ttl;
      return e;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(name).append('=');
      List<String> records = new ArrayList<>();
      if (!addresses.isEmpty()) {
        List<String> a = new ArrayList<>();
        addresses.forEach(x -> a.add(x.getHostAddress()));
        records.add(String.join(",", a));
      }
      if (cname != null) {
        records.add("CNAME " + cname);
      }
      for (int i = 0; i < srvNumbers.size(); i++) {
        int[] n = srvNumbers.get(i);
        records.add("SRV " + n[0] + " " + n[1] + " " + n[2] + " " + srvTargets.get(i));
      }
      texts.forEach(t -> records.add("TXT " + t));
      sb.append(String.join(" ", records));
      if (ttl != DEFAULT_TTL.getSeconds()) {
        sb.append(";ttl=").append(ttl);
      }
      return sb.toString();
    }
  }
}
