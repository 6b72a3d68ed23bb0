package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * libpcap's ring at MTU 65,535: a capture that keeps only headers keeps up with an echo at about 1 GB/s,
 * because its ring holds packets by the bytes the kernel keeps of them, not by the MTU; and what the ring
 * dropped before {@link Capture#clear()} is forgotten with the packets.
 */
class BigMtuRingTest {
  /** 128 bytes of each packet: the kernel cuts them, and the ring holds them by what it keeps. */
  @Nested
  class HeadersOnly {
    @RegisterExtension
    final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.79.0.0/24").mtu(65535)
        .mode(Mode.ECHO).captureSnapLength(128).build();

    @Test
    void aCaptureOfHeadersKeepsEveryPacketOfAHundredMegabytesEchoed(NetworkInfo net, Capture capture)
        throws Exception {
      assumeTrue(Environment.libpcapMissing().isEmpty(), "needs libpcap");
      InetSocketAddress echo = net.socketAddress(5, 7);
      long readerCpu = readerCpuNanos(capture);
      long start = System.nanoTime();
      echo(echo, 100 << 20);
      double seconds = (System.nanoTime() - start) / 1e9;

      CapturedPackets packets = capture.packets();
      System.out.printf("BigMtuRingTest: 100 MB echoed at MTU 65535 in %.2f s, %d packets captured, the capture's"
          + " reader used %.3f s of CPU; %s; load %.2f%n", seconds, packets.size(),
          (readerCpuNanos(capture) - readerCpu) / 1e9, packets.isComplete() ? "complete" : packets.note(),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      assertThat(packets.isComplete()).as("complete: %s", packets.note()).isTrue();
      assertThat(packets).hasHandshakeWith(echo).hasBytesSentTo(echo, 100L << 20)
          .contains(PacketPattern.fin().from(net.address(5), 7));
    }
  }

  /** Whole packets: 64 MB of them do not fit in the ring while its reader waits. */
  @Nested
  class WholePackets {
    @RegisterExtension
    final FakeNetworkExtension network = FakeNetworkExtension.newInstance().subnet("10.79.1.0/24").mtu(65535)
        .mode(Mode.DISCARD).build();

    @Test
    void clearForgetsThePacketsTheRingDroppedBeforeIt(NetworkInfo net, Capture capture) throws Exception {
      dropWholePackets(net.socketAddress(5, 9), capture);

      capture.clear();
      assertThat(capture.packets().isComplete()).as("complete once cleared: %s", capture.packets().note()).isTrue();
      InetSocketAddress after = net.socketAddress(6, 9);
      KernelCutCaptureTest.send(after, 1 << 20);
      CapturedPackets packets = capture.packets();
      assertThat(packets.isComplete()).as("complete after the clear: %s", packets.note()).isTrue();
      assertThat(packets.note()).isEmpty();
      assertThat(packets).hasHandshakeWith(after).hasBytesSentTo(after, 1 << 20);
    }
  }

  /**
   * Sends 64 MB at MTU 65,535 to the discard service at {@code to} while the capture's reader waits, so
   * that the ring fills and the kernel drops packets, and checks that the capture says so.
   */
  static void dropWholePackets(InetSocketAddress to, Capture capture) throws Exception {
    assumeTrue(Environment.libpcapMissing().isEmpty(), "needs libpcap");
    PcapCapture.holdReaders(true);
    try {
      KernelCutCaptureTest.send(to, 64L << 20);
    } finally {
      PcapCapture.holdReaders(false);
    }
    CapturedPackets dropped = capture.packets();
    assertThat(dropped.isComplete()).as("packets were dropped while the reader waited").isFalse();
    assertThat(dropped.note()).contains("not captured");
  }

  /** The CPU time of the thread reading {@code capture}'s device (named after it), for the figures printed. */
  private static long readerCpuNanos(Capture capture) {
    String name = "faketcp-capture-" + capture.packets().interfaceName();
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
        .mapToLong(t -> ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId())).sum();
  }

  /** Writes {@code bytes} to the echo service at {@code to} while reading them back, then closes. */
  private static void echo(InetSocketAddress to, int bytes) throws Exception {
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        byte[] chunk = new byte[1 << 20];
        try {
          for (int sent = 0; sent < bytes; sent += chunk.length) {
            s.getOutputStream().write(chunk);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[64 << 10];
      long read = 0;
      for (int n; read < bytes && (n = in.read(buffer)) > 0; ) {
        read += n;
      }
      writing.get(60, TimeUnit.SECONDS);
      assertThat(read).as("bytes echoed").isEqualTo(bytes);
      s.shutdownOutput();
      assertThat(in.read()).as("the echo host closes after our FIN").isEqualTo(-1);
    }
  }
}
