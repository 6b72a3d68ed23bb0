package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bulk transfer at MTU 65,535 with the pcap capture: the capture stays within its budget. At about
 * 1 GB/s libpcap's ring may drop packets on a busy machine; the capture's note counts them
 * ({@link PeerBulkCaptureTest} has the capture that cannot drop, and checks the byte counts exactly).
 */
class BulkCaptureTest {
  private static final long BUDGET = 8L << 20;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mtu(65535).mode(Mode.DISCARD)
      .captureBudget(BUDGET).build();

  @Test
  void threeHundredMegabytesKeepTheCaptureWithinItsBudget(NetworkInfo net, Capture capture) throws Exception {
    BulkTransfer.sendAndCheck(net, capture, BUDGET, "pcap", packets ->
        assertThat(packets.isComplete() || packets.note().contains("pcap received")).as(packets.note()).isTrue());
  }
}
