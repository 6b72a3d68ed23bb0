package io.faketcp.bench;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.PeerCounters;
import io.faketcp.tun.TunDevice;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Bytes the peer's thread allocates per packet in steady state, read from the JVM's exact
 * per-thread allocation counter ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}),
 * while a load program runs against a peer in MODE. A warm-up run of the same program comes first
 * (JIT, connection table growth), then the measured run.
 *
 * <pre>java io.faketcp.bench.AllocationBench MODE LOAD_PROGRAM [ARGS...]</pre>
 *
 * <p>Prints {@code alloc mode M packets N bytes B per-packet X}, packets counting both directions.
 */
public final class AllocationBench {
  public static void main(String[] args) throws Exception {
    Mode mode = Mode.valueOf(args[0].toUpperCase(Locale.ROOT));
    String[] load = java.util.Arrays.copyOfRange(args, 1, args.length);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (TunDevice tun = TunDevice.builder().open();
         FakePeer peer = FakePeer.builder(tun).mode(mode).start()) {
      long id = ConnectManyBench.peerThread(tun.name());
      run(load); // warm-up
      Thread.sleep(200);
      PeerCounters before = peer.counters();
      long bytesBefore = threads.getThreadAllocatedBytes(id);
      run(load);
      Thread.sleep(200);
      long bytes = threads.getThreadAllocatedBytes(id) - bytesBefore;
      PeerCounters after = peer.counters();
      long packets = after.packetsIn() - before.packetsIn() + after.packetsOut() - before.packetsOut();
      System.out.printf(Locale.ROOT, "alloc mode %s packets %d bytes %d per-packet %.3f native %s%n",
          mode.name().toLowerCase(Locale.ROOT), packets, bytes, (double) bytes / Math.max(1, packets),
          TunDevice.nativeCalls());
    }
  }

  private static void run(String[] command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
    System.err.println(output);
  }
}
