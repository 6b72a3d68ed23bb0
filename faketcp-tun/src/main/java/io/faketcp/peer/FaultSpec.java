package io.faketcp.peer;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The fault grammar ({@code NAME=VALUE[@SCOPE]}, see {@link Fault}): reads a spec into a
 * {@link Fault} record, and writes the values the records give back in {@code toString}. Also the
 * checks the records share, so that every record says the same thing about the same mistake.
 */
final class FaultSpec {
  /** The kinds, as a parse error lists them. */
  private static final String NAMES = "latency, latency-in, loss, loss-in, loss-out, duplicate, reorder, bandwidth,"
      + " bandwidth-in, bandwidth-out, reset-after, stall-after, blackhole-after, slow-close, unreachable, mtu,"
      + " drop-first, drop-nth, dns, dns-delay";
  private static final Pattern HOST_NAME =
      Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*");
  private static final String[][] RATE_UNITS = {
    {"GiB/s", "1073741824"}, {"MiB/s", "1048576"}, {"KiB/s", "1024"}, {"Gbit/s", "125000000"},
    {"Mbit/s", "125000"}, {"kbit/s", "125"}, {"bit/s", "0.125"}, {"GB/s", "1000000000"}, {"MB/s", "1000000"},
    {"KB/s", "1000"}, {"kB/s", "1000"}, {"B/s", "1"},
  };
  private static final String[][] BYTE_UNITS = {
    {"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}, {"GB", "1000000000"}, {"MB", "1000000"},
    {"KB", "1000"}, {"kB", "1000"}, {"B", "1"},
  };

  private FaultSpec() {
  }

  /** The seed of a {@code seed=N} spec, which a list of fault specs still reads; empty for any other spec. */
  static OptionalLong seed(String spec) {
    if (spec == null) {
      return OptionalLong.empty();
    }
    String s = spec.trim();
    int equals = s.indexOf('=');
    if (equals <= 0 || !s.substring(0, equals).trim().equalsIgnoreCase("seed")) {
      return OptionalLong.empty();
    }
    String value = s.substring(equals + 1).trim();
    if (value.contains("@")) {
      throw new IllegalArgumentException("'" + spec + "': the seed is one for the whole network, not for some"
          + " addresses: drop the @ part");
    }
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + spec + "': the seed '" + value + "' is not a whole number (64-bit):"
          + " write e.g. seed=42", e);
    }
  }

  /** One spec, as {@link Fault#parse} documents. */
  static Fault parse(String spec) {
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
    if (name.equals("seed")) {
      throw new IllegalArgumentException("fault '" + spec + "': the seed is no fault but the network's: give"
          + " @FakeNetwork(seed = " + value + "), FakePeer.Builder.seed(" + value + "), -Dfaketcp.seed=" + value
          + " or --seed " + value + " (a list of fault specs, as @FakeNetwork(faults = ...), still reads it)");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("fault '" + spec + "': '" + name + "' has no value: write " + name
          + "=VALUE");
    }
    try {
      Fault fault = parse(name, value);
      if (where == null) {
        return fault;
      }
      if (fault instanceof Fault.Dns) {
        return ((Fault.Dns) fault).forName(where);
      }
      if (fault instanceof Fault.DnsDelay) {
        return ((Fault.DnsDelay) fault).forName(where);
      }
      return fault.at(Scope.parse(where));
    } catch (IllegalArgumentException e) {
      // A record names the fault by its kind ("fault 'mtu=20': ..."): name it by the whole spec instead, once.
      String message = e.getMessage();
      int named = message.startsWith("fault '") ? message.indexOf("': ") : -1;
      throw new IllegalArgumentException("fault '" + spec + "': " + (named < 0 ? message : message.substring(named + 3)),
          e);
    }
  }

  private static Fault parse(String name, String value) {
    switch (name) {
      case "latency":
      case "latency-in": {
        String v = value.replace("+/-", "±").replace("+-", "±");
        int pm = v.indexOf('±');
        Duration delay = duration(name, pm < 0 ? v : v.substring(0, pm));
        Duration jitter = pm < 0 ? Duration.ZERO : duration(name + " jitter", v.substring(pm + 1));
        return new Fault.Latency(delay, jitter, name.equals("latency") ? Fault.Flow.OUT : Fault.Flow.IN,
            Scope.everywhere());
      }
      case "loss":
        return Fault.loss(percent(name, value));
      case "loss-in":
        return Fault.lossIn(percent(name, value));
      case "loss-out":
        return Fault.lossOut(percent(name, value));
      case "duplicate":
        return Fault.duplicate(percent(name, value));
      case "reorder":
        return Fault.reorder(percent(name, value));
      case "bandwidth":
        return Fault.bandwidth(bandwidth(name, value));
      case "bandwidth-in":
        return Fault.bandwidthIn(bandwidth(name, value));
      case "bandwidth-out":
        return Fault.bandwidthOut(bandwidth(name, value));
      case "reset-after":
        return new Fault.ResetAfter(after(name, value), Scope.everywhere());
      case "stall-after":
        return new Fault.StallAfter(after(name, value), Scope.everywhere());
      case "blackhole-after":
        return new Fault.BlackholeAfter(after(name, value), Scope.everywhere());
      case "slow-close":
        return Fault.slowClose(duration(name, value));
      case "unreachable":
        try {
          return Fault.unreachable(Fault.Unreachable.Code.valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unreachable '" + value + "' is not one of host, net, port, admin", e);
        }
      case "mtu":
        return Fault.mtu((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "drop-first":
        return Fault.dropFirst((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "drop-nth":
        return Fault.dropNth((int) Math.min(Integer.MAX_VALUE, count(name, value)));
      case "dns":
        try {
          return Fault.dns(Fault.DnsAnswer.valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("dns '" + value + "' is not one of nxdomain, servfail, refused, timeout,"
              + " truncated", e);
        }
      case "dns-delay":
        return Fault.dnsDelay(duration(name, value));
      default:
        throw new IllegalArgumentException("unknown fault '" + name + "': expected one of " + NAMES);
    }
  }

  private static Fault.After after(String name, String value) {
    if (Character.isDigit(value.charAt(value.length() - 1)) || value.endsWith("B")) {
      return new Fault.After.Bytes(bytes(name, value));
    }
    try {
      return new Fault.After.Time(duration(name, value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " '" + value + "' is neither a byte count (1000, 64KiB) nor a"
          + " duration (2s, 500ms)", e);
    }
  }

  /** {@code 100ms}, {@code 2s}, {@code 1.5s}, {@code 250us}, {@code 10ns}, {@code 1m}. */
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
    } else if (s.endsWith("ns")) {
      unit = 1L;
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
    for (String[] u : BYTE_UNITS) {
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

  // ---- what the records share ------------------------------------------------------------------

  /** {@code name=value}, and {@code @scope} unless it is everywhere. */
  static String spec(String name, String value, Scope scope) {
    return name + "=" + value + (scope.isEverywhere() ? "" : "@" + scope);
  }

  /** {@code base}, {@code base-in} or {@code base-out}. */
  static String named(String base, Fault.Flow flow) {
    return base + (flow == Fault.Flow.IN ? "-in" : flow == Fault.Flow.OUT ? "-out" : "");
  }

  /** A duration in the grammar's units, the largest that is exact. */
  static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  /** A percentage: {@code 5%}, {@code 0.5%}. */
  static String format(double percent) {
    return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
  }

  /** The nanoseconds of {@code d}, checked: not null, zero or more, not too long. */
  static long nanos(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException("fault '" + name + "': the duration " + d + " must be zero or more");
    }
    try {
      long nanos = d.toNanos();
      if (nanos < Long.MAX_VALUE / 2) {
        return nanos;
      }
    } catch (ArithmeticException e) {
      // the message below
    }
    throw new IllegalArgumentException("fault '" + name + "': the duration " + d + " is too long: give less than"
        + " a century");
  }

  /** {@code percent}, checked to be 0 to 100 (and -0 made 0, so that equal faults print alike). */
  static double percent(String name, double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("fault '" + name + "=" + percent + "%': a percentage is from 0 to 100");
    }
    return percent + 0.0;
  }

  static void flow(String name, Fault.Flow flow) {
    if (flow == null) {
      throw new IllegalArgumentException("fault '" + name + "': the flow is null: give IN, OUT or BOTH");
    }
  }

  static void scope(String name, Scope scope) {
    if (scope == null) {
      throw new IllegalArgumentException("fault '" + name + "': the scope is null: give Scope.everywhere() for"
          + " every fake host");
    }
  }

  static void after(String name, Fault.After after, Scope scope) {
    if (after == null) {
      throw new IllegalArgumentException("fault '" + name + "': when it acts is null: give new Fault.After.Bytes(n)"
          + " or new Fault.After.Time(duration)");
    }
    scope(name, scope);
  }

  /** A DNS fault takes no address scope, only everywhere. */
  static void dnsScope(Fault fault, Scope scope) {
    if (scope == null || !scope.isEverywhere()) {
      throw new IllegalArgumentException("fault '" + fault + "': a DNS fault applies to names, not to addresses and"
          + " ports (" + scope + "): give forName(\"db.test\") (@db.test in a spec), or nothing for every name");
    }
  }

  /** A DNS fault's name: lower case, no trailing dot, {@code *} for every name. */
  static String name(String fault, String name) {
    if (name == null) {
      throw new IllegalArgumentException("fault '" + fault + "': the name is null: give a host name, *.test, or *"
          + " for every name");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.equals("*")) {
      return n;
    }
    String bare = n.startsWith("*.") ? n.substring(2) : n;
    if (!HOST_NAME.matcher(bare).matches() || bare.length() > 253) {
      throw new IllegalArgumentException("fault '" + fault + "@" + name + "': '" + name + "' is not a host name:"
          + " write @NAME, e.g. @db.test or @*.test (letters, digits and '-' in dot-separated labels)");
    }
    return n;
  }

  /** Whether a DNS fault's {@code name} covers the query name {@code query}. */
  static boolean nameMatches(String name, String query) {
    if (name.equals("*")) {
      return true;
    }
    String n = query.toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return name.startsWith("*.") ? n.endsWith(name.substring(1)) : n.equals(name);
  }
}
