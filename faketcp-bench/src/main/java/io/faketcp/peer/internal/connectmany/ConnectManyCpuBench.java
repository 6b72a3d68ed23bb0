package io.faketcp.peer.internal.connectmany;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.PacketViews;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.servers.Discard;
import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.FakeHosts;
import io.faketcp.peer.internal.tcp.Link;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.tun.Subnet;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Connect-many's own Java work per connection, without a tun device or a kernel: the peer's code as
 * its loop runs it (pump SYNs into the window, parse and handle the server's SYN+ACKs as read from the
 * device, flush, timers, then handle the server's RSTs), with a {@link Link} that builds each segment
 * into a direct buffer as the peer's wire does but writes nothing. The bench plays the kernel's
 * listener: it answers every SYN at once with a SYN+ACK (MSS option, as the kernel's) and resets each
 * connection HOLD connections later (AcceptServer's accept-and-reset). Only the peer's calls are timed,
 * not the building of the answers; the time is the thread's CPU time.
 *
 * <pre>java io.faketcp.peer.internal.connectmany.ConnectManyCpuBench [COUNT=100000] [ROUNDS=5] [HOLD=10000]</pre>
 * Prints, per round, ns of the peer's Java per connection and bytes allocated per connection.
 */
public final class ConnectManyCpuBench implements Link {
  private static final int HOST = Subnet.DEFAULT.hostAddressInt();
  private static final int PORT = 8080;
  /** Every fake host ACCEPTs (connect-many's endpoints do not ask). */
  private static final FakeHosts ACCEPT_ALL = new FakeHosts() {
    @Override
    public boolean vanished(int fakeAddress, int fakePort) {
      return false;
    }

    @Override
    public Application accept(int fakeAddress, int fakePort) {
      return Discard.ACCEPT;
    }

    @Override
    public Object version() {
      return this;
    }
  };

  private final TcpSegment.Builder builder = TcpSegment.builder();
  private final ByteBuffer out = ByteBuffer.allocateDirect(65536);
  private final TcpSegment.Builder answer = TcpSegment.builder();
  // SYNs sent and not answered yet, in order: source address, port, sequence number
  private int[] synAddress = new int[4096];
  private int[] synPort = new int[4096];
  private long[] synSeq = new long[4096];
  private int syns;
  // established connections waiting for their RST: address, port, server's sequence number
  private final int hold;
  private final int[] rstAddress;
  private final int[] rstPort;
  private final long[] rstSeq;
  private long established;
  private long reset;
  private final ByteBuffer[] inbox = new ByteBuffer[4096];

  private ConnectManyCpuBench(int hold) {
    this.hold = hold;
    rstAddress = new int[hold + 1];
    rstPort = new int[hold + 1];
    rstSeq = new long[hold + 1];
    for (int i = 0; i < inbox.length; i++) {
      inbox[i] = ByteBuffer.allocateDirect(128);
    }
  }

  @Override
  public TcpSegment.Builder tcp() {
    builder.reset();
    return builder;
  }

  @Override
  public void sendTcp() {
    int length = builder.writeTo(out, 0);
    int flags = out.get(33) & 0xff;
    if (flags == TcpSegment.SYN) {
      if (syns == synAddress.length) {
        synAddress = java.util.Arrays.copyOf(synAddress, syns * 2);
        synPort = java.util.Arrays.copyOf(synPort, syns * 2);
        synSeq = java.util.Arrays.copyOf(synSeq, syns * 2);
      }
      synAddress[syns] = out.getInt(12);
      synPort[syns] = out.getShort(20) & 0xffff;
      synSeq[syns] = out.getInt(24) & 0xffffffffL;
      syns++;
    }
    if (length < 40) {
      throw new IllegalStateException("short segment");
    }
  }

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int hold = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (int round = 1; round <= rounds; round++) {
      ConnectManyCpuBench bench = new ConnectManyCpuBench(hold);
      long[] result = bench.run(count, mx);
      System.out.printf(Locale.ROOT, "connectmany-java round %d connections %d ns-per-conn %.0f alloc-per-conn %.0f%n",
          round, bench.established, result[0] / (double) bench.established, result[1] / (double) bench.established);
    }
  }

  /** One run of {@code count} connections; returns {CPU ns in the peer's calls, bytes allocated in them}. */
  private long[] run(int count, com.sun.management.ThreadMXBean mx) throws MalformedPacketException {
    Counters counters = new Counters();
    TcpDemux tcp = new TcpDemux(this, counters, 1500, ACCEPT_ALL, System::nanoTime);
    PacketViews views = new PacketViews();

    ConnectManyRun run = new ConnectManyRun(new ConnectManyRun.Plan(new InetSocketAddress("192.168.0.1", PORT), count,
        256, Duration.ofSeconds(1), 5, Duration.ofSeconds(60)), tcp, new ConnectManyRun.Sources(Subnet.DEFAULT),
        new ClientPool());
    long cpu = 0;
    long allocated = 0;
    long t0 = mx.getCurrentThreadCpuTime();
    long a0 = mx.getCurrentThreadAllocatedBytes();
    run.start(System.nanoTime());
    while (!run.done()) {
      long t1 = mx.getCurrentThreadCpuTime();
      long a1 = mx.getCurrentThreadAllocatedBytes();
      cpu += t1 - t0;
      allocated += a1 - a0;
      // the kernel's side, not timed: a SYN+ACK for each SYN, a RST for connections past the hold
      int packets = 0;
      for (int i = 0; i < syns && packets < inbox.length; i++) {
        long serverIss = 1_000_000L * i & 0xffffffffL;
        ByteBuffer b = inbox[packets++];
        b.clear();
        answer.reset().source(HOST).destination(synAddress[i]).sourcePort(PORT).destinationPort(synPort[i])
            .sequenceNumber(serverIss).acknowledgmentNumber((synSeq[i] + 1) & 0xffffffffL)
            .flags(TcpSegment.SYN | TcpSegment.ACK).window(64240).mss(1460);
        b.limit(answer.writeTo(b, 0));
        int slot = (int) (established++ % (hold + 1));
        if (established > hold) {
          ByteBuffer r = inbox[packets++];
          r.clear();
          answer.reset().source(HOST).destination(rstAddress[slot]).sourcePort(PORT).destinationPort(rstPort[slot])
              .sequenceNumber(rstSeq[slot]).acknowledgmentNumber(0).flags(TcpSegment.RST | TcpSegment.ACK).window(0);
          r.limit(answer.writeTo(r, 0));
          reset++;
        }
        rstAddress[slot] = synAddress[i];
        rstPort[slot] = synPort[i];
        rstSeq[slot] = (serverIss + 1) & 0xffffffffL;
      }
      syns = 0;
      t0 = mx.getCurrentThreadCpuTime();
      a0 = mx.getCurrentThreadAllocatedBytes();
      // the peer's loop, timed: read (here: the packets above), handle, flush, timers, pump
      for (int i = 0; i < packets; i++) {
        Ipv4Packet ip = views.ipv4(inbox[i]);
        if (ip.protocol() == 6 && Subnet.DEFAULT.contains(ip.destinationInt())) {
          tcp.handle(views.tcp(ip));
        }
      }
      tcp.flush();
      long now = System.nanoTime();
      tcp.fireTimers(now);
      run.fireTimers(now);
      run.pump(now);
    }
    cpu += mx.getCurrentThreadCpuTime() - t0;
    allocated += mx.getCurrentThreadAllocatedBytes() - a0;
    return new long[] {cpu, allocated};
  }
}
