package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Direction;
import io.faketcp.peer.PeerCounters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/** The capture holds every packet that crossed the device when the test reads it; the assertions use it. */
class CaptureTest {

  @Test
  void captureIsCompleteDirectedAndAssertable() {
    Kit.assertAllSucceeded(Kit.run(CaptureTestCases.class), 6);
    Kit.assertCleanedUp();
  }

  @FakeNetwork(mode = Mode.ECHO)
  static class CaptureTestCases {
    @Test
    void everyPacketThePeerSawIsCapturedWhenTheTestReads(NetworkInfo net, NetworkControl control, Capture capture)
        throws IOException {
      try (Socket s = new Socket(net.address(7), 7)) {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 50; i++) {
          out.write(i);
          assertThat(in.read()).isEqualTo(i);
        }
      }
      // read at once, no sleep: the capture waits for what the peer has already seen
      PeerCounters counters = control.counters();
      CapturedPackets packets = capture.packets();
      assertThat(packets.isComplete()).isTrue();
      assertThat((long) packets.size()).isGreaterThanOrEqualTo(counters.packetsIn() + counters.packetsOut());
      assertThat(packets.filter(p -> p.direction() == Direction.TO_PEER).list())
          .allSatisfy(p -> assertThat(p.ip().orElseThrow().destination()).isEqualTo(net.address(7)));
      assertThat(packets.filter(p -> p.direction() == Direction.FROM_PEER).list())
          .allSatisfy(p -> assertThat(p.ip().orElseThrow().source()).isEqualTo(net.address(7)));
      for (int i = 1; i < packets.size(); i++) {
        assertThat(packets.get(i).timestamp()).isAfterOrEqualTo(packets.get(i - 1).timestamp());
      }
      assertThat(capture).hasHandshakeWith(net.socketAddress(7, 7)).hasBytesSentTo(net.socketAddress(7, 7), 50)
          .hasBytesReceivedFrom(net.socketAddress(7, 7), 50)
          .containsInOrder(PacketPattern.syn().to(net.address(7), 7), PacketPattern.synAck().from(net.address(7), 7),
              PacketPattern.data().to(net.address(7), 7), PacketPattern.fin());
    }

    @Test
    void pingsAreCountedAndThePcapOpensInLibpcap(NetworkInfo net, Capture capture) throws Exception {
      for (int i = 0; i < 3; i++) {
        assertThat(net.address(20).isReachable(1000)).isTrue();
      }
      assertThat(capture).hasEchoRequests(3).hasEchoRequestsTo(net.address(20), 3).hasEchoReplies(3)
          .hasNoPacketTo(net.address(21));
      Path file = capture.writePcap(Path.of("target/faketcp/CaptureTest.pings.pcap"));
      PcapHandle offline = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
      try {
        int n = 0;
        while (offline.getNextRawPacket() != null) {
          n++;
        }
        assertThat(n).isEqualTo(6);
      } finally {
        offline.close();
      }
    }

    @Test
    @FakeNetwork(mode = Mode.REJECT)
    void awaitReturnsThePacketOnceItIsCaptured(NetworkInfo net, Capture capture) throws Exception {
      Thread client = new Thread(() -> {
        try {
          Thread.sleep(200);
          new Socket(net.address(5), 81).close();
        } catch (IOException | InterruptedException expected) {
          // refused: the RST is what the test waits for
        }
      });
      long start = System.nanoTime();
      client.start();
      try {
        CapturedPacket rst = capture.await(PacketPattern.rst().from(net.address(5), 81), Duration.ofSeconds(5));
        assertThat(rst.direction()).isEqualTo(Direction.FROM_PEER);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
      } finally {
        client.join();
      }
    }

    @Test
    void awaitFailsAfterItsTimeoutListingThePackets(NetworkInfo net, Capture capture) throws IOException {
      assertThat(net.address(20).isReachable(1000)).isTrue();
      long start = System.nanoTime();
      assertThatThrownBy(() -> capture.await(PacketPattern.syn().to(net.address(5), 80), Duration.ofMillis(300)))
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith("Waited 300 ms for a packet matching SYN to 192.168.0.5:80 but none came\n"
              + "Captured packets on tun")
          .hasMessageContaining("ICMP echo request");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
      assertThatThrownBy(() -> capture.await(p -> false, Duration.ofMillis(1)))
          .hasMessageStartingWith("Waited 1 ms for a packet matching the given predicate but none came");
    }

    @Test
    @FakeNetwork(mode = Mode.DROP)
    void aDroppedConnectShowsAsAnUnansweredSyn(NetworkInfo net, Capture capture) throws IOException {
      try (Socket s = new Socket()) {
        assertThatThrownBy(() -> s.connect(net.socketAddress(5, 80), 300)).isInstanceOf(SocketTimeoutException.class);
      }
      assertThat(capture).hasSynWithoutAnswer(net.socketAddress(5, 80)).hasHandshakesWith(net.socketAddress(5, 80), 0);
    }

    @Test
    @FakeNetwork(mode = Mode.REJECT)
    void aFailedAssertionListsEveryCapturedPacket(NetworkInfo net, Capture capture) {
      assertThatThrownBy(() -> new Socket(net.address(5), 80).close()).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> assertThat(capture).hasHandshakeWith(net.socketAddress(5, 80)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Expecting a completed TCP handshake (SYN, SYN+ACK, ACK) with 192.168.0.5:80")
          .hasMessageContaining("Captured packets on tun")
          .hasMessageContaining("Out IP 192.168.0.1.")
          .hasMessageContaining("In  IP 192.168.0.5.80 > 192.168.0.1.")
          .hasMessageContaining("Flags [R.]");
      // not hasSize(2): an earlier test's socket to .5:80 may still be closing (README, Limitations)
      assertThat(capture).hasResetFrom(net.address(5)).hasResetTo(net.hostAddress()).hasCount(PacketPattern.syn(), 1);
    }
  }
}
