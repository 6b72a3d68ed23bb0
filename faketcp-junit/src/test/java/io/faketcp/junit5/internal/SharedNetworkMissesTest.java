package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network shared by a class: packets pcap's ring dropped in one test are forgotten with that test's
 * packets, so the next test's capture is complete.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedNetworkMissesTest {
  @RegisterExtension
  static final FakeNetworkExtension NETWORK = FakeNetworkExtension.newInstance().subnet("10.79.2.0/24").mtu(65535)
      .mode(Mode.DISCARD).build();

  @Test
  @Order(1)
  void aTestWhoseCaptureMissedPackets(NetworkInfo net, Capture capture) throws Exception {
    BigMtuRingTest.dropWholePackets(net.socketAddress(5, 9), capture);
  }

  @Test
  @Order(2)
  void theNextTestsCaptureIsComplete(NetworkInfo net, Capture capture) throws Exception {
    assumeTrue(Environment.libpcapMissing().isEmpty(), "needs libpcap");
    InetSocketAddress discard = net.socketAddress(6, 9);
    KernelCutCaptureTest.send(discard, 1 << 20);
    CapturedPackets packets = capture.packets();
    assertThat(packets.isComplete()).as("complete: %s", packets.note()).isTrue();
    assertThat(packets).hasHandshakeWith(discard).hasBytesSentTo(discard, 1 << 20);
  }
}
