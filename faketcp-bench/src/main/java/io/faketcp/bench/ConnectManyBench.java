package io.faketcp.bench;

import io.faketcp.peer.Mode;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.FakePeer;
import io.faketcp.tun.TunDevice;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Connect-many: the fake peer plays COUNT clients towards a server already listening on the host
 * address (e.g. {@link AcceptServer}). Prints the engine's own result and peer-busy, the peer
 * thread's CPU time over the run (100% = the peer was the limit).
 *
 * <pre>java io.faketcp.bench.ConnectManyBench PORT COUNT [IN_FLIGHT=512] [TXQUEUELEN]</pre>
 *
 * <p>TXQUEUELEN (an experiment, not what the engine does): sets the tun device's transmit queue with
 * {@code ip link} before the run; the kernel default is 500 packets.
 */
public final class ConnectManyBench {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    try (TunDevice tun = TunDevice.builder().open();
         FakePeer peer = FakePeer.builder(tun).mode(Mode.ACCEPT).start()) {
      if (args.length > 3) {
        new ProcessBuilder("ip", "link", "set", tun.name(), "txqueuelen", args[3]).inheritIO().start().waitFor();
      }
      java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
      long peerThread = peerThread(tun.name());
      long cpu0 = cpu.getThreadCpuTime(peerThread);
      ConnectManyResult r = peer.connectMany(
          ConnectMany.to(new InetSocketAddress(tun.subnet().hostAddress(), port), count).inFlight(inFlight)
              .timeout(Duration.ofSeconds(90)));
      double s = r.elapsed().toNanos() / 1e9;
      double busy = (cpu.getThreadCpuTime(peerThread) - cpu0) / 1e9 / s * 100;
      System.out.printf(Locale.ROOT,
          "connectmany requested %d established %d refused %d timedout %d failed %d synretx %d seconds %.3f rate %.0f/s"
              + " peer-busy %.0f%%%n",
          r.requested(), r.established(), r.refused(), r.timedOut(), r.failed(), r.synRetransmissions(), s,
          r.established() / s, busy);
    }
  }

  /** The peer's thread: its CPU time over the run says whether the peer or the server was the limit. */
  static long peerThread(String device) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("faketcp-peer-" + device)) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no thread faketcp-peer-" + device);
  }
}
