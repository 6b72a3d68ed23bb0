package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.Subnet;
import org.junit.jupiter.api.Test;

/** Which captured packets go to the fake subnet: destination in the subnet or prefix, but not the host. */
class CaptureDirectionTest {
  private static final Subnet V4 = Subnet.parse("192.168.0.0/24");
  private static final Subnet V6 = Subnet.parse("fd00:fa:ce::/64");
  private static final long PREFIX = V6.networkHigh();

  private static byte[] v6(long from, long to) {
    return TcpSegment.builder().source(PREFIX, from).destination(PREFIX, to).build();
  }

  @Test
  void ipv6PacketsAreToTheSubnetUnlessAddressedToTheHost() {
    assertThat(PcapCapture.toSubnet(v6(1, 5), V4, V6)).isTrue();
    assertThat(PcapCapture.toSubnet(v6(5, 1), V4, V6)).isFalse();
    assertThat(PcapCapture.toSubnet(v6(5, 1), V6, null)).as("an IPv6-only network").isFalse();
    assertThat(PcapCapture.toSubnet(v6(1, 5), V6, null)).isTrue();
    assertThat(PcapCapture.toSubnet(TcpSegment.builder().source(0xC0A80005).destination(0xC0A80001).build(), V4, V6))
        .isFalse();
    assertThat(PcapCapture.toSubnet(TcpSegment.builder().source(0xC0A80001).destination(0xC0A80005).build(), V4, V6))
        .isTrue();
  }
}
