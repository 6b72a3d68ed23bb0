package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code loss=10%} both ways under one full-duplex stream: the host writes a megabyte while it reads
 * the echo, so its ACKs ride on its data. The fake host's sender finds its lost segments from the
 * host's SACK blocks (RFC 6675) instead of waiting for retransmission timeouts, and every byte comes
 * back in seconds, for each of five seeds.
 */
@ExtendWith(RequiresTun.class)
class FullDuplexLossTest {
  private static final int MEGABYTE = 1 << 20;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void aFullDuplexMegabyteAtTenPercentLossBothWaysIsEchoedIdenticallyInSeconds(long seed) throws Exception {
    // A subnet per seed: the kernel's leftover retransmissions after a lossy close find no peer.
    Subnet subnet = Subnet.parse("192.168." + (100 + seed) + ".0/24");
    Fault loss = Fault.parse("loss=10%");
    try (PeerFixture f = new PeerFixture(subnet, Rules.of(Mode.ECHO).withFault(loss).withFaults("seed=" + seed), null,
            (direction, packet) -> { });
        Socket socket = new Socket(f.address(5), 7)) {
      socket.setSoTimeout(30_000);
      byte[] data = new byte[MEGABYTE];
      new Random(seed).nextBytes(data);
      byte[] echoed = new byte[MEGABYTE];

      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      CompletableFuture<Void> writer = ServerTest.inThread("writer, seed " + seed, () -> {
        out.write(data);
        socket.shutdownOutput();
      });
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(echoed, 0, MEGABYTE)).as("bytes echoed").isEqualTo(MEGABYTE);
      assertThat(in.read()).as("end of stream after the echo").isEqualTo(-1);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      writer.get(30, TimeUnit.SECONDS);

      assertThat(Arrays.mismatch(echoed, data)).as("first byte that differs").isEqualTo(-1);
      assertThat(f.peer.faultActions().get(loss)).as("packets the fault dropped").isGreaterThan(50);
      assertThat(f.peer.counters().aborted()).isZero();
      System.out.printf("full duplex, loss=10%% (seed %d): 1 MiB echoed in %d ms; %d packets dropped, the fake host"
          + " retransmitted %d segments%n", seed, took.toMillis(), f.peer.faultActions().get(loss),
          f.peer.counters().retransmissions());
      assertThat(took).as("seconds on a loaded machine, not timeouts and their backoff").isLessThan(Duration.ofSeconds(10));
    }
  }
}
