package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.tun.Subnet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/** An IPv6-only context network ({@code subnet = ""}): its properties, and a kernel IPv6 socket echoed. */
@SpringJUnitConfig(ContextIpv6OnlyTest.Config.class)
@ContextFakeNetwork(subnet = "", subnet6 = "fd00:22::/64", mode = io.faketcp.peer.Mode.ECHO)
class ContextIpv6OnlyTest {
  @Configuration
  static class Config {
  }

  @Value("${faketcp.subnet} ${faketcp.subnet6} ${faketcp.host6}")
  String published;

  @Value("${faketcp.address6.7}")
  String echoHost;

  @Test
  void thePrefixIsTheSubnetAndItsHostsEcho() throws Exception {
    assertThat(published).isEqualTo("fd00:22::/64 fd00:22::/64 fd00:22::1");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(echoHost), 7), 3000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write("v6".getBytes());
      assertThat(socket.getInputStream().readNBytes(2)).isEqualTo("v6".getBytes());
      assertThat(NetworkInterface.getByInetAddress(socket.getLocalAddress()).inetAddresses())
          .allMatch(a -> a instanceof java.net.Inet6Address);
    }
  }

  @Test
  void theIpv4PropertiesSayWhatToUse() {
    Subnet prefix = Subnet.parse("fd00:22::/64");
    NetworkPropertySource properties = new NetworkPropertySource(prefix, prefix);
    assertThatThrownBy(() -> properties.getProperty("faketcp.host")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IPv6 only").hasMessageContaining("faketcp.host6");
    assertThatThrownBy(() -> properties.getProperty("faketcp.address.5")).hasMessageContaining("faketcp.address6.N");
    assertThat(properties.getProperty("faketcp.address6.5")).isEqualTo("fd00:22::5");
  }
}
