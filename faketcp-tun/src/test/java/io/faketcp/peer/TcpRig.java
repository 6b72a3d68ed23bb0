package io.faketcp.peer;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TCP layer without a tun: a {@link TcpHost} whose segments go to a list, on a clock the test
 * moves. The test plays the host (192.168.0.1) with the packet builders.
 */
final class TcpRig implements Link {
  static final int HOST = 0xc0a80001;
  static final int PEER = 0xc0a80005;
  static final int MTU = 1500;

  final Counters counters = new Counters();
  final TcpHost tcp;
  /** What the peer sent, oldest first; tests take them with {@link #next()}. */
  final List<TcpSegment> sent = new ArrayList<>();
  private final TcpSegment.Builder builder = TcpSegment.builder();
  long now = 1_000_000_000L;

  TcpRig(Mode mode) {
    tcp = new TcpHost(this, counters, MTU, Rules.of(mode), () -> now);
  }

  /** Puts {@code specs} in force as the peer does (connection faults reach connections opened from now on). */
  TcpRig faults(String... specs) {
    FaultLayer layer = new FaultLayer(counters, null, 1);
    layer.install(tcp.rules().withFaults(specs), 1);
    tcp.faults = layer;
    return this;
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

  static TcpSegment parse(byte[] packet) {
    try {
      return TcpSegment.wrap(Ipv4Packet.wrap(ByteBuffer.wrap(packet)));
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  /** A segment from the host's port {@code hostPort} to the fake host's port 7, with flags, seq, ack, window and data. */
  TcpSegment from(int hostPort, int flags, long seq, long ack, int window, byte[] data) {
    TcpSegment.Builder b = TcpSegment.builder().source(HOST).destination(PEER).sourcePort(hostPort).destinationPort(7)
        .flags(flags).sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(window)
        .payload(data);
    if ((flags & TcpSegment.SYN) != 0) {
      b.mss(1460).sackPermitted(true);
    }
    return parse(b.build());
  }

  /** A segment from the host's {@code hostPort} to the fake host {@code peer}:{@code peerPort}. */
  static TcpSegment segment(int hostPort, int peer, int peerPort, int flags, long seq, long ack, int window) {
    return parse(TcpSegment.builder().source(HOST).destination(peer).sourcePort(hostPort).destinationPort(peerPort)
        .flags(flags).sequenceNumber(seq & 0xffffffffL).acknowledgmentNumber(ack & 0xffffffffL).window(window)
        .mss(1460).build());
  }

  /** Hands a segment to the peer as the peer loop does: handle, then flush the batch's ACKs. */
  void deliver(TcpSegment segment) {
    tcp.handle(segment);
    tcp.flush();
  }

  /** Moves the clock and fires due timers. */
  void advance(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
    tcp.fireTimers(now);
  }

  TcpSegment next() {
    if (sent.isEmpty()) {
      throw new AssertionError("the peer sent nothing");
    }
    return sent.remove(0);
  }

  List<TcpSegment> drain() {
    List<TcpSegment> all = new ArrayList<>(sent);
    sent.clear();
    return all;
  }

  Connection connection(int hostPort) {
    return tcp.table().get(HOST, hostPort, PEER, 7);
  }

  static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  static byte[] payload(TcpSegment s) {
    ByteBuffer p = s.payload();
    byte[] b = new byte[p.remaining()];
    p.get(b);
    return b;
  }

  /** An open connection from host port {@code port}: the handshake done; returns the host's next seq and the peer's. */
  long[] open(int port, int window) {
    deliver(from(port, TcpSegment.SYN, 1000, 0, window, new byte[0]));
    TcpSegment synAck = next();
    long peerSeq = (synAck.sequenceNumber() + 1) & 0xffffffffL;
    deliver(from(port, TcpSegment.ACK, 1001, peerSeq, window, new byte[0]));
    return new long[] {1001, peerSeq};
  }
}
