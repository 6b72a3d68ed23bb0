package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole packets of a 1 MB echo and a 1 MB upload and download through a {@code Server}, at MTU 1,500
 * and 65,535: tshark verifies every IP and TCP checksum, on both sides, and finds them all good, and no
 * packet malformed.
 */
class ChecksumTest {
  static final byte[] DATA = Transfers.pattern(1 << 20);

  static FakeNetworkExtension network(String subnet, int mtu) {
    String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
    return FakeNetworkExtension.newInstance().subnet(subnet + "/24").mtu(mtu).mode(Mode.REJECT)
        .rule(Rule.of(prefix + "5", "*", Mode.ECHO))
        .rule(Rule.of(prefix + "7", "*", Transfers.uploadThenDownload(DATA)))
        .build();
  }

  @Nested
  class AtMtu1500 extends EveryChecksum {
    @RegisterExtension
    final FakeNetworkExtension network = network("10.118.2.0", 1500);
  }

  @Nested
  class AtMtu65535 extends EveryChecksum {
    @RegisterExtension
    final FakeNetworkExtension network = network("10.118.3.0", 65535);
  }

  /** The check, on the network of the class that extends this one. */
  abstract static class EveryChecksum {
    @Test
    void everyChecksumIsGood(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
      transferAndCheck(net, capture, test);
    }
  }

  static void transferAndCheck(NetworkInfo net, Capture capture, TestInfo test) throws Exception {
    Transfers.echo(net.socketAddress(5, 7), DATA);
    Transfers.upAndDown(net.socketAddress(7, 8080), DATA);
    TsharkVerdict verdict = Tshark.analyse(capture, test);

    assertThat(verdict.tcp()).as("TCP frames").hasSizeGreaterThan(20);
    assertThat(verdict.filter(p -> !p.checksums().equals("good")))
        .as("frames whose checksums tshark did not find good: %s", verdict.describe(verdict.filter(
            p -> !p.checksums().equals("good"))))
        .isEmpty();
    assertThat(verdict.filter(p -> p.has(TsharkPacket.MALFORMED))).as("malformed frames").isEmpty();
    assertThat(verdict.from(net.address(5))).as("frames from the echo host").isNotEmpty();
    assertThat(verdict.from(net.address(7))).as("frames from the server's host").isNotEmpty();
  }
}
