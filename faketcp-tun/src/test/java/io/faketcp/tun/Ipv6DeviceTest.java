package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The device's IPv6 address: usable at once, quiet, withdrawn and restored with the IPv4 one. */
@ExtendWith(RequiresTun.class)
class Ipv6DeviceTest {

  @Test
  void theHostHoldsThePrefixsFirstAddressAtOnceAndTheKernelSendsNothingUnasked() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.3.0/24"))
        .subnet(Subnet.parse("fd00:fa:ce::/64")).open()) {
      assertThat(tun.subnet6()).contains(Subnet.parse("fd00:fa:ce::/64"));
      assertThat(tun.hasIpv4()).isTrue();
      assertThat(tun.toString()).endsWith(" 192.168.3.1/24 fd00:fa:ce::1/64");
      // /proc/net/if_inet6: address, index, prefix length, scope, flags (82: permanent, no DAD; never 40, tentative), name
      assertThat(Files.readAllLines(Path.of("/proc/net/if_inet6"))).filteredOn(l -> l.endsWith(" " + tun.name()))
          .singleElement().asString().startsWith("fd0000fa00ce00000000000000000001 ").contains(" 40 00 82 ");
      assertThat(Files.readString(Path.of("/proc/net/route"))).contains(tun.name() + "\t0003A8C0");

      ByteBuffer in = ByteBuffer.allocateDirect(2048);
      assertThat(tun.awaitReadable(1500)).as("no router solicitation, no MLD report").isFalse();

      try (SocketChannel client = SocketChannel.open()) {
        client.configureBlocking(false);
        client.connect(new InetSocketAddress(InetAddress.getByName("fd00:fa:ce::5"), 8080));
        assertThat(tun.awaitReadable(2000)).isTrue();
        int n = tun.read(in);
        assertThat(in.get(0) >>> 4).as("version").isEqualTo(6);
        assertThat(in.get(6)).as("next header: TCP").isEqualTo((byte) 6);
        assertThat(n).isEqualTo(40 + in.getShort(4));
        byte[] source = new byte[16];
        in.get(8, source);
        assertThat(InetAddress.getByAddress(source)).isEqualTo(InetAddress.getByName("fd00:fa:ce::1"));
      }
    }
  }

  @Test
  void anIpv6OnlyDeviceHasNoIpv4AddressAndWithdrawsItsIpv6One() throws Exception {
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("fd00:fa:ce:1::/120")).open()) {
      assertThat(tun.hasIpv4()).isFalse();
      assertThat(Files.readString(Path.of("/proc/net/route"))).doesNotContain(tun.name());
      assertThat(ipv6Route(tun)).isTrue();
      tun.withdrawAddress();
      assertThat(ipv6Route(tun)).isFalse();
      tun.restoreAddress();
      assertThat(ipv6Route(tun)).isTrue();
    }
  }

  @Test
  void ipv6DisabledForNewDevicesInTheNamespaceIsEnabledOnTheDevice() throws Exception {
    Path knob = Path.of("/proc/sys/net/ipv6/conf/default/disable_ipv6");
    String before = Files.readString(knob).trim();
    Files.writeString(knob, "1");
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("fd00:fa:ce:1::/120")).open()) {
      assertThat(Files.readString(Path.of("/proc/sys/net/ipv6/conf", tun.name(), "disable_ipv6")).trim()).isEqualTo("0");
      assertThat(ipv6Route(tun)).isTrue();
    } finally {
      Files.writeString(knob, before);
    }
  }

  @Test
  void anMtuBelowIpv6sMinimumIsRefusedWithTheReason() {
    assertThatThrownBy(() -> TunDevice.builder().subnet(Subnet.parse("fd00::/64")).mtu(1000).open())
        .hasMessageContaining("IPv6's minimum of 1280");
  }

  private static boolean ipv6Route(TunDevice tun) throws Exception {
    // /proc/net/ipv6_route: destination, length, ..., device last
    return Files.readAllLines(Path.of("/proc/net/ipv6_route")).stream()
        .anyMatch(l -> l.startsWith("fd0000fa00ce00010000000000000000 78 ") && l.endsWith(" " + tun.name()));
  }
}
