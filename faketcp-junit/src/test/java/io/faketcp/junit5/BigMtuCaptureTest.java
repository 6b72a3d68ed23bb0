package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * A failing bulk test at MTU 65,535 writes a .pcap whose records give each cut packet's length on the wire
 * and a transcript that marks them; at MTU 1,500 the defaults keep every byte of an ordinary test. (The
 * 300 MB transfer is {@code internal.BulkCaptureTest}.)
 */
class BigMtuCaptureTest {
  @Test
  void aFailingBulkTestWritesCutPacketsWithTheirLengthsOnTheWire() throws Exception {
    Path dir = Path.of("target/faketcp");
    Path pcap = dir.resolve("BigMtuCaptureTest.FailingBulkTestCases.failsAfterABulkTransfer.pcap");
    Path txt = dir.resolve("BigMtuCaptureTest.FailingBulkTestCases.failsAfterABulkTransfer.txt");
    Files.deleteIfExists(pcap);
    Files.deleteIfExists(txt);

    EngineExecutionResults results = Kit.run(FailingBulkTestCases.class);

    results.testEvents().assertStatistics(s -> s.failed(1));
    assertThat(Files.readString(txt)).contains("[|captured ", " of 65535 bytes, capture budget]",
        "packet(s) kept cut, marked [|captured ...]");
    PcapHandle offline = Pcaps.openOffline(pcap.toString(), PcapHandle.TimestampPrecision.NANO);
    int whole = 0;
    int cut = 0;
    try {
      byte[] packet;
      while ((packet = offline.getNextRawPacket()) != null) {
        int length = offline.getOriginalLength();
        int wire = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF); // the IPv4 total length
        assertThat(length).as("the record's original length is the packet's").isEqualTo(wire);
        if (packet.length < length) {
          cut++;
          assertThat(packet.length).as("cut to its headers").isBetween(40, 60);
        } else {
          whole++;
        }
      }
    } finally {
      offline.close();
    }
    assertThat(whole).isPositive();
    assertThat(cut).isPositive();
    Kit.assertCleanedUp();
  }

  static class FailingBulkTestCases {
    @RegisterExtension
    final FakeNetworkExtension network = FakeNetworkExtension.newInstance().mtu(65535).mode(Mode.DISCARD)
        .captureBudget(1 << 20).build();

    @Test
    void failsAfterABulkTransfer(NetworkInfo net, Capture capture) throws IOException {
      try (Socket s = new Socket(net.address(5), 9)) {
        s.getOutputStream().write(new byte[8 << 20]);
      }
      assertThat(capture).hasResetFrom(net.address(5)); // fails: the discard host closed, it did not reset
    }
  }

  /**
   * At MTU 1,500 with the default snap length and budget, an ordinary test keeps every byte, and libpcap's
   * ring holds all of its packets, so it keeps them on a busy machine too.
   */
  @Test
  void atMtu1500TheDefaultsKeepEveryByte() {
    Kit.assertAllSucceeded(Kit.run(EchoTestCases.class), 1);
    Kit.assertCleanedUp();
  }

  @FakeNetwork(mode = Mode.ECHO)
  static class EchoTestCases {
    @Test
    void echoesFourMegabytes(NetworkInfo net, Capture capture) throws IOException {
      byte[] sent = new byte[4 << 20];
      for (int i = 0; i < sent.length; i++) {
        sent[i] = (byte) (i * 31 + (i >> 12));
      }
      byte[] echoed = new byte[sent.length];
      try (Socket s = new Socket(net.address(7), 7)) {
        Thread writer = new Thread(() -> {
          try {
            s.getOutputStream().write(sent);
            s.shutdownOutput();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        writer.start();
        InputStream in = s.getInputStream();
        int n = 0;
        for (int r; n < echoed.length && (r = in.read(echoed, n, echoed.length - n)) > 0; n += r) {
          // reading what the echo host sends back
        }
        writer.join();
        assertThat(n).isEqualTo(sent.length);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      CapturedPackets packets = capture.packets();
      // The ring holds this whole echo (about 7,000 packets): none is lost however late the reader runs.
      assertThat(packets.isComplete()).as("the capture is complete: %s", packets.note()).isTrue();
      assertThat(packets.stream().filter(CapturedPacket::isTruncated).count()).isZero();
      assertThat(packets.note()).doesNotContain("cut");
      TcpConversation c = packets.conversationsWith(net.socketAddress(7, 7)).get(0);
      assertThat(c.streamFromClient()).isEqualTo(sent);
      assertThat(c.streamFromServer()).isEqualTo(sent);
    }
  }
}
