package io.faketcp.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of {@link Rule}s and a default behaviour: the first rule matching a fake host's
 * address and port decides, else the default. Immutable; swap a whole set into a running peer with
 * {@link FakePeer#rules(Rules)}.
 *
 * <pre>{@code
 * Rules rules = Rules.of(Behaviour.ACCEPT)
 *     .with(Rule.of("192.168.0.5", "*", Behaviour.DROP))
 *     .with(Rule.of("192.168.0.6", "*", Behaviour.REJECT));
 * }</pre>
 */
public final class Rules {
  private final Rule[] rules;
  private final Behaviour defaultBehaviour;

  private Rules(Rule[] rules, Behaviour defaultBehaviour) {
    this.rules = rules;
    this.defaultBehaviour = defaultBehaviour;
  }

  /** No rules: every host behaves as {@code defaultBehaviour}. */
  public static Rules of(Behaviour defaultBehaviour) {
    if (defaultBehaviour == null) {
      throw new IllegalArgumentException("default behaviour is null");
    }
    return new Rules(new Rule[0], defaultBehaviour);
  }

  /** These rules followed by {@code rule}. */
  public Rules with(Rule rule) {
    Rule[] more = java.util.Arrays.copyOf(rules, rules.length + 1);
    more[rules.length] = rule;
    return new Rules(more, defaultBehaviour);
  }

  /** The same rules with another default. */
  public Rules withDefault(Behaviour behaviour) {
    return new Rules(rules, of(behaviour).defaultBehaviour);
  }

  /** The behaviour for the fake host {@code address} (32-bit) on {@code port}. */
  public Behaviour behaviourFor(int address, int port) {
    for (Rule rule : rules) {
      if (rule.matches(address, port)) {
        return rule.behaviour();
      }
    }
    return defaultBehaviour;
  }

  /** The default behaviour. */
  public Behaviour defaultBehaviour() {
    return defaultBehaviour;
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
    parts.add("default -> " + defaultBehaviour);
    return String.join(", ", parts);
  }
}
