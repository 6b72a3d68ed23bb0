package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The guide's capture budget example (docs/capture-and-assertions.md), run: 100 MB at MTU 65,535. */
class BulkUploadCaptureTest {
  // tag::capture-budget[]
  @RegisterExtension
  final FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .mtu(65535)
      .mode(Mode.DISCARD)
      .captureBudget(4L << 20)    // whole packets for the first 3 MiB, then headers only
      .build();

  @Test
  void aBulkUploadKeepsTheHeadersOfItsLastPackets(NetworkInfo net, Capture capture) throws IOException {
    try (Socket socket = new Socket(net.address(5), 9)) {   // 192.168.0.5:9 discards
      OutputStream out = socket.getOutputStream();
      byte[] megabyte = new byte[1 << 20];
      for (int i = 0; i < 100; i++) {
        out.write(megabyte);
      }
    }

    CapturedPackets packets = capture.packets();
    assertThat(packets).hasHandshakeWith(net.socketAddress(5, 9));
    List<CapturedPacket> data = packets.filter(PacketPattern.data().to(net.address(5), 9)).list();
    assertThat(data.get(0).isTruncated()).isFalse();                   // the first 3 MiB: whole
    CapturedPacket later = data.get(data.size() - 10);                 // past them: headers only
    assertThat(later.isTruncated()).isTrue();
    assertThat(later.capturedLength()).isLessThan(100);                // IP and TCP headers
    assertThat(later.length()).isGreaterThan(later.capturedLength());  // its length on the wire
    assertThat(later.line()).endsWith(" of " + later.length() + " bytes, capture budget]");
  }
  // end::capture-budget[]
}
