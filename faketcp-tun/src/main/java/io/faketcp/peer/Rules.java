package io.faketcp.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of {@link Rule}s and a default mode: the first rule matching a fake host's
 * address and port decides (a mode, or a {@link Server}), else the default. Immutable; swap a whole set into a running peer with
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
  private final Rule[] rules;
  private final Mode defaultMode;

  private Rules(Rule[] rules, Mode defaultMode) {
    this.rules = rules;
    this.defaultMode = defaultMode;
  }

  /** No rules: every host behaves as {@code defaultMode}. */
  public static Rules of(Mode defaultMode) {
    if (defaultMode == null) {
      throw new IllegalArgumentException("default mode is null");
    }
    return new Rules(new Rule[0], defaultMode);
  }

  /** These rules followed by {@code rule}. */
  public Rules with(Rule rule) {
    Rule[] more = java.util.Arrays.copyOf(rules, rules.length + 1);
    more[rules.length] = rule;
    return new Rules(more, defaultMode);
  }

  /** The same rules with another default. */
  public Rules withDefault(Mode mode) {
    return new Rules(rules, of(mode).defaultMode);
  }

  /** The mode for the fake host {@code address} (32-bit) on {@code port}. */
  public Mode modeFor(int address, int port) {
    for (Rule rule : rules) {
      if (rule.matches(address, port)) {
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
      if (rule.matches(address, port)) {
        return rule.server();
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
    return String.join(", ", parts);
  }
}
