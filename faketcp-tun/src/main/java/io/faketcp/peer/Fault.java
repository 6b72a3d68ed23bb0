package io.faketcp.peer;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Something going wrong between the host and the fake hosts: latency, loss, a reset after some
 * bytes, ICMP unreachable... One grammar, parsed here and nowhere else, for the annotation, the
 * builder, {@link Rules}, mid-test changes and the command line:
 *
 * <pre>{@code
 * Fault.parse("latency=100ms±20ms");                  // also written 100ms+-20ms
 * Fault.parse("loss=5%@192.168.0.5:80");              // only for that fake host and port
 * Rules.of(Mode.ECHO).withFault(Fault.latency(Duration.ofMillis(50)));
 * Rule.of("192.168.0.6", "*", Mode.ECHO).withFaults(Fault.parse("reset-after=1000"));
 * }</pre>
 *
 * <table>
 *   <caption>The specs ("in": packets the host sends to a fake host; "out": packets a fake host sends)</caption>
 *   <tr><th>spec</th><th>effect</th></tr>
 *   <tr><td>{@code latency=100ms}, {@code latency=100ms±20ms}</td><td>every packet a fake host sends
 *       leaves that much later (jitter uniform in ±20ms; order kept)</td></tr>
 *   <tr><td>{@code latency-in=100ms}</td><td>the host's packets reach the fake host that much later</td></tr>
 *   <tr><td>{@code loss=5%}, {@code loss-in=}, {@code loss-out=}</td><td>random loss, both directions unless
 *       a direction is given</td></tr>
 *   <tr><td>{@code duplicate=1%}</td><td>a fake host's packet is sent twice</td></tr>
 *   <tr><td>{@code reorder=10%}</td><td>a fake host's packet is held back 10 ms, so later ones overtake it</td></tr>
 *   <tr><td>{@code bandwidth=1MB/s}, {@code bandwidth-in=}, {@code bandwidth-out=}</td><td>each direction
 *       at most that rate (units B, KB, MB, GB, KiB, MiB, GiB, bit, kbit, Mbit, Gbit per second)</td></tr>
 *   <tr><td>{@code reset-after=1000}, {@code reset-after=2s}</td><td>a connection is reset (RST) once the fake
 *       host has acknowledged that many bytes, or that long after it was established</td></tr>
 *   <tr><td>{@code stall-after=1000}</td><td>the fake host stops reading: zero window, probes answered</td></tr>
 *   <tr><td>{@code blackhole-after=1000}, {@code blackhole-after=2s}</td><td>the connection goes silent</td></tr>
 *   <tr><td>{@code slow-close=2s}</td><td>the fake host's FIN, and its ACK of the host's FIN, come that much later</td></tr>
 *   <tr><td>{@code unreachable=host|net|port|admin}</td><td>a SYN, or a UDP datagram, is answered with ICMP
 *       destination unreachable: EHOSTUNREACH, ENETUNREACH, ECONNREFUSED, EHOSTUNREACH</td></tr>
 *   <tr><td>{@code mtu=1280}</td><td>the host's larger packets with DF set get ICMP fragmentation-needed</td></tr>
 *   <tr><td>{@code drop-first=3}, {@code drop-nth=10}</td><td>the host's first 3 packets, or every 10th, are lost</td></tr>
 *   <tr><td>{@code dns=nxdomain|servfail|refused|timeout|truncated}</td><td>the fake DNS server answers
 *       so: the name does not exist, the server failed, refuses, says nothing, or sends a truncated answer over
 *       UDP (the client asks again over TCP)</td></tr>
 *   <tr><td>{@code dns-delay=2s}</td><td>the fake DNS server answers that much later</td></tr>
 *   <tr><td>{@code seed=42}</td><td>the seed of every random choice (else {@code -Dfaketcp.seed}, else random)</td></tr>
 * </table>
 *
 * <p>Any spec may end in {@code @ADDRESSES:PORTS} ({@code @192.168.0.5:80}, {@code @192.168.0.10-192.168.0.20:*},
 * {@code @192.168.0.128/25:8000-8999}) to apply only to those fake hosts; a DNS fault may end in
 * {@code @NAME} ({@code dns=servfail@db.test}, {@code dns-delay=2s@*.test}) to apply to that name only. Immutable; {@link #toString()}
 * gives the spec back.
 */
public final class Fault {
  /** What a fault does. */
  enum Kind {
    LATENCY("latency"), LOSS("loss"), DUPLICATE("duplicate"), REORDER("reorder"), BANDWIDTH("bandwidth"),
    RESET_AFTER("reset-after"), STALL_AFTER("stall-after"), BLACKHOLE_AFTER("blackhole-after"),
    SLOW_CLOSE("slow-close"), UNREACHABLE("unreachable"), MTU("mtu"), DROP_FIRST("drop-first"),
    DROP_NTH("drop-nth"), SEED("seed"), DNS("dns"), DNS_DELAY("dns-delay");

    final String spec;

    Kind(String spec) {
      this.spec = spec;
    }
  }

  /** The ICMP destination-unreachable a SYN gets, and what a Linux client sees. */
  public enum Unreachable {
    /** Code 0, network unreachable: {@code ENETUNREACH} ("Network is unreachable"). */
    NET(0),
    /** Code 1, host unreachable: {@code EHOSTUNREACH} ("No route to host"). */
    HOST(1),
    /** Code 3, port unreachable: {@code ECONNREFUSED} ("Connection refused"). */
    PORT(3),
    /** Code 13, communication administratively prohibited: {@code EHOSTUNREACH} ("No route to host"). */
    ADMIN(13);

    final int code;

    Unreachable(int code) {
      this.code = code;
    }
  }

  /** What the fake DNS server answers under a {@code dns=} fault. */
  public enum DnsAnswer {
    /** Response code 3: the name does not exist ({@code UnknownHostException} at once). */
    NXDOMAIN,
    /** Response code 2: the server failed (glibc says "Temporary failure in name resolution"). */
    SERVFAIL,
    /** Response code 5: the server refuses to answer. */
    REFUSED,
    /** No answer at all: the client's own timeout fires. */
    TIMEOUT,
    /** Over UDP an empty answer with the truncation flag (the client asks again over TCP), over TCP the answer. */
    TRUNCATED
  }

  /** Which packets a packet-level fault acts on. */
  static final int IN = 1;
  static final int OUT = 2;
  static final int BOTH = IN | OUT;

  final Kind kind;
  /** {@link #IN}, {@link #OUT} or {@link #BOTH}; 0 for connection faults. */
  final int direction;
  /** A probability 0..1 (loss, duplicate, reorder). */
  final double probability;
  /** A duration (latency, time-based *-after, slow-close), in nanoseconds; -1 when given in bytes. */
  final long nanos;
  final long jitterNanos;
  /** A count: bytes (*-after, bandwidth per second), packets (drop-first, drop-nth), the MTU, the seed. */
  final long amount;
  final Unreachable unreachable;
  /** The answer of a {@code dns=} fault, else null. */
  final DnsAnswer dnsAnswer;
  /** The name a DNS fault applies to (lower case), or null for every name. */
  final String dnsName;
  /** Where it applies: fake host addresses (unsigned) and ports; everywhere by default. */
  final int firstAddress;
  final int lastAddress;
  final int firstPort;
  final int lastPort;
  private final String value;
  private final String scope;

  private Fault(Kind kind, int direction, double probability, long nanos, long jitterNanos, long amount,
      Unreachable unreachable, String value) {
    this(kind, direction, probability, nanos, jitterNanos, amount, unreachable, value, 0, -1, 0, 65535, null, null,
        null);
  }

  private Fault(Kind kind, int direction, double probability, long nanos, long jitterNanos, long amount,
      Unreachable unreachable, String value, int firstAddress, int lastAddress, int firstPort, int lastPort,
      String scope, DnsAnswer dnsAnswer, String dnsName) {
    this.dnsAnswer = dnsAnswer;
    this.dnsName = dnsName;
    this.kind = kind;
    this.direction = direction;
    this.probability = probability;
    this.nanos = nanos;
    this.jitterNanos = jitterNanos;
    this.amount = amount;
    this.unreachable = unreachable;
    this.value = value;
    this.firstAddress = firstAddress;
    this.lastAddress = lastAddress;
    this.firstPort = firstPort;
    this.lastPort = lastPort;
    this.scope = scope;
  }

  // ---- factories -------------------------------------------------------------------------------

  /** Every packet a fake host sends leaves {@code delay} later. */
  public static Fault latency(Duration delay) {
    return latency(delay, Duration.ZERO);
  }

  /** Every packet a fake host sends leaves {@code delay ± jitter} later (uniform; packets keep their order). */
  public static Fault latency(Duration delay, Duration jitter) {
    long d = nonNegative("latency", delay);
    long j = nonNegative("latency jitter", jitter);
    if (j > d) {
      throw new IllegalArgumentException("fault 'latency': the jitter " + format(j) + " is larger than the latency "
          + format(d) + ": a packet cannot leave before it was sent");
    }
    return new Fault(Kind.LATENCY, OUT, 0, d, j, 0, null, format(d) + (j > 0 ? "±" + format(j) : ""));
  }

  /** Every packet the host sends reaches the fake host {@code delay} later. */
  public static Fault latencyIn(Duration delay) {
    long d = nonNegative("latency-in", delay);
    return new Fault(Kind.LATENCY, IN, 0, d, 0, 0, null, format(d));
  }

  /** Random loss of {@code percent} % of the packets, both directions. */
  public static Fault loss(double percent) {
    return new Fault(Kind.LOSS, BOTH, probability("loss", percent), 0, 0, 0, null, percent(percent));
  }

  /** Random loss of {@code percent} % of the packets the host sends. */
  public static Fault lossIn(double percent) {
    return new Fault(Kind.LOSS, IN, probability("loss-in", percent), 0, 0, 0, null, percent(percent));
  }

  /** Random loss of {@code percent} % of the packets a fake host sends. */
  public static Fault lossOut(double percent) {
    return new Fault(Kind.LOSS, OUT, probability("loss-out", percent), 0, 0, 0, null, percent(percent));
  }

  /** {@code percent} % of a fake host's packets are sent twice. */
  public static Fault duplicate(double percent) {
    return new Fault(Kind.DUPLICATE, OUT, probability("duplicate", percent), 0, 0, 0, null, percent(percent));
  }

  /** {@code percent} % of a fake host's packets are held back 10 ms, so that the next ones overtake them. */
  public static Fault reorder(double percent) {
    return new Fault(Kind.REORDER, OUT, probability("reorder", percent), 0, 0, 0, null, percent(percent));
  }

  /** Each direction carries at most {@code bytesPerSecond} (IP packets, headers included). */
  public static Fault bandwidth(long bytesPerSecond) {
    return new Fault(Kind.BANDWIDTH, BOTH, 0, 0, 0, rate("bandwidth", bytesPerSecond), null, bytesPerSecond + "B/s");
  }

  /** What the host sends reaches the fake hosts at most at {@code bytesPerSecond}. */
  public static Fault bandwidthIn(long bytesPerSecond) {
    return new Fault(Kind.BANDWIDTH, IN, 0, 0, 0, rate("bandwidth-in", bytesPerSecond), null, bytesPerSecond + "B/s");
  }

  /** What the fake hosts send reaches the host at most at {@code bytesPerSecond}. */
  public static Fault bandwidthOut(long bytesPerSecond) {
    return new Fault(Kind.BANDWIDTH, OUT, 0, 0, 0, rate("bandwidth-out", bytesPerSecond), null, bytesPerSecond + "B/s");
  }

  /** A connection is reset (RST) once the fake host has acknowledged {@code bytes} bytes of the host's data. */
  public static Fault resetAfterBytes(long bytes) {
    return afterBytes(Kind.RESET_AFTER, bytes);
  }

  /** A connection is reset (RST) {@code time} after it was established. */
  public static Fault resetAfter(Duration time) {
    return afterTime(Kind.RESET_AFTER, time);
  }

  /** The fake host stops reading after {@code bytes} bytes: zero window, the host's writes block. */
  public static Fault stallAfterBytes(long bytes) {
    return afterBytes(Kind.STALL_AFTER, bytes);
  }

  /** The fake host stops reading {@code time} after the connection was established. */
  public static Fault stallAfter(Duration time) {
    return afterTime(Kind.STALL_AFTER, time);
  }

  /** The connection goes silent (no ACK, no RST) once the fake host has received {@code bytes} bytes. */
  public static Fault blackholeAfterBytes(long bytes) {
    return afterBytes(Kind.BLACKHOLE_AFTER, bytes);
  }

  /** The connection goes silent {@code time} after it was established. */
  public static Fault blackholeAfter(Duration time) {
    return afterTime(Kind.BLACKHOLE_AFTER, time);
  }

  /** The fake host's FIN, and its acknowledgment of the host's FIN, come {@code delay} later. */
  public static Fault slowClose(Duration delay) {
    long d = nonNegative("slow-close", delay);
    return new Fault(Kind.SLOW_CLOSE, 0, 0, d, 0, 0, null, format(d));
  }

  /** New connections (SYN) are answered with ICMP destination unreachable of that kind. */
  public static Fault unreachable(Unreachable kind) {
    if (kind == null) {
      throw new IllegalArgumentException("fault 'unreachable': the kind is null: use HOST, NET, PORT or ADMIN");
    }
    return new Fault(Kind.UNREACHABLE, IN, 0, 0, 0, 0, kind, kind.name().toLowerCase(Locale.ROOT));
  }

  /** The host's packets larger than {@code mtu} with DF set are answered with ICMP fragmentation-needed. */
  public static Fault mtu(int mtu) {
    if (mtu < 68 || mtu > 65535) {
      throw new IllegalArgumentException("fault 'mtu=" + mtu + "': an IPv4 MTU is from 68 to 65535 bytes");
    }
    return new Fault(Kind.MTU, IN, 0, 0, 0, mtu, null, Integer.toString(mtu));
  }

  /** The first {@code packets} packets the host sends are lost. */
  public static Fault dropFirst(int packets) {
    if (packets < 0) {
      throw new IllegalArgumentException("fault 'drop-first=" + packets + "': the count must be 0 or more");
    }
    return new Fault(Kind.DROP_FIRST, IN, 0, 0, 0, packets, null, Integer.toString(packets));
  }

  /** Every {@code n}th packet the host sends is lost (the nth, the 2nth, ...). */
  public static Fault dropNth(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("fault 'drop-nth=" + n + "': n must be 1 or more (1 drops every packet)");
    }
    return new Fault(Kind.DROP_NTH, IN, 0, 0, 0, n, null, Integer.toString(n));
  }

  /** The seed of every random fault: the same seed drops the same packets for the same traffic. */
  public static Fault seed(long seed) {
    return new Fault(Kind.SEED, 0, 0, 0, 0, seed, null, Long.toString(seed));
  }

  /**
   * This fault for the fake hosts {@code addresses} on {@code ports} only, in {@link Rule}'s notation
   * ({@code *}, an address, a range, a CIDR block; {@code *}, a port, a range).
   */
  public Fault at(String addresses, String ports) {
    if (kind == Kind.SEED) {
      throw new IllegalArgumentException("fault '" + this + "': the seed applies to every fault, not to some addresses");
    }
    int[] a = Rule.parseAddresses(addresses);
    int[] p = Rule.parsePorts(ports);
    if (isDnsFault()) {
      throw new IllegalArgumentException("fault '" + this + "': a DNS fault applies to names, not to addresses and"
          + " ports: write @NAME, e.g. " + kind.spec + "=" + value + "@db.test, or nothing for every name");
    }
    return new Fault(kind, direction, probability, nanos, jitterNanos, amount, unreachable, value, a[0], a[1], p[0],
        p[1], addresses.trim() + ":" + ports.trim(), null, null);
  }

  /**
   * The fake DNS server answers every query with {@code answer} (see {@link DnsAnswer}); with
   * {@link #forName} only queries for one name.
   *
   * <pre>{@code
   * control.fault(Fault.dns(Fault.DnsAnswer.SERVFAIL).forName("db.test"));   // as Fault.parse("dns=servfail@db.test")
   * }</pre>
   */
  public static Fault dns(DnsAnswer answer) {
    if (answer == null) {
      throw new IllegalArgumentException("fault 'dns': the answer is null: use NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT"
          + " or TRUNCATED");
    }
    return new Fault(Kind.DNS, 0, 0, 0, 0, 0, null, answer.name().toLowerCase(Locale.ROOT), 0, -1, 0, 65535, null,
        answer, null);
  }

  /** The fake DNS server answers {@code delay} late (each answer; queries are not held up behind one another). */
  public static Fault dnsDelay(Duration delay) {
    long d = nonNegative("dns-delay", delay);
    return new Fault(Kind.DNS_DELAY, 0, 0, d, 0, 0, null, format(d));
  }

  /**
   * This DNS fault for queries of {@code name} only (any case; a leading {@code *.} matches every name
   * below, e.g. {@code *.test}).
   *
   * @throws IllegalArgumentException if this is not a DNS fault, or the name is not a host name
   */
  public Fault forName(String name) {
    if (!isDnsFault()) {
      throw new IllegalArgumentException("fault '" + this + "' is not a DNS fault: only dns= and dns-delay= apply to"
          + " names; give others @ADDRESSES:PORTS");
    }
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    String bare = n.startsWith("*.") ? n.substring(2) : n;
    if (!bare.matches("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*") || bare.length() > 253) {
      throw new IllegalArgumentException("fault '" + kind.spec + "=" + value + "@" + name + "': '" + name
          + "' is not a host name: write letters, digits and '-' in dot-separated labels, e.g. db.test or *.test");
    }
    return new Fault(kind, direction, probability, nanos, jitterNanos, amount, unreachable, value, 0, -1, 0, 65535, n,
        dnsAnswer, n);
  }

  /** Whether this is a fault of the fake DNS server ({@code dns=}, {@code dns-delay=}). */
  public boolean isDnsFault() {
    return kind == Kind.DNS || kind == Kind.DNS_DELAY;
  }

  /** The answer a {@code dns=} fault gives, if this is one. */
  public java.util.Optional<DnsAnswer> dnsAnswer() {
    return java.util.Optional.ofNullable(dnsAnswer);
  }

  /** The delay of a {@code dns-delay=} fault; zero for every other fault. */
  public Duration dnsDelay() {
    return kind == Kind.DNS_DELAY ? Duration.ofNanos(nanos) : Duration.ZERO;
  }

  /** Whether this DNS fault applies to queries of {@code name}; false for every other fault. */
  public boolean appliesToName(String name) {
    if (!isDnsFault()) {
      return false;
    }
    if (dnsName == null) {
      return true;
    }
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return dnsName.startsWith("*.") ? n.endsWith(dnsName.substring(1)) : n.equals(dnsName);
  }

  /** Whether this fault applies to every fake host and port. */
  public boolean isEverywhere() {
    return scope == null;
  }

  // ---- the grammar -----------------------------------------------------------------------------

  /**
   * Parses one spec: {@code NAME=VALUE[@ADDRESSES:PORTS]}, as in the table above.
   *
   * @throws IllegalArgumentException naming the part that cannot be parsed and what was expected
   */
  public static Fault parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("fault spec is empty: expected NAME=VALUE, e.g. latency=100ms or loss=5%");
    }
    String text = spec.trim();
    String where = null;
    int at = text.indexOf('@');
    if (at >= 0) {
      where = text.substring(at + 1).trim();
      text = text.substring(0, at).trim();
    }
    int equals = text.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException("fault '" + spec + "': expected NAME=VALUE, e.g. latency=100ms; names: "
          + NAMES);
    }
    String name = text.substring(0, equals).trim().toLowerCase(Locale.ROOT);
    String value = text.substring(equals + 1).trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("fault '" + spec + "': '" + name + "' has no value");
    }
    Fault fault;
    try {
      fault = parse(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fault '" + spec + "': " + e.getMessage(), e);
    }
    if (where == null) {
      return fault;
    }
    if (fault.isDnsFault()) {
      try {
        return where.equals("*") ? fault : fault.forName(where);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fault '" + spec + "': '" + where + "' is not a host name: write"
            + " @NAME, e.g. @db.test or @*.test", e);
      }
    }
    int colon = FamilyScope.portColon(where);
    if (colon == where.length()) {
      return fault.at(where, "*"); // @ipv4, @ipv6: every host and port of the family
    }
    if (colon < 0) {
      throw new IllegalArgumentException("fault '" + spec + "': '@" + where
          + "' is not @ADDRESSES:PORTS, e.g. @192.168.0.5:80 or @192.168.0.5:*");
    }
    try {
      return fault.at(where.substring(0, colon), where.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fault '" + spec + "': " + e.getMessage(), e);
    }
  }

  private static final String NAMES = "latency, latency-in, loss, loss-in, loss-out, duplicate, reorder, bandwidth,"
      + " bandwidth-in, bandwidth-out, reset-after, stall-after, blackhole-after, slow-close, unreachable, mtu,"
      + " drop-first, drop-nth, seed, dns, dns-delay";

  private static Fault parse(String name, String value) {
    switch (name) {
      case "latency": {
        String v = value.replace("+-", "±").replace("+/-", "±");
        int pm = v.indexOf('±');
        if (pm < 0) {
          return latency(duration(name, v));
        }
        return latency(duration(name, v.substring(0, pm)), duration(name + " jitter", v.substring(pm + 1)));
      }
      case "latency-in":
        return latencyIn(duration(name, value));
      case "loss":
        return loss(percent(name, value));
      case "loss-in":
        return lossIn(percent(name, value));
      case "loss-out":
        return lossOut(percent(name, value));
      case "duplicate":
        return duplicate(percent(name, value));
      case "reorder":
        return reorder(percent(name, value));
      case "bandwidth":
        return bandwidth(bandwidth(name, value));
      case "bandwidth-in":
        return bandwidthIn(bandwidth(name, value));
      case "bandwidth-out":
        return bandwidthOut(bandwidth(name, value));
      case "reset-after":
        return after(Kind.RESET_AFTER, value);
      case "stall-after":
        return after(Kind.STALL_AFTER, value);
      case "blackhole-after":
        return after(Kind.BLACKHOLE_AFTER, value);
      case "slow-close":
        return slowClose(duration(name, value));
      case "unreachable":
        try {
          return unreachable(Unreachable.valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unreachable '" + value + "' is not one of host, net, port, admin");
        }
      case "mtu":
        return mtu((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "drop-first":
        return dropFirst((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "drop-nth":
        return dropNth((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "dns":
        try {
          return dns(DnsAnswer.valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("dns '" + value + "' is not one of nxdomain, servfail, refused, timeout,"
              + " truncated");
        }
      case "dns-delay":
        return dnsDelay(duration(name, value));
      case "seed":
        try {
          return seed(Long.parseLong(value));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("seed '" + value + "' is not a whole number (64-bit)");
        }
      default:
        throw new IllegalArgumentException("unknown fault '" + name + "': expected one of " + NAMES);
    }
  }

  private static Fault after(Kind kind, String value) {
    if (Character.isDigit(value.charAt(value.length() - 1)) || value.endsWith("B")) {
      return afterBytes(kind, bytes(kind.spec, value));
    }
    Duration time;
    try {
      time = duration(kind.spec, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(kind.spec + " '" + value + "' is neither a byte count (1000, 64KiB) nor a"
          + " duration (2s, 500ms)", e);
    }
    return afterTime(kind, time);
  }

  private static Fault afterBytes(Kind kind, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("fault '" + kind.spec + "=" + bytes + "': the byte count must be 0 or more");
    }
    return new Fault(kind, 0, 0, -1, 0, bytes, null, Long.toString(bytes));
  }

  private static Fault afterTime(Kind kind, Duration time) {
    long t = nonNegative(kind.spec, time);
    return new Fault(kind, 0, 0, t, 0, 0, null, format(t));
  }

  /** {@code 100ms}, {@code 2s}, {@code 1.5s}, {@code 250us}, {@code 1m}. */
  static Duration duration(String name, String text) {
    String s = text.trim();
    long unit;
    String number;
    if (s.endsWith("ms")) {
      unit = 1_000_000L;
      number = s.substring(0, s.length() - 2);
    } else if (s.endsWith("us") || s.endsWith("µs")) {
      unit = 1_000L;
      number = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      unit = 1_000_000_000L;
      number = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unit = 60_000_000_000L;
      number = s.substring(0, s.length() - 1);
    } else {
      throw new IllegalArgumentException(name + " '" + text + "' has no unit: write e.g. 100ms, 2s, 250us or 1m");
    }
    try {
      double v = Double.parseDouble(number.trim());
      if (v >= 0 && v * unit < Long.MAX_VALUE / 2 && !number.trim().startsWith("+")) {
        return Duration.ofNanos(Math.round(v * unit));
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " '" + text + "' is not a duration: write e.g. 100ms, 2s, 250us or 1m");
  }

  /** {@code 5%}, {@code 0.5%}. */
  private static double percent(String name, String text) {
    String s = text.trim();
    if (!s.endsWith("%")) {
      throw new IllegalArgumentException(name + " '" + text + "' is not a percentage: write e.g. 5% or 0.5%");
    }
    try {
      double v = Double.parseDouble(s.substring(0, s.length() - 1).trim());
      if (v >= 0 && v <= 100) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " '" + text + "' is not a percentage from 0% to 100%: write e.g. "
        + name + "=5% or " + name + "=0.5%");
  }

  private static final String[][] RATE_UNITS = {
    {"GiB/s", "1073741824"}, {"MiB/s", "1048576"}, {"KiB/s", "1024"}, {"Gbit/s", "125000000"},
    {"Mbit/s", "125000"}, {"kbit/s", "125"}, {"bit/s", "0.125"}, {"GB/s", "1000000000"}, {"MB/s", "1000000"},
    {"KB/s", "1000"}, {"kB/s", "1000"}, {"B/s", "1"},
  };

  /** {@code 1MB/s}, {@code 500KiB/s}, {@code 10Mbit/s}: bytes per second. */
  private static long bandwidth(String name, String text) {
    String s = text.trim();
    for (String[] unit : RATE_UNITS) {
      if (s.endsWith(unit[0])) {
        try {
          double v = Double.parseDouble(s.substring(0, s.length() - unit[0].length()).trim());
          long rate = Math.round(v * Double.parseDouble(unit[1]));
          if (v > 0 && rate >= 1) {
            return rate;
          }
        } catch (NumberFormatException e) {
          break;
        }
        throw new IllegalArgumentException(name + " '" + text + "' is below 1 byte per second: write e.g. " + name
            + "=1MB/s or " + name + "=64kbit/s");
      }
    }
    throw new IllegalArgumentException(name + " '" + text + "' is not a rate: write e.g. 1MB/s, 500KiB/s or 10Mbit/s"
        + " (B, KB, MB, GB, KiB, MiB, GiB, bit, kbit, Mbit, Gbit per second)");
  }

  /** {@code 1000}, {@code 1000B}, {@code 64KiB}, {@code 1MB}: bytes. */
  private static long bytes(String name, String text) {
    String s = text.trim();
    long unit = 1;
    String[][] units = {{"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}, {"GB", "1000000000"},
      {"MB", "1000000"}, {"KB", "1000"}, {"kB", "1000"}, {"B", "1"}};
    for (String[] u : units) {
      if (s.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length()).trim();
        break;
      }
    }
    try {
      long v = Long.parseLong(s);
      if (v >= 0 && v <= Long.MAX_VALUE / unit) {
        return v * unit;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " '" + text + "' is neither a byte count (1000, 64KiB) nor a duration"
        + " (2s, 500ms)");
  }

  private static long count(String name, String text) {
    try {
      long v = Long.parseLong(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " '" + text + "' is not a whole number 0 or more");
  }

  private static long nonNegative(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException("fault '" + name + "': the duration " + d + " must be zero or more");
    }
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("fault '" + name + "': the duration " + d + " is too long", e);
    }
  }

  private static double probability(String name, double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("fault '" + name + "=" + percent + "%': a percentage is from 0 to 100");
    }
    return percent / 100;
  }

  private static long rate(String name, long bytesPerSecond) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("fault '" + name + "=" + bytesPerSecond + "B/s': the rate must be 1 B/s or more");
    }
    return bytesPerSecond;
  }

  private static String percent(double percent) {
    return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
  }

  /** A duration in the grammar's units, the largest that is exact. */
  static String format(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos / 1e9 + "s";
  }

  /** Whether this fault applies to the fake host {@code address} on {@code port} (-1: ICMP, no port). */
  boolean appliesTo(int address, int port) {
    return Integer.compareUnsigned(address, firstAddress) >= 0
        && Integer.compareUnsigned(address, lastAddress) <= 0
        && (port < 0 ? firstPort == 0 && lastPort == 65535 : port >= firstPort && port <= lastPort);
  }

  /** Whether this acts on connections (reset, stall, blackhole, slow close) rather than on packets. */
  boolean isConnectionFault() {
    return kind == Kind.RESET_AFTER || kind == Kind.STALL_AFTER || kind == Kind.BLACKHOLE_AFTER
        || kind == Kind.SLOW_CLOSE;
  }

  /** The spec, as {@link #parse} reads it. */
  @Override
  public String toString() {
    String name = kind.spec + (kind == Kind.LATENCY && direction == IN ? "-in"
        : (kind == Kind.LOSS || kind == Kind.BANDWIDTH) && direction != BOTH ? (direction == IN ? "-in" : "-out") : "");
    return name + "=" + value + (scope == null ? "" : "@" + scope);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fault && o.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toString());
  }
}
