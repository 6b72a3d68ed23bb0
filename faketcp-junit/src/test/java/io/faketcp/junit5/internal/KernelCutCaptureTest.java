package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pcap capture past three quarters of its budget: the kernel hands over each packet cut to
 * {@link PcapCapture#HEADER_BYTES}, the test's capture filter still decides which packets come, and the
 * capture still says which packets are cut, why, and how long they were on the wire.
 */
class KernelCutCaptureTest {
  private static final long BUDGET = Settings.MIN_CAPTURE_BUDGET;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mtu(9000).mode(Mode.DISCARD)
      .captureBudget(BUDGET).captureFilter("tcp port 9").build();

  @Test
  void pastTheBudgetTheKernelCutsPacketsToHeadersAndTheFilterStillApplies(NetworkInfo net, Capture capture)
      throws Exception {
    assumeTrue(Environment.libpcapMissing().isEmpty(), "needs libpcap");
    long cutBefore = PcapCapture.packetsCutByKernel();
    send(net.socketAddress(5, 9), 16 * BUDGET); // whole packets use 768 KiB, then the kernel cuts
    send(net.socketAddress(5, 7), BUDGET); // another port, after the switch: the filter keeps it out
    capture.packets(); // waits for the reader to catch up: no packet of the last connection is dropped
    long cutBeforeLast = PcapCapture.packetsCutByKernel();
    InetSocketAddress last = net.socketAddress(6, 9);
    send(last, 64 << 10);

    CapturedPackets packets = capture.packets();
    long cutByKernel = PcapCapture.packetsCutByKernel() - cutBefore;
    long lastCutByKernel = PcapCapture.packetsCutByKernel() - cutBeforeLast;
    List<CapturedPacket> cut = packets.filter(CapturedPacket::isTruncated).list();
    assertThat(packets.get(0).isTruncated()).as("the first packets are whole").isFalse();
    assertThat(cut).as("packets past the budget are kept as headers").hasSizeGreaterThan(500).allSatisfy(p -> {
      assertThat(p.capturedLength()).isLessThanOrEqualTo(PcapCapture.HEADER_BYTES).isLessThan(p.length());
      assertThat(p.truncation()).contains("captureBudget(bytes)");
    });
    // packets already in the ring when the kernel started cutting came whole (the capture cut them): at
    // MTU 9,000 the ring holds about 1,800 of them, so how many depends on how far the reader was behind
    assertThat(cutByKernel).as("packets the kernel handed over cut").isPositive();
    assertThat(packets.filter(PacketPattern.tcp().to(net.address(5), 7)).list()).as("port 7 is filtered out").isEmpty();
    assertThat(packets).hasHandshakeWith(last).hasBytesSentTo(last, 64 << 10)
        .contains(PacketPattern.fin().from(net.address(6), 9));
    // sent after the reader caught up, with the kernel cutting: every data packet longer than what the kernel
    // keeps comes cut from the kernel
    List<CapturedPacket> lastData = packets.filter(PacketPattern.data().to(net.address(6), 9)).list();
    assertThat(lastData).as("each cut").isNotEmpty().allSatisfy(p -> assertThat(p.isTruncated()).isTrue());
    assertThat(lastCutByKernel).as("the last connection's packets the kernel handed over cut")
        .isEqualTo(lastData.stream().filter(p -> p.length() > PcapCapture.HEADER_BYTES).count()).isPositive();
  }

  /** Sends {@code bytes} to the discard service at {@code to} and waits for its FIN after ours. */
  static void send(InetSocketAddress to, long bytes) throws Exception {
    byte[] chunk = new byte[64 << 10];
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      OutputStream out = s.getOutputStream();
      for (long sent = 0; sent < bytes; sent += chunk.length) {
        out.write(chunk);
      }
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).as("the discard host closes after our FIN").isEqualTo(-1);
    }
  }
}
