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
 * A snap length below the MTU with the pcap capture: the kernel cuts every packet to it from the start,
 * and the capture marks each as cut by the snap length, with its length on the wire.
 */
class KernelSnapLengthTest {
  private static final int SNAP_LENGTH = 200;

  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mode(Mode.DISCARD)
      .captureSnapLength(SNAP_LENGTH).build();

  @Test
  void theKernelCutsEveryPacketToTheSnapLength(NetworkInfo net, Capture capture) throws Exception {
    assumeTrue(Environment.libpcapMissing().isEmpty(), "needs libpcap");
    long cutBefore = PcapCapture.packetsCutByKernel();
    InetSocketAddress discard = net.socketAddress(5, 9);
    byte[] data = new byte[100_000];
    try (Socket s = new Socket(discard.getAddress(), discard.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(data);
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).as("the discard host closes after our FIN").isEqualTo(-1);
    }

    CapturedPackets packets = capture.packets();
    List<CapturedPacket> sent = packets.filter(PacketPattern.data().to(net.address(5), 9)).list();
    List<CapturedPacket> longer = sent.stream().filter(p -> p.length() > SNAP_LENGTH).toList();
    assertThat(longer).hasSizeGreaterThanOrEqualTo(data.length / 1500).allSatisfy(p -> {
      assertThat(p.capturedLength()).isEqualTo(SNAP_LENGTH);
      assertThat(p.line()).endsWith(" of " + p.length() + " bytes, snap length]");
    });
    assertThat(sent).filteredOn(p -> p.length() <= SNAP_LENGTH).as("the last segment, shorter: whole")
        .allSatisfy(p -> assertThat(p.isTruncated()).isFalse());
    assertThat(PcapCapture.packetsCutByKernel() - cutBefore).as("packets the kernel handed over cut")
        .isGreaterThanOrEqualTo(longer.size());
    assertThat(packets).hasHandshakeWith(discard).hasBytesSentTo(discard, data.length);
  }
}
