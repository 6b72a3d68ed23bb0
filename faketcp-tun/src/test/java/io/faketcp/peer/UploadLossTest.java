package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A kernel socket uploading to DISCARD at MTU 65,535 and 1,500 while 1% of its packets are lost: the
 * fake host keeps what comes after a hole as far as its window reaches (megabytes), so the kernel's
 * SACK-based recovery resends the lost segments and little else. (With a 64 KiB out-of-order buffer
 * the segments more than 64 KiB after a lost one were dropped, at MTU 65,535 nearly all of them: the
 * host resent 30 to 60% of the upload.) The retransmitted bytes are the kernel's own count
 * ({@code ss -ti}'s {@code bytes_retrans}).
 */
@ExtendWith(RequiresTun.class)
class UploadLossTest {
  private static final Pattern NUMBERS = Pattern.compile("bytes_(retrans|acked):(\\d+)");

  /** A subnet per MTU: the kernel's leftover retransmissions after a lossy close must not reach the next peer. */
  @ParameterizedTest(name = "MTU {0}")
  @CsvSource({"65535, 10.98.0.0/24", "1500, 10.97.0.0/24"})
  void anUploadWithOnePercentLossResendsLittleMoreThanWhatWasLost(int mtu, String subnet) throws Exception {
    int size = 64 << 20;
    LossyPathTest.LossyResponder lossy = new LossyPathTest.LossyResponder(0.01);
    try (PeerFixture f = new PeerFixture(TunDevice.builder().subnet(Subnet.parse(subnet)).mtu(mtu), Rules.of(Mode.DISCARD), lossy,
        (d, p) -> { });
        Socket socket = new Socket(f.address(5), 9)) {
      socket.setSoTimeout(30_000);
      byte[] chunk = new byte[1 << 20];
      long start = System.nanoTime();
      for (int sent = 0; sent < size; sent += chunk.length) {
        socket.getOutputStream().write(chunk);
      }
      long[] counts = awaitAcked(f.address(5), size);
      double seconds = (System.nanoTime() - start) / 1e9;
      long retransmitted = counts[0];
      System.out.printf("upload at MTU %d, 1%% loss: %d MiB in %.2f s, %d of the host's packets lost, %d bytes"
          + " retransmitted (%.1f%%)%n", mtu, size >> 20, seconds, lossy.dropped.get(), retransmitted,
          100.0 * retransmitted / size);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("DISCARD's FIN").isEqualTo(-1);
      assertThat(lossy.dropped.get()).as("packets lost").isPositive();
      assertThat(retransmitted).as("bytes retransmitted by the host, %d packets lost", lossy.dropped.get())
          .isPositive().isLessThan(size / 20);
      assertThat(f.peer.failure()).isEmpty();
    }
  }

  /** Waits until the host's socket to {@code address} has {@code size} bytes acknowledged; its bytes_retrans and bytes_acked. */
  private static long[] awaitAcked(String address, long size) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long[] counts = new long[2];
    while (counts[1] < size) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not all acknowledged in 30 s: " + counts[1] + " of " + size + " bytes");
      }
      Thread.sleep(20);
      Process ss = new ProcessBuilder("ss", "-tinH", "dst", address).redirectErrorStream(true).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor();
      Matcher m = NUMBERS.matcher(out);
      while (m.find()) {
        counts[m.group(1).equals("retrans") ? 0 : 1] = Long.parseLong(m.group(2));
      }
    }
    return counts;
  }
}
