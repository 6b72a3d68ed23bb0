package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.Ipv4Packet;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scope Rule and Fault share: its notations, canonical text, matching, and errors that say why. */
class ScopeTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "*:*|*:*",
      "192.168.0.5:80|192.168.0.5:80",
      "192.168.0.5|192.168.0.5:*",
      " 192.168.0.5 : 0-65535 |192.168.0.5:*",
      "192.168.000.005:080|192.168.0.5:80",
      "192.168.0.10-192.168.0.20:8000-8999|192.168.0.10-192.168.0.20:8000-8999",
      "192.168.0.7-192.168.0.7:*|192.168.0.7:*",
      "192.168.0.130/25:*|192.168.0.128/25:*",
      "10.0.0.1/32:1|10.0.0.1/32:1",
      "0.0.0.0/0:*|0.0.0.0/0:*",
      "ipv4|ipv4",
      "IPv6:*|ipv6",
      "ipv6:443|ipv6:443"})
  void everyNotationHasOneCanonicalText(String text, String canonical) {
    Scope scope = Scope.parse(text);
    assertThat(scope).hasToString(canonical);
    assertThat(Scope.parse(canonical)).isEqualTo(scope).hasSameHashCodeAs(scope);
  }

  @Test
  void matchesItsAddressesAndPortsAndAFamilyItsPackets() throws Exception {
    Scope block = Scope.of("192.168.0.128/25", "8000-8999");
    assertThat(block.matches(address("192.168.0.128"), 8000)).isTrue();
    assertThat(block.matches(address("192.168.0.255"), 8999)).isTrue();
    assertThat(block.matches(address("192.168.0.127"), 8000)).isFalse();
    assertThat(block.matches(address("192.168.0.200"), 9000)).isFalse();
    assertThat(block.matches(address("192.168.0.200"), -1)).as("no port (ICMP): only a scope of every port").isFalse();
    assertThat(Scope.everywhere().matches(address("255.255.255.255"), -1)).isTrue();
    assertThat(Scope.parse("0.0.0.0/0").matches(address("255.255.255.255"), 1)).isTrue();
    assertThat(Scope.parse("ipv4:53").matches(address("10.1.2.3"), 53)).isTrue();
    assertThat(Scope.parse("ipv4:53").matches(address("10.1.2.3"), 54)).isFalse();
    assertThat(Scope.parse("ipv6").matches(address("10.1.2.3"), 53)).as("an IPv4 packet is not IPv6").isFalse();
    assertThat(Scope.everywhere().isEverywhere()).isTrue();
    assertThat(Scope.of("*", "0-65535").isEverywhere()).isTrue();
    assertThat(Scope.parse("ipv4").isEverywhere()).as("every IPv4 host, not every host").isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "192.168.0.300:*|addresses '192.168.0.300': expected *, ipv4, ipv6, an address",
      "fd00:fa:ce::5:80|write an IPv6 address in brackets before its ports",
      "db.test:*|addresses 'db.test': expected *, ipv4, ipv6,",
      "192.168.0.9-192.168.0.5:*|the range ends before it starts: write the lower address first",
      "192.168.0.0/33:*|the prefix length '33' is not 0 to 32",
      "192.168.0.5:http|ports 'http': expected *, a port 0-65535 or a range 8000-8999",
      "192.168.0.5:90-80|ports '90-80': the range ends before it starts",
      "192.168.0.5:65536|ports '65536'"})
  void badTextSaysWhichPartAndWhatToWrite(String text, String message) {
    assertThatThrownBy(() -> Scope.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void ipv6AddressesAreWrittenInBracketsAndReadBack() {
    Scope one = Scope.parse("[fd00:fa:ce::5]:80");
    assertThat(one).hasToString("[fd00:fa:ce::5]:80");
    assertThat(Scope.parse(one.toString())).isEqualTo(one);
    assertThat(Scope.of("fd00:fa:ce::5", "80")).isEqualTo(one);
    assertThat(Scope.parse("[fd00:fa:ce::/120]")).hasToString("[fd00:fa:ce::/120]:*");
    Fault fault = Fault.parse("latency=300ms@[fd00:fa:ce::5]:80");
    assertThat(Fault.parse(fault.toString())).isEqualTo(fault);
  }

  @Test
  void aRuleAndItsFaultsShareTheScope() {
    Rule rule = Rule.of("ipv4", "6379", Mode.ECHO).withFaults(Fault.parse("reset-after=40"));
    assertThat(rule.scope()).isEqualTo(Scope.parse("ipv4:6379"));
    assertThat(rule.faults()).containsExactly(Fault.parse("reset-after=40@ipv4:6379"));
    assertThat(rule.faults().get(0).scope()).isSameAs(rule.scope());
  }

  private static int address(String dotted) throws Exception {
    return Ipv4Packet.toInt((Inet4Address) InetAddress.getByName(dotted));
  }
}
