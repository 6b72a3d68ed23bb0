package io.faketcp.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The latency bench's raw figures for a look from outside (FaultAccuracyBench, {@code
 * -Dfaketcp.bench.dump=DIR}): each faulted exchange as the client timed it ({@code client.txt}: when
 * it wrote, its round trip), each packet the fault delayed as the peer saw it ({@code peer.txt}: when,
 * and the delay it set), both on the wall clock in ns, and the device's packets as the kernel
 * stamped them ({@code wire.pcap}, tcpdump with ns timestamps), so that the added latency can be split
 * into the peer's part, the client's and the kernel's ({@code faketcp-bench/src/main/python/wire-latency.py}).
 *
 * <p>tcpdump runs without {@code --immediate-mode}: the kernel stamps each packet as it passes the
 * device either way, but in immediate mode it also wakes tcpdump for each one, on the CPU of the
 * thread that sent it (a sync wake-up, like the client's): the peer's answer then woke tcpdump and the
 * client together, onto the peer's CPU, and tcpdump often ran first (the client's wake-up 32 µs at
 * the median against 20 without a capture, perf sched trace). Without it the kernel hands tcpdump a
 * block of packets when the block fills or its timeout ({@link #BLOCK_TIMEOUT_MILLIS}) passes.
 */
final class ExchangeDump implements AutoCloseable {
  /** tcpdump's (libpcap's) buffer timeout: packets not yet handed over are written by then. */
  private static final long BLOCK_TIMEOUT_MILLIS = 1000;

  private final Path dir;
  private final Process tcpdump;
  /** Wall clock ns less nanoTime, measured once at the start. */
  private final long offset;
  private final long[] client = new long[1 << 16];
  private int clients;
  private long[] peer = new long[1 << 16];
  private int peers;

  ExchangeDump(Path dir, String device) throws IOException, InterruptedException {
    this.dir = Files.createDirectories(dir);
    Path log = dir.resolve("tcpdump.log");
    tcpdump = new ProcessBuilder("tcpdump", "-i", device, "-n", "-s", "128", "--time-stamp-precision=nano", "-w", dir.resolve("wire.pcap").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    for (int i = 0; !Files.readString(log).contains("listening on"); i++) {
      if (i > 200 || !tcpdump.isAlive()) {
        throw new IOException("tcpdump did not start: " + Files.readString(log));
      }
      Thread.sleep(10);
    }
    long best = Long.MAX_VALUE;
    long off = 0;
    for (int i = 0; i < 1000; i++) { // the tightest of many readings
      long a = System.nanoTime();
      Instant now = Instant.now();
      long b = System.nanoTime();
      if (b - a < best) {
        best = b - a;
        off = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (a + b) / 2;
      }
    }
    offset = off;
  }

  /** An exchange the client timed: written at {@code t0} (nanoTime), answered {@code rtt} ns later. */
  void exchange(long t0, long rtt) {
    if (clients + 2 <= client.length) {
      client[clients++] = t0 + offset;
      client[clients++] = rtt;
    }
  }

  /** A packet the fault delayed by {@code delay} ns, now; only those that carry TCP data count. Peer thread. */
  synchronized void delayed(java.nio.ByteBuffer packet, long delay) {
    long now = System.nanoTime();
    int at = packet.position();
    int header = (packet.get(at) & 0x0f) * 4;
    int total = packet.getShort(at + 2) & 0xffff;
    if ((packet.get(at + 9) & 0xff) != 6 || total - header - ((packet.get(at + header + 12) >> 4) & 0x0f) * 4 <= 0) {
      return;
    }
    if (peers + 3 > peer.length) {
      peer = Arrays.copyOf(peer, peer.length * 2);
    }
    peer[peers++] = now + offset;
    peer[peers++] = delay;
    peer[peers++] = packet.getInt(at + header + 4) & 0xffffffffL;
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
    Thread.sleep(BLOCK_TIMEOUT_MILLIS + 300); // the last packets handed to tcpdump, into the capture
    tcpdump.destroy();
    tcpdump.waitFor(5, TimeUnit.SECONDS);
    write("client.txt", Arrays.copyOf(client, clients), 2);
    write("peer.txt", Arrays.copyOf(peer, peers), 3);
  }

  private void write(String name, long[] values, int perLine) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve(name)))) {
      for (int i = 0; i < values.length; i += perLine) {
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < perLine; k++) {
          line.append(k == 0 ? "" : " ").append(values[i + k]);
        }
        w.println(line);
      }
    }
  }
}
