package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code loss=} fault at 10%, both directions, under a bulk echo from a kernel socket through a
 * real tun device: the kernel's retransmissions (with SACK) repair the host's lost segments, the fake
 * host's endpoint repairs its own, and every byte comes back, in seconds.
 */
@ExtendWith(RequiresTun.class)
class LossTenPercentTest {
  private static final int MEGABYTE = 1 << 20;
  private static final int CHUNK = 64 * 1024;
  /** Its own subnet: the kernel's leftover retransmissions after a lossy close must not reach other tests' peers. */
  private static final Subnet SUBNET = Subnet.parse("192.168.88.0/24");

  @Test
  void lossAtTenPercentBothWaysStillEchoesOneMegabyteIdentically() throws Exception {
    Fault loss = Fault.parse("loss=10%");
    // Only the faults' events are recorded: a megabyte's packets need not be.
    try (PeerFixture f = new PeerFixture(SUBNET, Rules.of(Mode.ECHO).withFault(loss).withFaults("seed=10"), null,
            (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setSoTimeout(30_000);
      byte[] data = new byte[MEGABYTE];
      new Random(10).nextBytes(data);
      byte[] echoed = new byte[MEGABYTE];

      // 64 KiB, then its echo, 16 times: while the fake host echoes, the host sends pure ACKs, whose
      // duplicates start the fake host's fast retransmit. (In a full-duplex stream the host's ACKs
      // ride on its data, which RFC 5681 does not count as duplicates: there the fake host's sender
      // finds its losses from the host's SACK blocks, see FullDuplexLossTest.)
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int offset = 0; offset < MEGABYTE; offset += CHUNK) {
        out.write(data, offset, CHUNK);
        assertThat(in.readNBytes(echoed, offset, CHUNK)).as("echo of the chunk at %d", offset).isEqualTo(CHUNK);
      }
      socket.shutdownOutput();
      assertThat(in.read()).as("end of stream after the echo").isEqualTo(-1);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(Arrays.mismatch(echoed, data)).as("first byte that differs").isEqualTo(-1);
      assertThat(took).as("seconds, not minutes, on a loaded machine").isLessThan(Duration.ofSeconds(20));

      // The peer goes on answering the host's last packets (ACKs, FINs) after the read: take the fault's
      // events at a moment when they agree with its counters.
      List<String> events = new ArrayList<>();
      FakePeerTest.await(() -> {
        long counted = f.peer.faultActions().get(loss);
        List<String> snapshot = List.copyOf(f.faultEvents);
        boolean agree = drops(snapshot, "") == counted && f.peer.counters().faultDrops() == counted;
        if (agree) {
          events.addAll(snapshot);
        }
        return agree;
      }, "the fault's events and counters agree");
      String host = f.device.subnet().hostAddress().getHostAddress();
      long hostsDropped = drops(events, host + ".");
      long fakeHostsDropped = drops(events, f.address(5) + ".7 > ");
      // About 750 segments each way (data one way, ACKs the other): 10% of them, with room for the draw.
      assertThat(hostsDropped).as("the host's packets the fault dropped").isBetween(30L, 400L);
      assertThat(fakeHostsDropped).as("the fake host's packets the fault dropped").isBetween(30L, 400L);
      assertThat(hostsDropped + fakeHostsDropped).as("every drop is one way or the other").isEqualTo(drops(events, ""));
      assertThat(f.peer.counters().retransmissions()).as("the fake host resent its lost segments").isPositive();
      assertThat(f.peer.counters().aborted()).isZero();
      System.out.printf("loss=10%% (seed %d): 1 MiB echoed in %d ms; dropped %d of the host's packets, %d of the"
          + " fake host's; the fake host retransmitted %d segments%n", f.peer.seed(), took.toMillis(), hostsDropped,
          fakeHostsDropped, f.peer.counters().retransmissions());
    }
  }

  /** How many packets {@code loss=10%} dropped whose line starts with {@code IP} and then {@code from}. */
  private static long drops(List<String> events, String from) {
    return events.stream().filter(e -> e.startsWith("DROPPED loss=10% IP " + from)).count();
  }
}
