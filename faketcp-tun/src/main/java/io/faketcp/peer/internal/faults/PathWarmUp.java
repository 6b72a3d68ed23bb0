package io.faketcp.peer.internal.faults;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import io.faketcp.peer.internal.servers.Echo;
import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.FakeHosts;
import io.faketcp.peer.internal.tcp.Link;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.timing.ArrivalClock;
import io.faketcp.peer.internal.timing.TimerSlice;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Once per JVM, when a timing fault is first put in force: the peer's TCP and fault path run on
 * {@value #EXCHANGES} one-byte exchanges in memory, so that the JIT has compiled them before the
 * first packet a latency delays. In a fresh JVM that path otherwise runs interpreted for its first
 * seconds (a third of the peer thread's samples three seconds into {@code latency=10ms} exchanges),
 * in bursts longer than the short scheduler slice it asks for ({@link TimerSlice}), so that a
 * loaded machine preempts it around the very packets it times. Here a host of its own opens a
 * connection to an ECHO fake host of a private {@link TcpDemux}, sends a byte at a time and
 * acknowledges each echo, each read as the peer loop reads a packet (its {@link ArrivalClock}, whose
 * counters are the calling thread's); the echoes go through a private {@link FaultLayer} with a
 * latency into timers that are never fired. Nothing reaches a device, and no fake host, counter or
 * rule of a peer is touched. Costs up to 0.25 s of one thread once per JVM on 2 busy cores (load
 * 3-9), at peer start or when a timing fault is first set; not run while no timing fault is set.
 */
final class PathWarmUp implements Link {
  /**
   * Exchanges run: enough for the tiered JIT's first compiled versions of the methods on the way (2,000
   * cost twice the time at start for no less CPU over the first real exchanges).
   */
  static final int EXCHANGES = 1000;

  private static final System.Logger LOG = System.getLogger(PathWarmUp.class.getName());
  private static final AtomicBoolean DONE = new AtomicBoolean();
  private static final int HOST = 0xc0a80001; // 192.168.0.1, in memory only
  private static final int FAKE_HOST = 0xc0a80005;
  private static final int HOST_PORT = 40000;
  private static final int ECHO_PORT = 7;
  /** {@code latency=10ms} everywhere. */
  private static final FaultEffect LATENCY = new FaultEffect("latency=10ms", FaultEffect.Kind.LATENCY, (a, p) -> true,
      false, true, 0, 0, 10_000_000L, 0);

  private final TcpSegment.Builder builder = TcpSegment.builder();
  private final TcpSegment.Builder host = TcpSegment.builder();
  private final ByteBuffer out = ByteBuffer.allocateDirect(2048);
  private final ByteBuffer in = ByteBuffer.allocateDirect(2048);
  private final byte[] data = new byte[1];
  private final FaultLayer faults;
  private final TcpDemux tcp;
  private long now = 1_000_000_000L;
  /** The end of what the fake host has sent (its next sequence number). */
  private long sent;
  /** Bytes the fake host echoed, through the fault layer. */
  private int echoed;

  PathWarmUp() {
    Counters counters = new Counters();
    faults = new FaultLayer(counters, null, 1);
    faults.attach(null, packet -> { }, new Timers()); // the timers never fire: nothing is written
    faults.install(List.of(LATENCY), 1);
    tcp = new TcpDemux(this, counters, 1500, new EchoHosts(), () -> now);
  }

  /** Runs the warm-up if no other did in this JVM; a failure is logged, never thrown. */
  static void once() {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    try {
      int echoed = new PathWarmUp().run();
      LOG.log(System.Logger.Level.DEBUG, "fault path warmed up: {0} exchanges in {1} ms", echoed,
          (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException | MalformedPacketException | LinkageError e) {
      LOG.log(System.Logger.Level.DEBUG, "fault path warm-up stopped: {0}", e.toString());
    }
  }

  /** Runs the exchanges; returns the bytes the fake host echoed (one per exchange when all went through). */
  int run() throws MalformedPacketException {
    long seq = 1000;
    deliver(TcpSegment.SYN, seq, 0);
    long ack = sent;
    seq++;
    deliver(TcpSegment.ACK, seq, ack);
    for (int i = 0; i < EXCHANGES; i++) {
      data[0] = (byte) i;
      deliver(TcpSegment.ACK | TcpSegment.PSH, seq, ack, data);
      seq++;
      ack = sent; // the echo's byte
      now += 100_000;
      tcp.fireTimers(now);
    }
    deliver(TcpSegment.RST, seq, 0);
    faults.arrivals.close();
    return echoed;
  }

  private void deliver(int flags, long seq, long ack, byte... payload) throws MalformedPacketException {
    host.reset().source(HOST).destination(FAKE_HOST).sourcePort(HOST_PORT).destinationPort(ECHO_PORT).flags(flags)
        .sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(65535).payload(payload);
    if ((flags & TcpSegment.SYN) != 0) {
      host.mss(1460).sackPermitted(true);
    }
    int length = host.writeTo(in.clear(), 0);
    ArrivalClock arrivals = faults.arrivals; // as the peer loop keeps it: a wait in poll, a packet read
    arrivals.waiting();
    arrivals.woke(true, -1, false);
    arrivals.packetRead();
    faults.fromDevice = true;
    tcp.handle(TcpSegment.wrap(Ipv4Packet.wrap(in.limit(length))));
    tcp.flush();
    faults.fromDevice = false;
    arrivals.empty(System.nanoTime());
  }

  @Override
  public TcpSegment.Builder tcp() {
    builder.reset();
    return builder;
  }

  @Override
  public void sendTcp() {
    int length = builder.writeTo(out.clear(), 0);
    int ip = (out.get(0) & 0x0f) * 4;
    int flags = out.get(ip + 13);
    long end = (out.getInt(ip + 4) & 0xffffffffL) + length - ip - ((out.get(ip + 12) >> 4) & 0x0f) * 4
        + ((flags & (TcpSegment.SYN | TcpSegment.FIN)) != 0 ? 1 : 0);
    echoed += (int) (length - ip - ((out.get(ip + 12) >> 4) & 0x0f) * 4);
    if (sent == 0 || end - sent > 0) {
      sent = end;
    }
    faults.outgoing(out, length);
  }

  /** Every fake host answers ECHO, as {@code Rules.of(Mode.ECHO)} without servers. */
  private static final class EchoHosts implements FakeHosts {
    @Override
    public boolean vanished(int fakeAddress, int fakePort) {
      return false;
    }

    @Override
    public Application accept(int fakeAddress, int fakePort) {
      return new Echo();
    }

    @Override
    public Object version() {
      return this;
    }
  }
}
