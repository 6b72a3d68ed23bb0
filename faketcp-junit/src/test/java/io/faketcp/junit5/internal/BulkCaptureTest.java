package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bulk transfer at MTU 65,535 with the pcap capture: the capture stays within its budget, and keeps
 * most packets. Past the budget's part for whole packets the kernel cuts them to headers, so libpcap's
 * ring rarely overflows at about 1 GB/s (it dropped 17-81 % of the packets before); on a busy machine it
 * still may (up to 81 % of them on CI), and the capture's note counts them ({@link PeerBulkCaptureTest} has the capture that cannot
 * drop, and checks the byte counts exactly).
 */
class BulkCaptureTest {
  private static final long BUDGET = 8L << 20;
  private static final Pattern PCAP_COUNTS = Pattern.compile("pcap received (\\d+), dropped (\\d+)");

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mtu(65535).mode(Mode.DISCARD)
      .captureBudget(BUDGET).build();

  @Test
  void threeHundredMegabytesKeepTheCaptureWithinItsBudget(NetworkInfo net, Capture capture) throws Exception {
    BulkTransfer.sendAndCheck(net, capture, BUDGET, "pcap", packets -> {
      if (packets.isComplete()) {
        return;
      }
      // How many the ring drops depends on how long the reader is kept off the CPU while whole packets
      // fill it (a CI run lost 81 %): what the test holds the capture to is saying how many, and pcap's counts.
      assertThat(packets.note()).contains(packets.missing() + " packet(s) crossed " + packets.interfaceName())
          .containsPattern(PCAP_COUNTS);
    });
  }
}
