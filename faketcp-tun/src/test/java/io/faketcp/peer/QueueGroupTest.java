package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Peers on the two queues of one multi-queue tun device, through the real kernel. */
@ExtendWith(RequiresTun.class)
class QueueGroupTest {
  private static final int CONNECTIONS = 40;

  @Test
  void connectManyOnTheFirstQueueKeepsEveryConnectionWhereverTheKernelSteersTheHostsSegments() throws Exception {
    List<SocketChannel> accepted = new ArrayList<>();
    try (TunDevice first = TunDevice.builder().name("faketcp-qg").subnet(Subnet.parse("10.58.0.0/24"))
            .multiQueue(true).open();
         TunDevice second = first.addQueue();
         ServerSocketChannel server = ServerSocketChannel.open();
         FakePeer peer = FakePeer.builder(first).mode(Mode.DISCARD).start();
         FakePeer other = FakePeer.builder(second).mode(Mode.DISCARD).queueOf(peer).start()) {
      server.bind(new InetSocketAddress("0.0.0.0", 9002), CONNECTIONS);
      // The host's SYN+ACKs go to the queue their flow hashes to: about half to the second queue. A
      // peer there that answered RST would move the flow to its own queue for good; 5 retransmissions
      // (seconds) make that a quick failure, and are far more than a hand-over needs.
      ConnectManyResult result = peer.connectMany(ConnectMany.to(new InetSocketAddress("10.58.0.1", 9002), CONNECTIONS)
          .maxRetransmissions(5));
      assertThat(result.established()).as(result.toString()).isEqualTo(CONNECTIONS);
      while (accepted.size() < CONNECTIONS) {
        accepted.add(server.accept());
      }
      // The kernel forgets which queue a flow is on after 3 s in which no peer wrote for it; the
      // host's next segments go by the hash again.
      Thread.sleep(3500);
      for (SocketChannel c : accepted) {
        c.write(ByteBuffer.wrap(new byte[] {1}));
        c.configureBlocking(false);
      }
      Thread.sleep(300);
      for (SocketChannel c : accepted) {
        assertThat(readQuietly(c)).as("read after the idle time (a reset would throw)").isZero();
      }
      assertThat(other.counters().packetsIn()).as("segments read on the second queue").isPositive();
      assertThat(peer.counters().resetsSent() + other.counters().resetsSent()).as(peer.counters() + " / "
          + other.counters()).isZero();
      assertThat(peer.counters().established()).as("connections held by the first queue's peer").isEqualTo(CONNECTIONS);
    } finally {
      for (SocketChannel c : accepted) {
        c.close();
      }
    }
  }

  @Test
  void aPeerJoinsOnlyAnotherQueueOfTheSameDevice() {
    try (TunDevice tun = TunDevice.builder().name("faketcp-qg1").subnet(Subnet.parse("10.59.0.0/24")).open();
         TunDevice elsewhere = TunDevice.builder().name("faketcp-qg2").subnet(Subnet.parse("10.60.0.0/24")).open();
         FakePeer peer = FakePeer.builder(tun).start()) {
      assertThatThrownBy(() -> FakePeer.builder(tun).queueOf(peer)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not on another queue of").hasMessageContaining("addQueue()");
      assertThatThrownBy(() -> FakePeer.builder(elsewhere).queueOf(peer)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("faketcp-qg2");
      assertThatThrownBy(() -> FakePeer.builder(tun).queueOf(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("first is null");
    }
  }

  private static int readQuietly(SocketChannel c) throws IOException {
    return c.read(ByteBuffer.allocate(16));
  }
}
