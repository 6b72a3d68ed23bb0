package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every spec of the guide's table of faults (docs/faults.md), read from the page itself, in all four places: the
 * annotation, the builder and rules, {@link NetworkControl#fault} mid-test, and the command line's
 * {@code --fault}; and {@code Fault.parse(spec).toString()} parses back to the same fault.
 */
class EverySpecEverywhereTest {
  static final List<String> SPECS = readmeSpecs();

  static List<String> specs() {
    return SPECS;
  }

  @Test
  void theReadmeTableIsReadWhole() {
    assertThat(SPECS).as("specs read from docs/faults.md's table").hasSizeGreaterThanOrEqualTo(25)
        .contains("latency=100ms", "latency=100ms±20ms", "latency=100ms+-20ms", "loss-in=5%", "bandwidth-out=1MB/s",
            "unreachable=admin", "slow-close=2s", "seed=42");
  }

  @ParameterizedTest
  @MethodSource("specs")
  void parsesAndPrintsBackToTheSameFault(String spec) {
    if (spec.startsWith("seed=")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fault.parse(spec))
          .hasMessageContaining("the seed is no fault but the network's: give @FakeNetwork(seed = 42)");
      assertThat(Rules.of(Mode.ECHO).withFaults(spec).seed()).as("a list of specs still reads it").hasValue(42);
      return;
    }
    Fault fault = Fault.parse(spec);
    assertThat(Fault.parse(fault.toString())).isEqualTo(fault).hasToString(fault.toString());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void rulesTakeIt(String spec) {
    Rules rules = Rules.of(Mode.ECHO).withFaults(spec);
    if (spec.startsWith("seed=")) {
      assertThat(rules.seed()).hasValue(42);
      assertThat(rules.faults()).isEmpty();
      return; // the seed is the network's, no fault: a Rule has no place for it
    }
    Fault fault = Fault.parse(spec);
    if (fault instanceof Fault.Dns || fault instanceof Fault.DnsDelay) {
      assertThat(rules.faults()).containsExactly(fault);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rule.of("192.168.0.5", "*", Mode.ECHO).withFaults(fault))
          .hasMessageContaining("a DNS fault applies to names, not to addresses and ports");
      return; // a DNS fault applies to names: a Rule (addresses and ports) refuses it
    }
    assertThat(rules.faults()).containsExactly(fault);
    assertThat(Rule.of("192.168.0.5", "*", Mode.ECHO).withFaults(fault).faults())
        .containsExactly(fault.at("192.168.0.5", "*"));
  }

  /** The annotation: every spec of the guide must be among these (a spec added to the guide and not here fails). */
  @Test
  @FakeNetwork(mode = Mode.ECHO, subnet = "192.168.60.0/24", faults = {"latency=100ms", "latency=100ms±20ms",
      "latency=100ms+-20ms", "latency-in=100ms", "loss=5%", "loss-in=5%", "loss-out=5%", "duplicate=1%", "reorder=10%",
      "bandwidth=1MB/s", "bandwidth-in=1MB/s", "bandwidth-out=1MB/s", "reset-after=1000", "reset-after=2s",
      "stall-after=1000", "stall-after=2s", "blackhole-after=1000", "blackhole-after=2s", "slow-close=2s",
      "unreachable=host", "unreachable=net", "unreachable=port", "unreachable=admin", "mtu=1280", "drop-first=3",
      "drop-nth=10", "dns=nxdomain", "dns=servfail", "dns=refused", "dns=timeout", "dns=truncated", "dns-delay=2s",
      "seed=42"})
  void theAnnotationTakesEverySpec(NetworkControl control) {
    assertInForce(control, SPECS);
  }

  @Nested
  class TheBuilderAndNetworkControl {
    @RegisterExtension
    static final FakeNetworkExtension NETWORK = builderWithEverySpec();

    private static FakeNetworkExtension builderWithEverySpec() {
      FakeNetworkExtension.Builder builder = FakeNetworkExtension.newInstance().mode(Mode.ECHO)
          .subnet("192.168.61.0/24");
      for (String spec : SPECS) {
        if (spec.equals("seed=42")) {
          builder.seed(42); // the seed is the network's: the builder has its own setter
        } else {
          builder.fault(Fault.parse(spec));
        }
      }
      return builder.build();
    }

    @Test
    void theBuilderTakesEverySpec(NetworkControl control) {
      assertInForce(control, SPECS);
    }

    @ParameterizedTest
    @MethodSource("io.faketcp.junit5.EverySpecEverywhereTest#specs")
    void networkControlTakesItMidTest(String spec, NetworkControl control) {
      if (spec.startsWith("seed=")) {
        assertThat(control.seed()).as("the network's seed, not a fault to add mid-test").isEqualTo(42);
        return;
      }
      control.clearFaults();
      assertThat(control.rules().faults()).isEmpty();
      control.fault(Fault.parse(spec));
      assertInForce(control, List.of(spec));
    }
  }

  @Test
  void theCommandLineTakesEverySpec() throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "io.faketcp.cli.Main", "echo", "--quiet",
        "--subnet", "192.168.62.0/24"));
    for (String spec : SPECS) {
      command.add("--fault");
      command.add(spec);
    }
    command.addAll(List.of("--", "true"));
    Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).as(output).isZero();
    List<String> expected = new ArrayList<>();
    for (String spec : SPECS) {
      if (!spec.startsWith("seed=")) {
        expected.add(Fault.parse(spec).toString());
      }
    }
    assertThat(output).contains("faults " + expected + " seed 42 (replay with --seed 42)");
  }

  private static void assertInForce(NetworkControl control, List<String> specs) {
    for (String spec : specs) {
      if (spec.startsWith("seed=")) {
        assertThat(control.seed()).as(spec).isEqualTo(42);
      } else {
        assertThat(control.rules().faults()).as(spec).contains(Fault.parse(spec));
      }
    }
  }

  /**
   * The specs in the first column of the table in docs/faults.md, section "Every fault spec": {@code `loss=5%`, `loss-in=`} gives
   * loss=5% and loss-in=5%; {@code `bandwidth=1MB/s`, `-in=`} bandwidth-in=1MB/s;
   * {@code `unreachable=host\|net`} both; {@code (also `+-`)} the first spec with +- for ±.
   */
  private static List<String> readmeSpecs() {
    String readme;
    try {
      readme = Files.readString(Path.of("../docs/faults.md"));
    } catch (IOException e) {
      throw new AssertionError("docs/faults.md is read from the module's directory, as Maven runs the tests", e);
    }
    int start = readme.indexOf("\n## Every fault spec\n");
    assertThat(start).as("docs/faults.md's section \"Every fault spec\"").isPositive();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> specs = new ArrayList<>();
    Pattern code = Pattern.compile("`([^`]+)`");
    for (String row : section.split("\n")) {
      if (!row.startsWith("| `")) {
        continue;
      }
      String cell = row.substring(1, row.indexOf(" | "));
      Matcher m = code.matcher(cell);
      String first = null;
      String previous = null;
      while (m.find()) {
        String token = m.group(1).replace("\\|", "|");
        List<String> found = new ArrayList<>();
        int equals = token.indexOf('=');
        if (equals < 0) {
          assertThat(previous).as("guide token '%s' varies the spec before it", token).contains("±");
          found.add(previous.replace("±", token));
        } else {
          String name = token.substring(0, equals);
          String value = token.substring(equals + 1);
          if (value.isEmpty()) {
            assertThat(first).as("guide token '%s' takes the row's first value", token).isNotNull();
            value = first.substring(first.indexOf('=') + 1);
          }
          if (name.startsWith("-")) {
            name = first.substring(0, first.indexOf('=')) + name;
          }
          for (String alternative : value.split("\\|")) {
            found.add(name + "=" + alternative);
          }
        }
        if (first == null) {
          first = found.get(0);
        }
        previous = found.get(found.size() - 1);
        specs.addAll(found);
      }
    }
    return List.copyOf(specs);
  }
}
