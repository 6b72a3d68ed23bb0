package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A server under load: the fake peer plays the clients (connect-many), from the subnet's addresses,
 * towards the gateway listening on the host's address.
 */
@FakeNetwork(subnet = "10.50.0.0/24")
class PushGatewayTest {

  // tag::connect-many[]
  @Test
  @FakeNetwork(subnet = "10.50.0.0/24", capture = false)
  void holdsTenThousandClientsAndNoticesWhenTheyLeave(NetworkInfo net, NetworkControl peer) throws Exception {
    InetSocketAddress address = new InetSocketAddress(net.hostAddress(), 9001);
    try (PushGateway gateway = PushGateway.start(address, 4096, 20_000)) {
      ConnectManyResult result = peer.connectMany(ConnectMany.to(address, 10_000).timeout(Duration.ofSeconds(30)));

      assertThat(result.established()).as("%s", result).isEqualTo(10_000);
      await("all clients accepted", () -> gateway.openConnections() == 10_000);
      assertThat(FileDescriptors.open()).isGreaterThan(10_000);

      peer.closeClientConnections(false);   // every client sends FIN
      await("all clients gone", () -> gateway.openConnections() == 0);
      assertThat(gateway.left()).isEqualTo(10_000);
    }
  }
  // end::connect-many[]

  @Test
  void turnsAwayClientsBeyondItsLimit(NetworkInfo net, NetworkControl peer, Capture capture) throws Exception {
    InetSocketAddress address = new InetSocketAddress(net.hostAddress(), 9002);
    try (PushGateway gateway = PushGateway.start(address, 256, 100)) {
      ConnectManyResult result = peer.connectMany(address.getPort(), 150);

      assertThat(result.established()).as("%s", result).isEqualTo(150);
      await("all clients accepted", () -> gateway.accepted() == 150);
      assertThat(gateway.openConnections()).isEqualTo(100);
      assertThat(gateway.turnedAway()).isEqualTo(50);
      CapturedPackets packets = capture.packets();
      assertThat(packets).hasCount(PacketPattern.synAck().from(net.hostAddress(), 9002), 150);
      assertThat(clients(packets, PacketPattern.data().from(net.hostAddress(), 9002))).as("greeted").isEqualTo(100);
      assertThat(clients(packets, PacketPattern.fin().from(net.hostAddress(), 9002))).as("closed by the gateway")
          .isEqualTo(50);
    }
  }

  @Test
  @FakeNetwork(subnet = "10.50.0.0/24", capture = false)
  void pausesAcceptingWhenOutOfFileDescriptorsAndCatchesUpLater(NetworkInfo net, NetworkControl peer)
      throws Exception {
    InetSocketAddress address = new InetSocketAddress(net.hostAddress(), 9003);
    try (PushGateway gateway = PushGateway.start(address, 1024, 10_000)) {
      // The soft limit is the whole JVM's: while it is low nothing may open a file, not even the class
      // loader. So first one client end to end (loads every class involved), and a moment for the
      // fixture's background threads to finish preparing devices.
      assertThat(peer.connectMany(address.getPort(), 1).established()).isEqualTo(1);
      await("the warm-up client accepted", () -> gateway.openConnections() == 1);
      Thread.sleep(300);

      ConnectMany request = ConnectMany.to(address, 300);
      ConnectManyResult result;
      int heldWhileShort;
      long failuresWhileShort;
      long shortMillis;
      // 40 descriptors to spare for about half a second: the other clients wait in the kernel's accept queue.
      long start = System.nanoTime();
      FileDescriptors.Lowered lowered = FileDescriptors.lowerSoftLimitTo(FileDescriptors.open() + 40);
      try {
        result = peer.connectMany(request);
        Thread.sleep(500);
        heldWhileShort = gateway.openConnections();
        failuresWhileShort = gateway.acceptFailures();
        shortMillis = (System.nanoTime() - start) / 1_000_000;
      } finally {
        lowered.close();
      }

      assertThat(result.established()).as("%s", result).isEqualTo(300);
      assertThat(heldWhileShort).as("held while short of descriptors").isBetween(2, 100);
      assertThat(failuresWhileShort).as("accept failures: it paused instead of spinning")
          .isBetween(1L, shortMillis / Duration.ofNanos(PushGateway.ACCEPT_PAUSE_NANOS).toMillis() + 5);
      await("the rest accepted once descriptors are back", () -> gateway.openConnections() == 1 + 300);
    }
  }

  private static long clients(CapturedPackets packets, PacketPattern pattern) {
    return packets.filter(pattern).stream().map(p -> p.tcp().orElseThrow())
        .map(t -> t.ip().destination().getHostAddress() + ":" + t.destinationPort()).distinct().count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
