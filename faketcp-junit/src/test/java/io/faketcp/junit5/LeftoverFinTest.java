package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A socket the host has closed but whose FIN no fake host acknowledged (here: silenced by a blackhole)
 * does not outlive its network: the extension ends it when the network closes, so its retransmitted
 * FIN never reaches the next network on the same subnet, whose peer would answer it with a reset.
 */
class LeftoverFinTest {
  /** 10.58.0.0/24 as the last three bytes of an address word in /proc/net/tcp (host byte order). */
  private static final String SUBNET_WORD = "003A0A";

  @Test
  void aSocketLeftClosingEndsWithItsNetworkAndNoStrayFinReachesTheNextOne() {
    Kit.assertAllSucceeded(Kit.run(ClosingTestCases.class), 1);
    assertThat(finsInFlight()).as("the host's sockets to 10.58.0.0/24 with a FIN unacknowledged").isEmpty();
    Kit.assertAllSucceeded(Kit.run(NextNetworkTestCases.class), 1);
    Kit.assertCleanedUp();
  }

  /** The lines of /proc/net/tcp{,6} of sockets to 10.58.0.0/24 in FIN-WAIT-1, CLOSING or LAST-ACK. */
  static List<String> finsInFlight() {
    List<String> found = new ArrayList<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          String remote = f[2].split(":")[0];
          boolean toSubnet = (remote.length() == 8 || remote.startsWith("0000000000000000FFFF0000"))
              && remote.endsWith(SUBNET_WORD);
          if (toSubnet && (f[3].equals("04") || f[3].equals("0B") || f[3].equals("09"))) {
            found.add(line.trim());
          }
        }
      } catch (IOException e) {
        // no IPv6 table: nothing there
      }
    }
    return found;
  }

  @FakeNetwork(subnet = "10.58.0.0/24", mode = Mode.ECHO)
  static class ClosingTestCases {
    @Test
    void closesASocketWhoseFinNoFakeHostAcknowledges(NetworkInfo net, NetworkControl control) throws IOException {
      Socket socket = new Socket(net.address(5), 7);
      control.fault(Fault.parse("blackhole-after=0s"));
      socket.close();
      assertThat(finsInFlight()).as("the FIN to 10.58.0.5 in flight").hasSize(1);
    }
  }

  @FakeNetwork(subnet = "10.58.0.0/24", mode = Mode.ECHO)
  static class NextNetworkTestCases {
    @Test
    void seesNoPacketOfTheClosedConnection(Capture capture) throws InterruptedException {
      Thread.sleep(1500); // the kernel retransmits a FIN after 200 ms, 400 ms and 800 ms more
      assertThat(capture.packets().list()).as("TCP packets on the subnet's next network")
          .filteredOn(p -> p.tcp().isPresent()).isEmpty();
    }
  }
}
