package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.Inet6Address;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

// tag::dual-stack[]
@FakeNetwork(subnet = "192.168.0.0/24", subnet6 = "fd00:fa:ce::/64", mode = Mode.ECHO)
class DualStackEchoTest {

  @Test
  void echoesOverIpv6(NetworkInfo net) throws Exception {
    try (Socket s = new Socket(net.address6(5), 7)) {   // fd00:fa:ce::5, the IPv6 twin of 192.168.0.5
      s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      assertThat(s.getInputStream().readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
      assertThat(s.getLocalAddress()).isInstanceOf(Inet6Address.class).isEqualTo(net.hostAddress6());
    }
  }
}
// end::dual-stack[]
