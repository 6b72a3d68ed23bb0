package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code Fault.parse(f.toString())} equals {@code f} for every fault: a seeded generator builds
 * faults of every kind from the records (not from specs), with values across their ranges (odd
 * durations down to the nanosecond, fractional percentages, byte counts, rates) and scopes of every
 * form, and each must come back equal from its own text.
 */
class FaultRoundTripTest {
  private static final int FAULTS = 20_000;

  @Test
  void everyFaultParsesBackFromItsText() {
    SplittableRandom random = new SplittableRandom(22);
    Set<Class<?>> kinds = new HashSet<>();
    Set<String> scopeForms = new HashSet<>();
    for (int i = 0; i < FAULTS; i++) {
      Fault fault = fault(random);
      kinds.add(fault.getClass());
      scopeForms.add(form(fault.scope()));
      String text = fault.toString();
      assertThat(Fault.parse(text)).as(text).isEqualTo(fault).hasToString(text);
      assertThat(Fault.parse(text).hashCode()).as(text).isEqualTo(fault.hashCode());
    }
    assertThat(kinds).as("every kind generated").containsExactlyInAnyOrder(Fault.class.getPermittedSubclasses());
    assertThat(scopeForms).containsExactlyInAnyOrder("everywhere", "address", "range", "cidr", "family");
  }

  private static Fault fault(SplittableRandom r) {
    Scope scope = scope(r);
    switch (r.nextInt(15)) {
      case 0: {
        Duration delay = duration(r);
        Duration jitter = r.nextBoolean() ? Duration.ZERO : Duration.ofNanos(r.nextLong(delay.toNanos() + 1));
        return new Fault.Latency(delay, jitter, r.nextBoolean() ? Fault.Flow.IN : Fault.Flow.OUT, scope);
      }
      case 1:
        return new Fault.Loss(percent(r), flow(r), scope);
      case 2:
        return new Fault.Duplicate(percent(r), scope);
      case 3:
        return new Fault.Reorder(percent(r), scope);
      case 4:
        return new Fault.Bandwidth(1 + r.nextLong(r.nextBoolean() ? 10_000 : 100_000_000_000L), flow(r), scope);
      case 5:
        return new Fault.ResetAfter(after(r), scope);
      case 6:
        return new Fault.StallAfter(after(r), scope);
      case 7:
        return new Fault.BlackholeAfter(after(r), scope);
      case 8:
        return new Fault.SlowClose(duration(r), scope);
      case 9:
        Fault.Unreachable.Code[] codes = Fault.Unreachable.Code.values();
        return new Fault.Unreachable(codes[r.nextInt(codes.length)], scope);
      case 10:
        return new Fault.Mtu(68 + r.nextInt(65535 - 68 + 1), scope);
      case 11:
        return new Fault.DropFirst(r.nextInt(Integer.MAX_VALUE), scope);
      case 12:
        return new Fault.DropNth(1 + r.nextInt(Integer.MAX_VALUE - 1), scope);
      case 13:
        Fault.DnsAnswer[] answers = Fault.DnsAnswer.values();
        return new Fault.Dns(answers[r.nextInt(answers.length)], name(r));
      default:
        return new Fault.DnsDelay(duration(r), name(r));
    }
  }

  /** Whole units and odd nanoseconds, up to a day. */
  private static Duration duration(SplittableRandom r) {
    long[] units = {1, 1_000, 1_000_000, 1_000_000_000};
    long unit = units[r.nextInt(units.length)];
    return Duration.ofNanos(r.nextLong(86_400_000_000_000L / unit + 1) * unit);
  }

  /** Whole, one-decimal, and arbitrary percentages, the ends included. */
  private static double percent(SplittableRandom r) {
    switch (r.nextInt(5)) {
      case 0:
        return r.nextBoolean() ? 0 : 100;
      case 1:
        return r.nextInt(101);
      case 2:
        return r.nextInt(1001) / 10.0;
      default:
        return r.nextDouble() * 100;
    }
  }

  private static Fault.Flow flow(SplittableRandom r) {
    Fault.Flow[] flows = EnumSet.allOf(Fault.Flow.class).toArray(new Fault.Flow[0]);
    return flows[r.nextInt(flows.length)];
  }

  private static Fault.After after(SplittableRandom r) {
    return r.nextBoolean() ? new Fault.After.Bytes(r.nextLong(Long.MAX_VALUE)) : new Fault.After.Time(duration(r));
  }

  private static Scope scope(SplittableRandom r) {
    String ports = ports(r);
    switch (r.nextInt(5)) {
      case 0:
        return Scope.everywhere();
      case 1:
        return Scope.of(address(r), ports);
      case 2: {
        int a = r.nextInt();
        int b = r.nextInt();
        String first = address(Integer.compareUnsigned(a, b) <= 0 ? a : b);
        String last = address(Integer.compareUnsigned(a, b) <= 0 ? b : a);
        return Scope.of(first + "-" + last, ports);
      }
      case 3: {
        int prefix = r.nextInt(33);
        int network = r.nextInt(); // host bits too: the scope keeps the block's network
        return Scope.of(address(network) + "/" + prefix, ports);
      }
      default:
        return Scope.of(r.nextBoolean() ? "ipv4" : "ipv6", ports);
    }
  }

  private static String ports(SplittableRandom r) {
    switch (r.nextInt(3)) {
      case 0:
        return "*";
      case 1:
        return Integer.toString(r.nextInt(65536));
      default:
        int a = r.nextInt(65536);
        return a + "-" + (a + r.nextInt(65536 - a));
    }
  }

  private static String address(SplittableRandom r) {
    return address(r.nextInt());
  }

  private static String address(int a) {
    return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
  }

  private static String name(SplittableRandom r) {
    switch (r.nextInt(3)) {
      case 0:
        return "*";
      case 1:
        return "db" + r.nextInt(100) + ".test";
      default:
        return "*.svc" + r.nextInt(10) + ".test";
    }
  }

  private static String form(Scope scope) {
    String text = scope.toString();
    if (scope.isEverywhere()) {
      return "everywhere";
    }
    if (text.startsWith("ipv")) {
      return "family";
    }
    String addresses = text.substring(0, text.lastIndexOf(':'));
    return addresses.contains("/") ? "cidr" : addresses.contains("-") ? "range" : addresses.equals("*") ? "ports"
        : "address";
  }
}
