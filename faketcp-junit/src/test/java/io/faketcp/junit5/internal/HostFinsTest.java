package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reading the host's socket tables: which lines are a FIN to the fake subnet or prefix still unacknowledged. */
class HostFinsTest {
  private static final List<Subnet> SUBNET = List.of(Subnet.parse("192.168.0.0/24"));
  private static final List<Subnet> PREFIX = List.of(Subnet.parse("fd00:89::/64"));
  // 192.168.0.1:40000 > 192.168.0.5:80 as /proc/net/tcp prints it (addresses in host byte order)
  private static final String V4 = "   3: 0100A8C0:9C40 0500A8C0:0050 %s 00000000:00000000 01:00000014 00000000     0        0 0";
  private static final String V6 = "   0: 0000000000000000FFFF00000100A8C0:9C40 0000000000000000FFFF0000%s:0050 %s 00000000:00000000"
      + " 01:00000014 00000000     0        0 0";
  // [fd00:89::1]:33788 > [fd00:89::5]:80 in FIN-WAIT-1, a line of Linux 6.18's /proc/net/tcp6 (x86-64)
  private static final String IPV6 = "   0: 890000FD000000000000000001000000:83FC 890000FD000000000000000005000000:0050"
      + " %s 00000001:00000000 01:00000014 00000000     0        0 0 2 00000000f67c4ee8 20 0 0 10 -1";

  @Test
  void finWait1ClosingAndLastAckToTheSubnetAreFinsInFlight() {
    assertThat(HostFins.finInFlight(String.format(V4, "04"), SUBNET)).isTrue(); // FIN-WAIT-1
    assertThat(HostFins.finInFlight(String.format(V4, "0B"), SUBNET)).isTrue(); // CLOSING
    assertThat(HostFins.finInFlight(String.format(V4, "09"), SUBNET)).isTrue(); // LAST-ACK
    assertThat(HostFins.finInFlight(String.format(V6, "0500A8C0", "04"), SUBNET)).isTrue(); // v4-mapped
    assertThat(HostFins.finInFlight(String.format(IPV6, "04"), PREFIX)).isTrue();
    assertThat(HostFins.finInFlight(String.format(IPV6, "09"), PREFIX)).isTrue();
    assertThat(HostFins.finInFlight(String.format(IPV6, "04"), List.of(SUBNET.get(0), PREFIX.get(0)))).isTrue();
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
    assertThat(HostFins.finInFlight(String.format(IPV6, "01"), PREFIX)).as("established").isFalse();
    assertThat(HostFins.finInFlight(String.format(IPV6, "04"), SUBNET)).as("IPv6, IPv4 subnet").isFalse();
    assertThat(HostFins.finInFlight(String.format(IPV6, "04"), List.of(Subnet.parse("fd00:89:0:1::/64"))))
        .as("fd00:89:0:1::/64").isFalse();
    assertThat(HostFins.finInFlight(String.format(IPV6, "04").replace("05000000:0050", "05010000:0050"),
        List.of(Subnet.parse("fd00:89::/120")))).as("fd00:89::105 outside a /120").isFalse();
    assertThat(HostFins.finInFlight("  sl  local_address rem_address   st tx_queue", SUBNET)).isFalse();
  }

  @Test
  void theHostsIpv6FinIsSeenUntilTheFakeHostAcknowledgesIt() throws Exception {
    Subnet prefix = PREFIX.get(0);
    try (TunDevice tun = TunDevice.builder().subnet(prefix).open();
        FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ACCEPT).withFaults("slow-close=1500ms")).start();
        Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(prefix.addressAt(5), 80), 3000);
      assertThat(HostFins.unacknowledged(PREFIX)).as("open, no FIN yet").isFalse();
      socket.close(); // FIN-WAIT-1 until the fake host acknowledges the FIN, 1.5 s later
      assertThat(HostFins.unacknowledged(PREFIX)).as("the FIN to fd00:89::5 in flight").isTrue();
      assertThat(HostFins.unacknowledged(List.of(Subnet.parse("fd00:8a::/64"), Subnet.parse("192.168.0.0/24"))))
          .as("other networks").isFalse();
      assertThat(HostFins.awaitNone(PREFIX, TimeUnit.MILLISECONDS.toNanos(200))).as("waits out its grace").isNegative();
      long waited = HostFins.awaitNone(PREFIX, TimeUnit.SECONDS.toNanos(5));
      assertThat(TimeUnit.NANOSECONDS.toMillis(waited)).as("until the ACK, 1.5 s after the close").isBetween(800L, 3000L);
    }
  }
}
