package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.Subnet;
import org.junit.jupiter.api.Test;

/** Reading the host's socket tables: which lines are a FIN to the fake subnet still unacknowledged. */
class HostFinsTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.0.0/24");
  // 192.168.0.1:40000 > 192.168.0.5:80 as /proc/net/tcp prints it (addresses in host byte order)
  private static final String V4 = "   3: 0100A8C0:9C40 0500A8C0:0050 %s 00000000:00000000 01:00000014 00000000     0        0 0";
  private static final String V6 = "   0: 0000000000000000FFFF00000100A8C0:9C40 0000000000000000FFFF0000%s:0050 %s 00000000:00000000"
      + " 01:00000014 00000000     0        0 0";

  @Test
  void finWait1ClosingAndLastAckToTheSubnetAreFinsInFlight() {
    assertThat(HostFins.finInFlight(String.format(V4, "04"), SUBNET)).isTrue(); // FIN-WAIT-1
    assertThat(HostFins.finInFlight(String.format(V4, "0B"), SUBNET)).isTrue(); // CLOSING
    assertThat(HostFins.finInFlight(String.format(V4, "09"), SUBNET)).isTrue(); // LAST-ACK
    assertThat(HostFins.finInFlight(String.format(V6, "0500A8C0", "04"), SUBNET)).isTrue(); // v4-mapped
  }

  @Test
  void otherStatesAndOtherAddressesAreNot() {
    for (String state : new String[] {"01", "02", "05", "06", "07", "08", "0A"}) {
      assertThat(HostFins.finInFlight(String.format(V4, state), SUBNET)).as(state).isFalse();
    }
    assertThat(HostFins.finInFlight(String.format(V4, "04").replace("0500A8C0:0050", "0501A8C0:0050"), SUBNET))
        .as("192.168.1.5").isFalse();
    assertThat(HostFins.finInFlight(String.format(V6, "0500A8C0", "04").replace("FFFF0000", "00000000"), SUBNET))
        .as("not v4-mapped").isFalse();
    assertThat(HostFins.finInFlight("  sl  local_address rem_address   st tx_queue", SUBNET)).isFalse();
  }
}
