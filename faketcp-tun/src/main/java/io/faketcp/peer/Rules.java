package io.faketcp.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * An ordered list of {@link Rule}s and a default mode: the first rule matching a fake host's
 * address and port decides (a mode, a {@link Server} for TCP or a {@link DatagramServer} for UDP), else
 * the default. Immutable; swap a whole set into a running peer with
 * {@link FakePeer#rules(Rules)}.
 *
 * <pre>{@code
 * Rules rules = Rules.of(Mode.ACCEPT)
 *     .with(Rule.of("192.168.0.5", "*", Mode.DROP))
 *     .with(Rule.of("192.168.0.6", "*", Mode.REJECT))
 *     .with(Rule.of("192.168.0.7", "7", Server.echo()));
 * }</pre>
 */
public final class Rules {
  private static final Fault[] NO_FAULTS = new Fault[0];

  private final Rule[] rules;
  private final Mode defaultMode;
  /** Faults given with {@link #withFault}, in order. */
  private final Fault[] faults;
  /** The seed of a {@code seed=N} spec given to {@link #withFaults(String...)} (compatibility), or null. */
  private final Long seed;

  private Rules(Rule[] rules, Mode defaultMode, Fault[] faults, Long seed) {
    this.rules = rules;
    this.defaultMode = defaultMode;
    this.faults = faults;
    this.seed = seed;
  }

  /** No rules: every host behaves as {@code defaultMode}. */
  public static Rules of(Mode defaultMode) {
    if (defaultMode == null) {
      throw new IllegalArgumentException("default mode is null");
    }
    return new Rules(new Rule[0], defaultMode, NO_FAULTS, null);
  }

  /** These rules followed by {@code rule}. */
  public Rules with(Rule rule) {
    if (rule == null) {
      throw new IllegalArgumentException("rule is null");
    }
    Rule[] more = Arrays.copyOf(rules, rules.length + 1);
    more[rules.length] = rule;
    return new Rules(more, defaultMode, faults, seed);
  }

  /** {@code rule} followed by these rules: it wins over every rule given so far. */
  public Rules withFirst(Rule rule) {
    if (rule == null) {
      throw new IllegalArgumentException("rule is null");
    }
    Rule[] more = new Rule[rules.length + 1];
    more[0] = rule;
    System.arraycopy(rules, 0, more, 1, rules.length);
    return new Rules(more, defaultMode, faults, seed);
  }

  /** The same rules with another default. */
  public Rules withDefault(Mode mode) {
    return new Rules(rules, of(mode).defaultMode, faults, seed);
  }

  /**
   * These rules and {@code fault}: for every fake host, or for those of its {@code @ADDRESSES:PORTS}.
   * Faults add up (two latencies delay twice).
   *
   * <pre>{@code
   * Rules.of(Mode.ECHO).withFault(Fault.parse("loss=5%")).withFault(Fault.parse("latency=1s@192.168.0.5:*"));
   * }</pre>
   */
  public Rules withFault(Fault fault) {
    if (fault == null) {
      throw new IllegalArgumentException("fault is null");
    }
    Fault[] more = Arrays.copyOf(faults, faults.length + 1);
    more[faults.length] = fault;
    return new Rules(rules, defaultMode, more, seed);
  }

  /**
   * These rules and every fault of {@code specs}, each parsed with {@link Fault#parse}. For
   * compatibility a spec {@code seed=N} sets {@link #seed()} (the last one wins); the seed is the
   * network's, better given as {@code FakePeer.Builder.seed} or {@code @FakeNetwork(seed = N)}.
   *
   * @throws IllegalArgumentException naming the spec that cannot be parsed
   */
  public Rules withFaults(String... specs) {
    Rules result = this;
    for (String spec : specs) {
      OptionalLong given = FaultSpec.seed(spec);
      result = given.isPresent() ? new Rules(result.rules, result.defaultMode, result.faults, given.getAsLong())
          : result.withFault(Fault.parse(spec));
    }
    return result;
  }

  /** The same rules and modes with no faults at all: neither those given here nor the rules' own (a seed stays). */
  public Rules withoutFaults() {
    Rule[] plain = new Rule[rules.length];
    for (int i = 0; i < rules.length; i++) {
      plain[i] = rules[i].withoutFaults();
    }
    return new Rules(plain, defaultMode, NO_FAULTS, seed);
  }

  /** No rules and {@code mode} for every host, with these faults given with {@link #withFault} and this seed. */
  Rules withOnly(Mode mode) {
    return new Rules(new Rule[0], of(mode).defaultMode, faults, seed);
  }

  /** Every fault in force: those given with {@link #withFault}, then each rule's (scoped to the rule). */
  public List<Fault> faults() {
    List<Fault> all = new ArrayList<>(List.of(faults));
    for (Rule rule : rules) {
      all.addAll(rule.faults());
    }
    return all;
  }

  /**
   * The seed of a {@code seed=N} spec given to {@link #withFaults(String...)}, if any: it wins over the
   * network's seed (compatibility).
   */
  public OptionalLong seed() {
    return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
  }

  /** The mode for the fake host {@code address} (32-bit) on {@code port}. */
  public Mode modeFor(int address, int port) {
    for (Rule rule : rules) {
      if (rule.forTcp() && rule.matches(address, port)) {
        return rule.mode();
      }
    }
    return defaultMode;
  }

  /**
   * The server for the fake host {@code address} (32-bit) on {@code port}: that of the first
   * matching rule, or null when that rule gives a mode, or no rule matches. The peer asks this for
   * each connection it accepts.
   */
  public Server serverFor(int address, int port) {
    for (Rule rule : rules) {
      if (rule.forTcp() && rule.matches(address, port)) {
        return rule.server();
      }
    }
    return null;
  }

  /**
   * The first rule deciding for UDP datagrams to the fake host {@code address} (32-bit) on
   * {@code port}: one with a mode or a {@link DatagramServer}; null when the default mode decides.
   */
  Rule datagramRule(int address, int port) {
    for (Rule rule : rules) {
      if (rule.forUdp() && rule.matches(address, port)) {
        return rule;
      }
    }
    return null;
  }

  /** The default mode. */
  public Mode defaultMode() {
    return defaultMode;
  }

  /** The rules, first match first. */
  public List<Rule> rules() {
    return List.of(rules);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Rule rule : rules) {
      parts.add(rule.toString());
    }
    parts.add("default -> " + defaultMode);
    for (Fault f : faults) {
      parts.add(f.toString());
    }
    if (seed != null) {
      parts.add("seed=" + seed);
    }
    return String.join(", ", parts);
  }
}
