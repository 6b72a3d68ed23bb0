package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bulk transfer of {@link BulkCaptureTest} with the peer's own capture, which sees every packet: the
 * budget holds, and the byte count from the headers kept past it is exact.
 */
class PeerBulkCaptureTest {
  private static final long BUDGET = 16L << 20;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.78.0.0/24").mtu(65535)
      .mode(Mode.DISCARD).captureBudget(BUDGET).build();

  @BeforeAll
  static void forceThePeerCapture() {
    Captures.forcePeerCapture(true);
  }

  @AfterAll
  static void backToPcap() {
    Captures.forcePeerCapture(false);
  }

  @Test
  void threeHundredMegabytesAreCountedExactlyWithinTheBudget(NetworkInfo net, Capture capture) throws Exception {
    BulkTransfer.sendAndCheck(net, capture, BUDGET, "peer capture", packets -> {
      assertThat(packets.isComplete()).as(packets.note()).isTrue();
      assertThat(packets).hasBytesSentTo(net.socketAddress(5, 9), BulkTransfer.BYTES)
          .contains(io.faketcp.assertj.PacketPattern.fin().from(net.address(5), 9));
    });
  }
}
