package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.Ipv4Packet;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The fault grammar: every spec of the issue, its factory twin, and errors naming the bad part. */
class FaultSpecTest {

  @ParameterizedTest
  @ValueSource(strings = {"latency=100ms", "latency=100ms±20ms", "latency-in=2s", "loss=5%", "loss=0.5%",
      "loss-in=10%", "loss-out=1%", "duplicate=1%", "reorder=10%", "bandwidth=1000000B/s", "bandwidth-in=125B/s",
      "bandwidth-out=1024B/s", "reset-after=1000", "reset-after=2s", "stall-after=1000", "stall-after=500ms",
      "blackhole-after=1000", "blackhole-after=2s", "slow-close=2s", "unreachable=host", "unreachable=net",
      "unreachable=port", "unreachable=admin", "mtu=1280", "drop-first=3", "drop-nth=10", "latency=1500ns",
      "latency-in=2s±1s", "dns=servfail", "dns=timeout@db.test", "dns-delay=2s@*.test", "loss=5%@ipv6",
      "loss=5%@ipv4:80", "reset-after=0", "reset-after=0s", "latency=100ms@192.168.0.5:80", "loss=5%@192.168.0.10-192.168.0.20:*", "mtu=1280@192.168.0.128/25:8000-8999"})
  void everySpecParsesAndPrintsBackTheSame(String spec) {
    Fault fault = Fault.parse(spec);
    assertThat(fault).hasToString(spec);
    assertThat(Fault.parse(fault.toString())).isEqualTo(fault);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "latency=100ms+-20ms|latency=100ms±20ms",
      "latency=100ms+/-20ms|latency=100ms±20ms",
      "latency=1.5s|latency=1500ms",
      "latency=250us|latency=250us",
      "latency=1m|latency=60s",
      "LOSS = 5% |loss=5%",
      "bandwidth=1MB/s|bandwidth=1000000B/s",
      "bandwidth=1MiB/s|bandwidth=1048576B/s",
      "bandwidth=8Mbit/s|bandwidth=1000000B/s",
      "bandwidth=500KB/s|bandwidth=500000B/s",
      "reset-after=64KiB|reset-after=65536",
      "reset-after=1000B|reset-after=1000",
      "unreachable=HOST|unreachable=host",
      "latency=0.0000015s|latency=1500ns",
      "loss=-0%|loss=0%",
      "loss=5%@IPv6:*|loss=5%@ipv6",
      "loss=5%@192.168.0.5|loss=5%@192.168.0.5:*",
      "loss=5%@*:*|loss=5%",
      "loss=5%@192.168.0.5:0-65535|loss=5%@192.168.0.5:*",
      "dns=nxdomain@DB.Test.|dns=nxdomain@db.test",
      "dns=nxdomain@*|dns=nxdomain",
      "stall-after=1000 @ 192.168.0.5:*|stall-after=1000@192.168.0.5:*"})
  void unitsAndSpellingsAreNormalized(String spec, String canonical) {
    assertThat(Fault.parse(spec)).hasToString(canonical);
  }

  @Test
  void factoriesAreTheSameFaultsAsTheSpecs() {
    assertThat(Fault.latency(Duration.ofMillis(50))).isEqualTo(Fault.parse("latency=50ms"));
    assertThat(Fault.latency(Duration.ofMillis(100), Duration.ofMillis(20))).isEqualTo(Fault.parse("latency=100ms±20ms"));
    assertThat(Fault.latencyIn(Duration.ofSeconds(1))).isEqualTo(Fault.parse("latency-in=1s"));
    assertThat(Fault.loss(5)).isEqualTo(Fault.parse("loss=5%"));
    assertThat(Fault.lossIn(5)).isEqualTo(Fault.parse("loss-in=5%"));
    assertThat(Fault.lossOut(2.5)).isEqualTo(Fault.parse("loss-out=2.5%"));
    assertThat(Fault.duplicate(1)).isEqualTo(Fault.parse("duplicate=1%"));
    assertThat(Fault.reorder(10)).isEqualTo(Fault.parse("reorder=10%"));
    assertThat(Fault.bandwidth(1_000_000)).isEqualTo(Fault.parse("bandwidth=1MB/s"));
    assertThat(Fault.resetAfterBytes(1000)).isEqualTo(Fault.parse("reset-after=1000"));
    assertThat(Fault.resetAfter(Duration.ofSeconds(2))).isEqualTo(Fault.parse("reset-after=2s"));
    assertThat(Fault.stallAfterBytes(1000)).isEqualTo(Fault.parse("stall-after=1000"));
    assertThat(Fault.blackholeAfter(Duration.ofSeconds(2))).isEqualTo(Fault.parse("blackhole-after=2s"));
    assertThat(Fault.blackholeAfterBytes(10)).isEqualTo(Fault.parse("blackhole-after=10"));
    assertThat(Fault.slowClose(Duration.ofSeconds(2))).isEqualTo(Fault.parse("slow-close=2s"));
    assertThat(Fault.unreachable(Fault.Unreachable.Code.ADMIN)).isEqualTo(Fault.parse("unreachable=admin"));
    assertThat(Fault.mtu(1280)).isEqualTo(Fault.parse("mtu=1280"));
    assertThat(Fault.dropFirst(3)).isEqualTo(Fault.parse("drop-first=3"));
    assertThat(Fault.dropNth(10)).isEqualTo(Fault.parse("drop-nth=10"));
    assertThat(Fault.loss(5).at("192.168.0.5", "80")).isEqualTo(Fault.parse("loss=5%@192.168.0.5:80"));
    assertThat(Fault.dns(Fault.DnsAnswer.SERVFAIL).forName("db.test")).isEqualTo(Fault.parse("dns=servfail@db.test"));
    assertThat(new Fault.Loss(5, Fault.Flow.IN, Scope.parse("ipv6"))).isEqualTo(Fault.parse("loss-in=5%@ipv6"));
    assertThat(Fault.parse("reset-after=40")).isInstanceOf(Fault.ResetAfter.class)
        .extracting(f -> ((Fault.ResetAfter) f).after()).isEqualTo(new Fault.After.Bytes(40));
  }

  @Test
  void theSeedIsTheNetworksNotAFault() {
    assertThatThrownBy(() -> Fault.parse("seed=42")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fault 'seed=42': the seed is no fault but the network's")
        .hasMessageContaining("@FakeNetwork(seed = 42)").hasMessageContaining("-Dfaketcp.seed=42");
    Rules rules = Rules.of(Mode.ACCEPT).withFaults("seed=42", "loss=1%");
    assertThat(rules.seed()).hasValue(42);
    assertThat(rules.faults()).containsExactly(Fault.loss(1));
    assertThat(rules.withoutFaults().seed()).as("the seed is no fault: it stays").hasValue(42);
    assertThatThrownBy(() -> Rules.of(Mode.ACCEPT).withFaults("seed=abc"))
        .hasMessageContaining("the seed 'abc' is not a whole number");
    assertThatThrownBy(() -> Rules.of(Mode.ACCEPT).withFaults("seed=1@192.168.0.5:*"))
        .hasMessageContaining("the seed is one for the whole network");
  }

  @Test
  void recordsRejectBadValuesSayingWhy() {
    assertThatThrownBy(() -> new Fault.Latency(Duration.ofMillis(10), Duration.ZERO, Fault.Flow.BOTH,
        Scope.everywhere())).hasMessageContaining("give OUT (latency=) or IN (latency-in=)");
    assertThatThrownBy(() -> new Fault.Loss(Double.NaN, Fault.Flow.IN, Scope.everywhere()))
        .hasMessageContaining("a percentage is from 0 to 100");
    assertThatThrownBy(() -> new Fault.Loss(5, Fault.Flow.IN, null)).hasMessageContaining("the scope is null");
    assertThatThrownBy(() -> new Fault.After.Bytes(-1)).hasMessageContaining("byte count -1 is negative");
    assertThatThrownBy(() -> new Fault.ResetAfter(null, Scope.everywhere())).hasMessageContaining("give new"
        + " Fault.After.Bytes(n)");
    assertThatThrownBy(() -> new Fault.Bandwidth(0, Fault.Flow.BOTH, Scope.everywhere()))
        .hasMessageContaining("the rate must be 1 B/s or more");
    assertThatThrownBy(() -> new Fault.Dns(Fault.DnsAnswer.REFUSED, "not a name"))
        .hasMessageContaining("is not a host name");
    assertThatThrownBy(() -> Fault.dns(Fault.DnsAnswer.REFUSED).at("192.168.0.5", "53"))
        .hasMessageContaining("a DNS fault applies to names");
    assertThatThrownBy(() -> Fault.slowClose(Duration.ofSeconds(-1))).hasMessageContaining("must be zero or more");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|fault spec is empty",
      "latency|expected NAME=VALUE",
      "latency=|'latency' has no value",
      "lag=100ms|unknown fault 'lag': expected one of latency,",
      "latency=100|latency '100' has no unit",
      "latency=fast|latency 'fast' has no unit",
      "latency=-5ms|latency '-5ms' is not a duration",
      "latency=10ms±20ms|the jitter 20ms is larger than the latency 10ms",
      "loss=5|loss '5' is not a percentage: write e.g. 5% or 0.5%",
      "loss=150%|loss '150%' is not a percentage from 0% to 100%",
      "bandwidth=1MB|bandwidth '1MB' is not a rate",
      "bandwidth=0MB/s|bandwidth '0MB/s' is below 1 byte per second",
      "reset-after=lots|reset-after 'lots' is neither a byte count (1000, 64KiB) nor a duration (2s, 500ms)",
      "reset-after=12XB|reset-after '12XB' is neither a byte count",
      "unreachable=moon|unreachable 'moon' is not one of host, net, port, admin",
      "mtu=20|an IPv4 MTU is from 68 to 65535 bytes",
      "drop-nth=0|n must be 1 or more",
      "drop-first=x|drop-first 'x' is not a whole number",
      "seed=1|the seed is no fault but the network's",
      "loss=5%@ipv7|addresses 'ipv7': expected *, ipv4, ipv6,",
      "loss=5%@192.168.0.6-192.168.0.5:*|the range ends before it starts",
      "dns=servfail@192.168.0.5:53|is not a host name",
      "loss=5%@192.168.0.300:*|addresses '192.168.0.300'",
      "loss=5%@192.168.0.5:99999|ports '99999'"})
  void badSpecsNameTheBadPart(String spec, String message) {
    assertThatThrownBy(() -> Fault.parse(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message).hasMessageStartingWith("fault")
        .satisfies(e -> assertThat(e.getMessage()).as("the spec named once").doesNotContain("': fault '"));
  }

  @Test
  void aScopedFaultAppliesOnlyToItsAddressesAndPorts() throws Exception {
    Scope s = Fault.parse("loss=5%@192.168.0.5-192.168.0.6:80-81").scope();
    assertThat(s.matches(address("192.168.0.5"), 80)).isTrue();
    assertThat(s.matches(address("192.168.0.6"), 81)).isTrue();
    assertThat(s.matches(address("192.168.0.7"), 80)).isFalse();
    assertThat(s.matches(address("192.168.0.5"), 82)).isFalse();
    assertThat(s.matches(address("192.168.0.5"), -1)).as("ICMP: only for every port").isFalse();
    assertThat(Fault.parse("loss=5%@192.168.0.5:*").scope().matches(address("192.168.0.5"), -1)).isTrue();
    assertThat(Fault.parse("loss=5%").scope().matches(address("10.0.0.1"), 1)).isTrue();
    assertThat(Fault.parse("loss=5%@ipv4").scope().matches(address("10.0.0.1"), 1)).isTrue();
    assertThat(Fault.parse("loss=5%@ipv6").scope().matches(address("10.0.0.1"), 1))
        .as("the subnet is IPv4: an IPv6 scope matches no packet").isFalse();
    assertThat(Rule.of("192.168.0.5-192.168.0.6", "80-81", Mode.ECHO).scope()).isEqualTo(s);
  }

  @Test
  void aRulesFaultsApplyToTheRulesRange() throws Exception {
    Rule rule = Rule.of("192.168.0.5", "*", Mode.ECHO).withFaults(Fault.parse("latency=200ms"));
    assertThat(rule.faults()).containsExactly(Fault.parse("latency=200ms@192.168.0.5:*"));
    assertThat(rule).hasToString("192.168.0.5:* -> ECHO latency=200ms");
    assertThatThrownBy(() -> rule.withFaults(Fault.parse("loss=1%@192.168.0.6:*")))
        .hasMessageContaining("has its own @ADDRESSES:PORTS");
    Rules rules = Rules.of(Mode.ACCEPT).with(rule).withFaults("loss=1%", "seed=9");
    assertThat(rules.faults()).extracting(Fault::toString).containsExactly("loss=1%", "latency=200ms@192.168.0.5:*");
    assertThat(rules.seed()).hasValue(9);
    assertThat(rules.withoutFaults().faults()).isEmpty();
    assertThat(rules.withoutFaults().modeFor(address("192.168.0.5"), 80)).isEqualTo(Mode.ECHO);
  }

  private static int address(String dotted) throws Exception {
    return Ipv4Packet.toInt((java.net.Inet4Address) InetAddress.getByName(dotted));
  }
}
