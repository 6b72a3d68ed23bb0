package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.peer.TestAccess;
import io.faketcp.peer.internal.Counters;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The TCP layer without a tun: a {@link TcpDemux} whose segments go to a list, on a clock the test
 * moves. The test plays the host (192.168.0.1) with the packet builders.
 */
public final class TcpRig implements Link {
  /** The host (this machine) and the fake host the rig talks to, 192.168.0.1 and .5. */
  public static final int HOST = 0xc0a80001;
  public static final int FAKE_HOST = 0xc0a80005;
  static final int MTU = 1500;

  public final Counters counters = new Counters();
  private FaultSource faults;
  public final TcpDemux tcp;
  /** What the peer sent, oldest first; tests take them with {@link #next()}. */
  public final List<TcpSegment> sent = new ArrayList<>();
  private final TcpSegment.Builder builder = TcpSegment.builder();
  public long now = 1_000_000_000L;

  private final FakeHosts hosts;

  public TcpRig(Mode mode) {
    hosts = TestAccess.hosts(Rules.of(mode));
    tcp = new TcpDemux(this, counters, MTU, hosts, () -> now);
  }

  /** Replaces the rules (the fake hosts' modes), as the peer does. */
  public void rules(Rules rules) {
    TestAccess.rules(hosts, rules);
  }

  /** Puts {@code specs} in force as the peer does (connection faults reach connections opened from now on). */
  public TcpRig faults(String... specs) {
    Rules rules = TestAccess.rules(hosts).withFaults(specs);
    rules(rules);
    if (faults == null) {
      faults = TestAccess.faults(counters, rules);
      tcp.faults(faults);
    } else {
      TestAccess.install(faults, rules);
    }
    return this;
  }

  /** Adds {@code specs} on the open connections too, as {@code FakePeer.fault} does mid-test (its batch flushed). */
  public void faultsNow(String... specs) {
    faults(specs);
    tcp.faultsChanged();
    tcp.flush();
  }

  /** Replaces the faults with those of {@code rules} on the open connections too, as a fault set mid-test does. */
  public void changeFaults(Rules rules) {
    TestAccess.install(faults, rules);
    tcp.faultsChanged();
  }

  /** How often each fault acted. */
  public Map<Fault, Long> faultActions() {
    return TestAccess.actions(faults);
  }

  @Override
  public TcpSegment.Builder tcp() {
    builder.reset();
    return builder;
  }

  @Override
  public void sendTcp() {
    sent.add(parse(builder.build()));
  }

  public static TcpSegment parse(byte[] packet) {
    try {
      return TcpSegment.wrap(Ipv4Packet.wrap(ByteBuffer.wrap(packet)));
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  /** A segment from the host's port {@code hostPort} to the fake host's port 7, with flags, seq, ack, window and data. */
  public TcpSegment from(int hostPort, int flags, long seq, long ack, int window, byte[] data) {
    TcpSegment.Builder b = TcpSegment.builder().source(HOST).destination(FAKE_HOST).sourcePort(hostPort).destinationPort(7)
        .flags(flags).sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(window)
        .payload(data);
    if ((flags & TcpSegment.SYN) != 0) {
      b.mss(1460).sackPermitted(true);
    }
    return parse(b.build());
  }

  /**
   * Like {@link #from}, with a SACK option listing {@code edges} as (left, right) pairs, as the host
   * sends when it holds data above a hole.
   */
  public TcpSegment sacking(int hostPort, int flags, long seq, long ack, int window, byte[] data, long... edges) {
    byte[] option = new byte[2 + 2 + 4 * edges.length];
    option[0] = 1;
    option[1] = 1;
    option[2] = 5;
    option[3] = (byte) (2 + 4 * edges.length);
    for (int i = 0; i < edges.length; i++) {
      for (int k = 0; k < 4; k++) {
        option[4 + 4 * i + k] = (byte) (edges[i] >>> (24 - 8 * k));
      }
    }
    return parse(TcpSegment.builder().source(HOST).destination(FAKE_HOST).sourcePort(hostPort).destinationPort(7)
        .flags(flags).sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(window)
        .options(option).payload(data).build());
  }

  /** A segment from the host's {@code hostPort} to the fake host {@code peer}:{@code fakePort}. */
  public static TcpSegment segment(int hostPort, int peer, int fakePort, int flags, long seq, long ack, int window) {
    return parse(TcpSegment.builder().source(HOST).destination(peer).sourcePort(hostPort).destinationPort(fakePort)
        .flags(flags).sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(window)
        .mss(1460).build());
  }

  /** Hands a segment to the peer as the peer loop does: handle, then flush the batch's ACKs. */
  public void deliver(TcpSegment segment) {
    tcp.handle(segment);
    tcp.flush();
  }

  /** Moves the clock and fires due timers. */
  public void advance(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
    tcp.fireTimers(now);
  }

  public TcpSegment next() {
    if (sent.isEmpty()) {
      throw new AssertionError("the peer sent nothing");
    }
    return sent.remove(0);
  }

  public List<TcpSegment> drain() {
    List<TcpSegment> all = new ArrayList<>(sent);
    sent.clear();
    return all;
  }

  /** The endpoint of the host's {@code hostPort} with the fake host's port 7, or null when there is none. */
  public TcpEndpoint endpoint(int hostPort) {
    return tcp.table().get(HOST, hostPort, FAKE_HOST, 7);
  }

  public static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  public static byte[] payload(TcpSegment s) {
    ByteBuffer p = s.payload();
    byte[] b = new byte[p.remaining()];
    p.get(b);
    return b;
  }

  /** An open connection from host port {@code port}: the handshake done; returns the host's next seq and the peer's. */
  public long[] open(int port, int window) {
    return open(port, window, true);
  }

  /** {@link #open(int, int)} by a host that offers SACK or not. */
  public long[] open(int port, int window, boolean sackPermitted) {
    deliver(parse(TcpSegment.builder().source(HOST).destination(FAKE_HOST).sourcePort(port).destinationPort(7)
        .flags(TcpSegment.SYN).sequenceNumber(1000).window(window).mss(1460).sackPermitted(sackPermitted).build()));
    TcpSegment synAck = next();
    long peerSeq = (synAck.sequenceNumber() + 1) & 0xffffffffL;
    deliver(from(port, TcpSegment.ACK, 1001, peerSeq, window, new byte[0]));
    return new long[] {1001, peerSeq};
  }
}
