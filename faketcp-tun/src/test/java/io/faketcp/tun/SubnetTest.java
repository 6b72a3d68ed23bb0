package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SubnetTest {
  @Test
  void parsesCidrAndNamesTheHostAndPeers() {
    Subnet subnet = Subnet.parse("192.168.7.0/24");
    assertThat(subnet.hostAddress().getHostAddress()).isEqualTo("192.168.7.1");
    assertThat(subnet.address(5).getHostAddress()).isEqualTo("192.168.7.5");
    assertThat(subnet.netmask().getHostAddress()).isEqualTo("255.255.255.0");
    assertThat(subnet.usableAddresses()).isEqualTo(254);
    assertThat(subnet).hasToString("192.168.7.0/24").isEqualTo(Subnet.parse("192.168.7.0/24"));
    assertThat(subnet.contains(Subnet.parse("192.168.7.0/30").address(2))).isTrue();
    assertThat(subnet.contains(Subnet.DEFAULT.address(2))).isFalse();
  }

  @Test
  void overlapIsSymmetric() {
    assertThat(Subnet.parse("10.0.0.0/8").overlaps(Subnet.parse("10.1.2.0/24"))).isTrue();
    assertThat(Subnet.parse("10.1.2.0/24").overlaps(Subnet.parse("10.0.0.0/8"))).isTrue();
    assertThat(Subnet.parse("10.1.2.0/24").overlaps(Subnet.parse("10.1.3.0/24"))).isFalse();
  }

  @Test
  void rangesNoInterfaceCanHoldAreRefusedWithTheRangeAndAFix() {
    assertThatThrownBy(() -> Subnet.parse("224.0.0.0/24")).hasMessage("subnet '224.0.0.0/24' is in 224.0.0.0/4,"
        + " the multicast range: the kernel gives no interface an address there; use a private range such as"
        + " 10.1.0.0/24, 172.16.1.0/24 or 192.168.1.0/24");
    assertThatThrownBy(() -> Subnet.parse("240.1.0.0/16")).hasMessageContaining("is in 240.0.0.0/4, the reserved range");
    assertThatThrownBy(() -> Subnet.parse("255.255.255.252/30")).hasMessageContaining("broadcast");
    assertThatThrownBy(() -> Subnet.parse("0.1.0.0/16")).hasMessageContaining("is in 0.0.0.0/8, the 'this network'");
    assertThatThrownBy(() -> Subnet.parse("192.0.0.0/2")).hasMessageContaining("reaches into 224.0.0.0/4");
    assertThatThrownBy(() -> Subnet.parse("0.0.0.0/1")).hasMessageContaining("reaches into 0.0.0.0/8");
    assertThat(Subnet.parse("223.255.255.0/24").hostAddress().getHostAddress()).isEqualTo("223.255.255.1");
    assertThat(Subnet.parse("1.0.0.0/8").prefixLength()).isEqualTo(8);
  }

  @Test
  void badInputNamesTheValueAndTheFix() {
    assertThatThrownBy(() -> Subnet.parse("192.168.0.5/24")).hasMessageContaining("did you mean 192.168.0.0/24");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0")).hasMessageContaining("no prefix length");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0/31")).hasMessageContaining("prefix length 31");
    assertThatThrownBy(() -> Subnet.parse("192.168.300.0/24")).hasMessageContaining("'300'");
    assertThatThrownBy(() -> Subnet.parse("a.b/24")).hasMessageContaining("dotted-quad");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0/24").address(255)).hasMessageContaining("1 (the host) to 254");
  }
}
