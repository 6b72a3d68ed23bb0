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
  void badInputNamesTheValueAndTheFix() {
    assertThatThrownBy(() -> Subnet.parse("192.168.0.5/24")).hasMessageContaining("did you mean 192.168.0.0/24");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0")).hasMessageContaining("no prefix length");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0/31")).hasMessageContaining("prefix length 31");
    assertThatThrownBy(() -> Subnet.parse("192.168.300.0/24")).hasMessageContaining("'300'");
    assertThatThrownBy(() -> Subnet.parse("a.b/24")).hasMessageContaining("dotted-quad");
    assertThatThrownBy(() -> Subnet.parse("192.168.0.0/24").address(255)).hasMessageContaining("1 (the host) to 254");
  }
}
