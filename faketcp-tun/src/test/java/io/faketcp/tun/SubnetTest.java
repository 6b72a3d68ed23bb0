package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
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

  @Test
  void parsesAnIpv6PrefixAndNamesTheHostPeersAndDnsServer() throws Exception {
    Subnet prefix = Subnet.parse("fd00:fa:ce::/64");

    assertThat(prefix.isIpv6()).isTrue();
    assertThat(prefix).hasToString("fd00:fa:ce::/64").isEqualTo(Subnet.DEFAULT_IPV6)
        .isEqualTo(Subnet.parse("FD00:00FA:00CE:0000:0000:0000:0000:0000/64"));
    assertThat(prefix.prefixLength()).isEqualTo(64);
    assertThat(prefix.networkHigh()).isEqualTo(0xfd0000fa00ce0000L);
    assertThat(prefix.networkLow()).isZero();
    assertThat(prefix.networkAddress()).isEqualTo(InetAddress.getByName("fd00:fa:ce::"));
    assertThat(prefix.host()).isEqualTo(InetAddress.getByName("fd00:fa:ce::1"));
    assertThat(prefix.addressAt(5)).isEqualTo(InetAddress.getByName("fd00:fa:ce::5"));
    assertThat(prefix.addressAt(0x1_0000_0000L)).isEqualTo(InetAddress.getByName("fd00:fa:ce::1:0:0"));
    assertThat(prefix.dnsAddress()).isEqualTo(InetAddress.getByName("fd00:fa:ce::ff"));
    assertThat(prefix.usableAddresses()).isEqualTo(Integer.MAX_VALUE);
    assertThat(prefix.contains(InetAddress.getByName("fd00:fa:ce::dead:beef"))).isTrue();
    assertThat(prefix.contains(InetAddress.getByName("fd00:fa:cf::1"))).isFalse();
    assertThat(prefix.contains(0xfd0000fa00ce0000L, 7)).isTrue();
    assertThat(prefix.contains(InetAddress.getByName("192.168.0.5"))).isFalse();
    assertThat(Subnet.DEFAULT.contains(InetAddress.getByName("fd00:fa:ce::5"))).isFalse();
  }

  @Test
  void aSlash120HasTheSizeOfASlash24() throws Exception {
    Subnet prefix = Subnet.parse("fd00:fa:ce:1::100/120");

    assertThat(prefix.usableAddresses()).isEqualTo(255);
    assertThat(prefix.addressAt(255)).isEqualTo(InetAddress.getByName("fd00:fa:ce:1::1ff"));
    assertThat(prefix.dnsAddress()).isEqualTo(prefix.addressAt(255));
    assertThatThrownBy(() -> prefix.addressAt(256)).hasMessage(
        "addressAt(256) is outside fd00:fa:ce:1::100/120: expected 1 (the host) to 255");
    assertThatThrownBy(() -> prefix.addressAt(0)).hasMessageContaining("expected 1 (the host)");
    assertThat(prefix.contains(InetAddress.getByName("fd00:fa:ce:1::2ff"))).isFalse();
    assertThat(Subnet.parse("fd00:fa:ce:1::/64").overlaps(prefix)).isTrue();
    assertThat(prefix.overlaps(Subnet.parse("fd00:fa:ce:1::/64"))).isTrue();
    assertThat(prefix.overlaps(Subnet.parse("fd00:fa:ce:1::/120"))).isFalse();
    assertThat(prefix.overlaps(Subnet.DEFAULT)).isFalse();
  }

  @Test
  void ipv4MethodsOnAnIpv6PrefixSayWhatToUse() {
    Subnet prefix = Subnet.DEFAULT_IPV6;

    assertThatThrownBy(prefix::hostAddress).isInstanceOf(IllegalStateException.class).hasMessage(
        "fd00:fa:ce::/64 is an IPv6 subnet, and hostAddress() is for IPv4 subnets: use host()");
    assertThatThrownBy(() -> prefix.address(2)).hasMessageContaining("use addressAt(long)");
    assertThatThrownBy(prefix::networkInt).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(Subnet.DEFAULT::networkHigh).isInstanceOf(IllegalStateException.class);
    assertThat(Subnet.DEFAULT.host()).isEqualTo(Subnet.DEFAULT.hostAddress());
    assertThat(Subnet.DEFAULT.dnsAddress().getHostAddress()).isEqualTo("192.168.0.254");
  }

  @Test
  void ipv6RangesNoFakeNetworkCanUseAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Subnet.parse("ff02::/64")).hasMessage("IPv6 subnet 'ff02::/64' is in ff00::/8, the"
        + " multicast range: use a unique local prefix such as fd00:fa:ce::/64");
    assertThatThrownBy(() -> Subnet.parse("fe80::/64")).hasMessageContaining("fe80::/10, the link-local range");
    assertThatThrownBy(() -> Subnet.parse("fec0::/64")).hasMessageContaining("site-local");
    assertThatThrownBy(() -> Subnet.parse("::/96")).hasMessageContaining("loopback address ::1");
    assertThatThrownBy(() -> Subnet.parse("::ffff:192.168.0.0/120")).hasMessageContaining("IPv4-mapped");
    assertThatThrownBy(() -> Subnet.parse("100::/64")).hasMessageContaining("discard-only");
    assertThatThrownBy(() -> Subnet.parse("1::/64")).hasMessageContaining("::/8, reserved");
    assertThat(Subnet.parse("64:ff9b::/96")).hasToString("64:ff9b::/96");
    assertThat(Subnet.parse("2001:db8:1::/64").host()).hasToString("/2001:db8:1:0:0:0:0:1");
    assertThat(Subnet.parse("fc00::/64").isIpv6()).isTrue();
  }

  @Test
  void badIpv6InputNamesTheValueAndTheFix() {
    assertThatThrownBy(() -> Subnet.parse("fd00::/48")).hasMessage("IPv6 subnet 'fd00::/48' has prefix length 48:"
        + " expected 64 to 120 (a /64 is one link's worth of addresses; a fake network is one link)");
    assertThatThrownBy(() -> Subnet.parse("fd00::/124")).hasMessageContaining("expected 64 to 120");
    assertThatThrownBy(() -> Subnet.parse("fd00::1/64")).hasMessageContaining("did you mean fd00::/64?");
    assertThatThrownBy(() -> Subnet.parse("fd00::")).hasMessageContaining("no prefix length");
    assertThatThrownBy(() -> Subnet.parse("fd00::1::/64")).hasMessageContaining("'::' twice");
    assertThatThrownBy(() -> Subnet.parse("fd00:fa:ce/64")).hasMessageContaining("3 groups");
    assertThatThrownBy(() -> Subnet.parse("fd00:fa:ce:0:0:0:0:0:0/64")).hasMessageContaining("9 groups");
    assertThatThrownBy(() -> Subnet.parse("fd00:fa:cg::/64")).hasMessageContaining("'cg' that is not hex digits");
    assertThatThrownBy(() -> Subnet.parse("fd00:12345::/64")).hasMessageContaining("'12345'");
    assertThatThrownBy(() -> Subnet.parse("fe80::%eth0/64")).hasMessageContaining("zone");
    assertThatThrownBy(() -> Subnet.parse("fd00::/x")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> Subnet.parse("::1.2.3/96")).hasMessageContaining("not a dotted quad");
  }
}
