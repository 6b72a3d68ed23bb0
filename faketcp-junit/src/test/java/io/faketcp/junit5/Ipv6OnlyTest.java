package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.peer.Mode;
import io.faketcp.tun.Subnet;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** An IPv6-only fake network ({@code subnet = ""} with a {@code subnet6}), and the contradictions refused. */
class Ipv6OnlyTest {

  @Test
  @FakeNetwork(subnet = "", subnet6 = "fd00:91::/64", mode = Mode.ECHO)
  void kernelIpv6SocketsEchoOnADeviceWithoutIpv4(NetworkInfo net, Capture capture) throws Exception {
    assertThat(net.subnet()).isEqualTo(Subnet.parse("fd00:91::/64"));
    assertThat(net.subnet6()).contains(Subnet.parse("fd00:91::/64"));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(net.address6(5), 7), 3000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write("six only".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(socket.getInputStream().readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("six only");
      assertThat(socket.getLocalAddress()).isEqualTo(InetAddress.getByName("fd00:91::1"));
    }
    assertThat(NetworkInterface.getByName(net.interfaceName()).inetAddresses().collect(Collectors.toList()))
        .as("the device's addresses").isNotEmpty().allMatch(a -> a instanceof Inet6Address)
        .contains(InetAddress.getByName("fd00:91::1"));
    assertThatThrownBy(net::hostAddress).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("IPv6 only").hasMessageContaining("hostAddress6()");
    assertThat(net).hasToString(net.interfaceName() + " fd00:91::/64 (host fd00:91::1, mtu " + net.mtu() + ")");
    assertThat(capture).contains(PacketPattern.syn().to(net.address6(5), 7))
        .contains(PacketPattern.data().from(net.address6(5), 7));
  }

  @Test
  void neitherSubnetIsRefused() {
    Kit.run(NoSubnetTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet = \"\") is invalid: a network needs an IPv4 subnet, or an"
                + " IPv6 prefix as subnet6"))));
  }

  @Test
  void anIpv6PrefixGivenAsSubnetSaysWhereItGoes() {
    Kit.run(PrefixAsSubnetTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet = \"fd00:92::/64\") is invalid: this is an IPv6 prefix")
                && m.contains("subnet = \"\" for an IPv6-only network"))));
  }

  @Test
  void namesOnAnIpv6OnlyNetworkAreRefused() {
    Kit.run(NamesTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(hosts = \"db.test=192.168.0.5\") is invalid: names are served on a"
                + " network with an IPv4 subnet"))));
  }

  @Test
  void aDeclaredAddressWhoseIpv6TwinIsTheDnsServersIsRefused() {
    Kit.run(TwinTestCases.class).allEvents().assertThatEvents().haveExactly(1,
        finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
            message(m -> m.contains("@FakeNetwork(subnet6 = \"fd00:94::/64\") is invalid: the declared address"
                + " 10.94.0.255 would have the IPv6 twin fd00:94::ff, the fake DNS server's"))));
  }

  // ---- test cases ----

  @FakeNetwork(subnet = "10.94.0.0/16", subnet6 = "fd00:94::/64", hosts = "db.test=10.94.0.255")
  static class TwinTestCases {
    @Test
    void test() {}
  }

  @FakeNetwork(subnet = "")
  static class NoSubnetTestCases {
    @Test
    void test() {}
  }

  @FakeNetwork(subnet = "fd00:92::/64")
  static class PrefixAsSubnetTestCases {
    @Test
    void test() {}
  }

  @FakeNetwork(subnet = "", subnet6 = "fd00:93::/64", hosts = "db.test=192.168.0.5")
  static class NamesTestCases {
    @Test
    void test() {}
  }
}
