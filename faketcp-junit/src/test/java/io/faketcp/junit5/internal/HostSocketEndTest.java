package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The SOCK_DESTROY request built from a line of /proc/net/tcp or tcp6 (x86-64, little-endian). */
class HostSocketEndTest {
  @Test
  void anIpv4LineNamesItsSocketInNetworkOrder() {
    ByteBuffer request = request("   3: 0100A8C0:9C40 0500A8C0:0050 04 00000000:00000000 01:00000014 00000000  0 0 0");
    assertThat(request.getInt(0)).as("nlmsg_len").isEqualTo(72);
    assertThat(request.getShort(4)).as("SOCK_DESTROY").isEqualTo((short) 21);
    assertThat(request.getShort(6)).as("NLM_F_REQUEST | NLM_F_ACK").isEqualTo((short) 5);
    assertThat(bytes(request, 16, 4)).as("AF_INET, IPPROTO_TCP, no extensions")
        .containsExactly(2, 6, 0, 0);
    // sport 40000, dport 80, src 192.168.0.1, dst 192.168.0.5
    assertThat(bytes(request, 24, 12)).containsExactly(0x9c, 0x40, 0x00, 0x50, 192, 168, 0, 1, 0, 0, 0, 0);
    assertThat(bytes(request, 44, 4)).containsExactly(192, 168, 0, 5);
    assertThat(bytes(request, 64, 8)).as("INET_DIAG_NOCOOKIE").containsOnly(0xff);
  }

  @Test
  void anIpv6LineKeepsItsFourWords() {
    ByteBuffer request = request("   0: 890000FD000000000000000001000000:83FC 0000000000000000FFFF000005003A0A:0007"
        + " 04 00000001:00000000 01:00000014 00000000     0        0 0");
    assertThat(bytes(request, 16, 2)).as("AF_INET6, IPPROTO_TCP").containsExactly(10, 6);
    assertThat(bytes(request, 24, 4)).as("ports 33788, 7").containsExactly(0x83, 0xfc, 0, 7);
    assertThat(bytes(request, 28, 16)).as("fd00:89::1").containsExactly(0xfd, 0, 0, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1);
    assertThat(bytes(request, 44, 16)).as("::ffff:10.58.0.5").containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
        10, 58, 0, 5);
  }

  @Test
  void aHeaderOrMalformedLineIsNoRequest() {
    ByteBuffer request = ByteBuffer.allocateDirect(72).order(ByteOrder.nativeOrder());
    assertThat(HostSocketEnd.fill(request, "  sl  local_address rem_address   st tx_queue", 1)).isFalse();
    assertThat(HostSocketEnd.fill(request, "   3: 0100A8C0:9C40 00000000000000000000000000000001:0050 04", 1)).isFalse();
  }

  private static ByteBuffer request(String line) {
    ByteBuffer request = ByteBuffer.allocateDirect(72).order(ByteOrder.nativeOrder());
    assertThat(HostSocketEnd.fill(request, line, 1)).isTrue();
    return request;
  }

  private static int[] bytes(ByteBuffer buffer, int from, int length) {
    int[] bytes = new int[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = buffer.get(from + i) & 0xff;
    }
    return bytes;
  }
}
