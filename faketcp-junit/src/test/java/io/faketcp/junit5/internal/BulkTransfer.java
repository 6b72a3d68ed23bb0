package io.faketcp.junit5.internal;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.NetworkInfo;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * 300 MB to a DISCARD host at MTU 65,535 with capture on, and what the capture then holds: within its
 * budget by its own count and by the heap that forgetting it frees after a full GC.
 */
final class BulkTransfer {
  static final long BYTES = 300L << 20;

  private BulkTransfer() {}

  /**
   * Sends, checks the packets (with {@code more} too) and the budget, then lets the packets go and
   * measures the heap the capture holds.
   */
  static void sendAndCheck(NetworkInfo net, Capture capture, long budget, String which,
      Consumer<CapturedPackets> more) throws Exception {
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'x');
    long start = System.nanoTime();
    try (Socket s = new Socket(net.address(5), 9)) {
      OutputStream out = s.getOutputStream();
      for (long sent = 0; sent < BYTES; sent += chunk.length) {
        out.write(chunk);
      }
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).as("the discard host closes after our FIN").isEqualTo(-1);
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    CapturedPackets packets = capture.packets();
    long counted = packets.stream().mapToLong(p -> p.capturedLength() + 64L).sum(); // what the budget counts
    long onTheWire = packets.stream().mapToLong(CapturedPacket::length).sum();
    long cut = packets.stream().filter(CapturedPacket::isTruncated).count();
    String completeness = packets.isComplete() ? "complete" : packets.note().replaceAll(";.*", "");
    // pcap may lose packets at this rate on a busy machine (before the kernel cut them to headers, more
    // than half of them at a load of 7; a CI run kept 983 of 5,308): twice the budget is enough for most
    // packets to be cut
    assertThat(onTheWire).as("the packets' lengths on the wire: over twice the budget").isGreaterThan(2 * budget);
    assertThat(counted).as("the capture's own count of what it keeps").isLessThanOrEqualTo(budget);
    assertThat(cut).isGreaterThan(packets.size() / 2);
    assertThat(packets.get(0).isTruncated()).as("the first packets are whole").isFalse();
    assertThat(packets).hasHandshakeWith(net.socketAddress(5, 9));
    assertThat(packets.filter(PacketPattern.data()).list()).last()
        .satisfies(p -> assertThat(p.truncation()).contains("captureBudget(bytes)"));
    more.accept(packets);
    int size = packets.size();
    packets = null; // the snapshot holds the records too: let it go before measuring what the capture holds
    long retained = retainedByCapture(capture);
    System.out.printf("%s: %d MB at MTU 65535 in %.2f s with capture on: %d packets (%d cut to headers), %d MB on"
        + " the wire; the capture counts %d KB against its budget of %d KB; forgetting it freed %d KB of heap;"
        + " %s; load %.2f%n", which, BYTES >> 20, seconds, size, cut, onTheWire >> 20, counted >> 10, budget >> 10,
        retained >> 10, completeness, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    assertThat(retained).as("heap freed by forgetting the capture, after a full GC").isLessThanOrEqualTo(budget)
        .isGreaterThan(counted / 2);
  }

  /**
   * The heap the capture holds, measured from outside: used heap after a full GC, before and after the
   * capture forgets its packets ({@link Capture#clear()}). Nothing else is let go in between.
   */
  private static long retainedByCapture(Capture capture) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    capture.clear();
    long after = usedAfterGc(memory);
    return before - after;
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
