package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/** A context network with an IPv6 prefix: its properties, and a kernel IPv6 socket echoed by a fake host. */
@SpringJUnitConfig(ContextDualStackTest.Config.class)
@ContextFakeNetwork(subnet = "10.21.0.0/24", subnet6 = "fd00:21::/64", mode = io.faketcp.peer.Mode.ECHO)
class ContextDualStackTest {
  @Configuration
  static class Config {
  }

  @Value("${faketcp.subnet6} ${faketcp.host6} ${faketcp.address6.7}")
  String published;

  @Value("${faketcp.address6.7}")
  String echoHost;

  @Test
  void theIpv6PrefixIsPublishedAndItsHostsEcho() throws Exception {
    assertThat(published).isEqualTo("fd00:21::/64 fd00:21::1 fd00:21::7");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(echoHost), 7), 3000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write("v6".getBytes());
      assertThat(socket.getInputStream().readNBytes(2)).isEqualTo("v6".getBytes());
    }
  }
}
