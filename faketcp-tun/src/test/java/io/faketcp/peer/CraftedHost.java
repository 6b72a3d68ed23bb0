package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.IpPacket;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.Subnet;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The host's side of one TCP connection played with crafted segments, for the conformance tests:
 * segments built with the project's packet builders go through a raw socket into the kernel, which
 * routes them into a real tun device to a real {@link FakePeer}; the peer's answers are read from the
 * fixture's record. The segments come from 10.77.0.1, an address the namespace does not own, so the
 * kernel drops the peer's answers instead of resetting them. The fake host is {@code .9:80}.
 *
 * <p>It keeps the two sequence numbers a test needs: {@link #seq} (the host's next) and
 * {@link #peerNext} (the fake host's next, as far as the host acknowledges it), and a read cursor
 * over the fake host's segments.
 *
 * <p>{@link #ipv6} plays the same over IPv6, on a dual-stack device: the segments come from the
 * host's own {@code fd00:77::1} (the translation answers only addresses of the prefix), and an
 * ip6tables rule in the test's namespace drops the fake host's answers before the kernel's TCP sees
 * them, so that it does not reset them. Its device's MTU is 1520, so that segments of the same MSS
 * (1460) fit as they do in IPv4's 1500.
 */
final class CraftedHost implements AutoCloseable {
  static final Inet4Address CLIENT = address("10.77.0.1");
  static final int SERVER_PORT = 80;
  static final int MSS = 1460;

  static final String PREFIX6 = "fd00:77::/64";

  final PeerFixture fixture;
  final int port;
  /** Whether the segments are IPv6. */
  final boolean six;
  private final RawSocket raw;
  /** The ip6tables rule that keeps the answers from the kernel (IPv6 only), or null. */
  private final Iptables answersDropped;
  /** The host's next sequence number. */
  long seq;
  /** The fake host's initial sequence number. */
  long peerIss;
  /** The fake host's next sequence number as the host acknowledges it. */
  long peerNext;
  /** How many of the fake host's segments to this port {@link #next} has consumed. */
  private int cursor;
  /** The peer's clock when it wrote the segment {@link #next} returned last. */
  private long lastSentAt;
  /** Where {@link #heard} looks next in the fixture's {@link PeerFixture#wire}. */
  private int heardCursor;

  CraftedHost(Rules rules, int port) {
    this(rules, port, false);
  }

  private CraftedHost(Rules rules, int port, boolean six) {
    // IPv6 headers are 20 bytes longer: an MTU 20 bytes larger carries the same 1460-byte segments
    this.fixture = six ? new PeerFixture(Subnet.DEFAULT, PREFIX6, rules, 1520) : new PeerFixture(rules);
    this.port = port;
    this.six = six;
    this.raw = new RawSocket(six);
    this.answersDropped = six ? Iptables.dropTcpInput6(fixture.device.name(), port) : null;
  }

  /** The same host over IPv6, from {@code fd00:77::1}. */
  static CraftedHost ipv6(Rules rules, int port) {
    return new CraftedHost(rules, port, true);
  }

  /** A segment from the host's port to the fake host, window 65535, nothing else set. */
  TcpSegment.Builder segment() {
    TcpSegment.Builder b = TcpSegment.builder();
    if (six) {
      Subnet prefix = fixture.device.subnet6().orElseThrow();
      b.source(prefix.networkHigh(), prefix.networkLow() + 1).destination(prefix.networkHigh(), prefix.networkLow() + 9);
    } else {
      b.source(CLIENT).destination(fixture.device.subnet().address(9));
    }
    return b.sourcePort(port).destinationPort(SERVER_PORT).window(65535);
  }

  /** A segment at {@link #seq} acknowledging {@link #peerNext}, with {@code flags} (ACK added). */
  TcpSegment.Builder acking(int flags) {
    return segment().sequenceNumber(seq).acknowledgmentNumber(peerNext).flags(flags | TcpSegment.ACK);
  }

  void send(TcpSegment.Builder segment) {
    raw.send(segment.build());
  }

  /** Sends a whole IPv4 packet (fragments, say) as it is. */
  void sendPacket(byte[] packet) {
    raw.send(packet);
  }

  /** Sends {@code data} at {@link #seq} (ACK|PSH, window {@code window}) and moves {@link #seq} past it. */
  void data(byte[] data, int window) {
    send(acking(TcpSegment.PSH).window(window).payload(data));
    seq = (seq + data.length) & 0xffffffffL;
  }

  /** SYN (with MSS 1460 and SACK), SYN+ACK, ACK with {@code window}; returns the SYN+ACK. */
  TcpSegment open(long isn, int window) throws InterruptedException {
    return open(segment().sequenceNumber(isn).flags(TcpSegment.SYN).mss(MSS).sackPermitted(true), window);
  }

  /** The handshake with {@code syn} as the host's SYN, then its ACK with {@code window}; returns the SYN+ACK. */
  TcpSegment open(TcpSegment.Builder syn, int window) throws InterruptedException {
    TcpSegment sent = parse(syn.build());
    send(syn);
    TcpSegment synAck = next(s -> s.syn() && s.ack(), "SYN+ACK");
    seq = (sent.sequenceNumber() + 1) & 0xffffffffL;
    peerIss = synAck.sequenceNumber();
    peerNext = (peerIss + 1) & 0xffffffffL;
    send(acking(0).window(window));
    FakePeerTest.await(() -> fixture.peer.counters().synReceived() == 0, "the handshake done");
    return synAck;
  }

  /** Every segment the fake host sent to this port so far, oldest first. */
  List<TcpSegment> segments() {
    return sentTimed().stream().map(w -> parse(w.bytes())).collect(Collectors.toList());
  }

  /** Every packet the fake host sent to this port so far, with the peer's clock when it wrote each. */
  private List<PeerFixture.Wired> sentTimed() {
    return fixture.wire.stream().filter(w -> w.direction() == Direction.FROM_PEER && ours(w, true))
        .collect(Collectors.toList());
  }

  /** Whether {@code w} is a TCP segment to ({@code toHost}) or from this host's port. */
  private boolean ours(PeerFixture.Wired w, boolean toHost) {
    IpPacket ip = packet(w.bytes());
    if (ip.protocol() != 6) {
      return false;
    }
    TcpSegment s = tcp(ip);
    return (toHost ? s.destinationPort() : s.sourcePort()) == port;
  }

  /** The segments after the cursor, without moving it. */
  List<TcpSegment> unread() {
    List<TcpSegment> all = segments();
    return all.subList(Math.min(cursor, all.size()), all.size());
  }

  /** Skips every segment received so far: {@link #next} looks only at later ones. */
  void skipAll() {
    cursor = segments().size();
  }

  /**
   * Waits (up to 10 s) for the next segment after the cursor that matches, and moves the cursor past
   * it; {@link #sentAt} is then the peer's clock when it wrote that segment.
   */
  TcpSegment next(Predicate<TcpSegment> which, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      List<PeerFixture.Wired> all = sentTimed();
      for (int i = cursor; i < all.size(); i++) {
        TcpSegment s = parse(all.get(i).bytes());
        if (which.test(s)) {
          cursor = i + 1;
          lastSentAt = all.get(i).nanos();
          return s;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; the fake host sent " + segments());
      }
      Thread.sleep(1);
    }
  }

  /**
   * {@link System#nanoTime} on the peer's thread when it wrote the segment {@link #next} returned
   * last. Intervals between such marks are what the fake host did: the test thread, which may run
   * late on a loaded machine, is not part of them.
   */
  long sentAt() {
    return lastSentAt;
  }

  /**
   * Waits (up to 10 s) until the fake host has read the next segment from this host that matches
   * (after the ones earlier calls found), and moves the cursor past every segment the fake host wrote
   * before it: {@link #next} then sees only its answers to it, not what its timers sent meanwhile
   * (on a loaded machine the test thread's segments may come after a timer fired). Returns the
   * peer's clock when it read the segment.
   */
  long heard(Predicate<TcpSegment> which, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      List<PeerFixture.Wired> wire = List.copyOf(fixture.wire);
      int written = 0;
      for (int i = 0; i < wire.size(); i++) {
        PeerFixture.Wired w = wire.get(i);
        if (w.direction() == Direction.FROM_PEER) {
          written += ours(w, true) ? 1 : 0;
        } else if (i >= heardCursor && ours(w, false) && which.test(parse(w.bytes()))) {
          heardCursor = i + 1;
          cursor = Math.max(cursor, written);
          return w.nanos();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for the fake host to read " + what);
      }
      Thread.sleep(1);
    }
  }

  /** Waits {@code millis} and returns what came after the cursor meanwhile (the cursor stays). */
  List<TcpSegment> during(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return unread();
  }

  /**
   * What came after the cursor (the cursor stays) that the fake host wrote within {@code millis} of
   * {@code fromNanos} on its own clock ({@link #sentAt}, {@link #heard}): unlike {@link #during}, a
   * test thread that wakes late on a loaded machine does not also see what the fake host's timers
   * sent later, as they should.
   */
  List<TcpSegment> sentWithin(long fromNanos, long millis) throws InterruptedException {
    long until = fromNanos + millis * 1_000_000;
    // a few ms more: the peer records a packet just after it writes it
    long wait = until + 20_000_000 - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
    List<PeerFixture.Wired> all = sentTimed();
    return all.subList(Math.min(cursor, all.size()), all.size()).stream().filter(w -> w.nanos() < until)
        .map(w -> parse(w.bytes())).collect(Collectors.toList());
  }

  /** The fake host's segments carrying data, in the order sent. */
  static Predicate<TcpSegment> withData() {
    return s -> s.payloadLength() > 0;
  }

  /** How far {@code s} reaches in sequence space (data, SYN and FIN). */
  static long end(TcpSegment s) {
    return (s.sequenceNumber() + s.payloadLength() + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0)) & 0xffffffffL;
  }

  static byte[] payload(TcpSegment s) {
    ByteBuffer p = s.payload();
    byte[] b = new byte[p.remaining()];
    p.get(b);
    return b;
  }

  /** {@code n} bytes of a pattern that starts at {@code seed}. */
  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i * 7);
    }
    return b;
  }

  static Ipv4Packet ip(byte[] bytes) {
    try {
      return Ipv4Packet.wrap(ByteBuffer.wrap(bytes));
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  /** An IPv4 or IPv6 packet, by its version. */
  static IpPacket packet(byte[] bytes) {
    try {
      return (bytes[0] >>> 4 & 0xf) == 6 ? Ipv6Packet.wrap(ByteBuffer.wrap(bytes)) : Ipv4Packet.wrap(ByteBuffer.wrap(bytes));
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  static TcpSegment tcp(IpPacket ip) {
    try {
      return TcpSegment.wrap(ip);
    } catch (MalformedPacketException e) {
      throw new AssertionError(e);
    }
  }

  static TcpSegment parse(byte[] packet) {
    return tcp(packet(packet));
  }

  /** Asserts the peer is still running without a failure. */
  void assertHealthy() {
    assertThat(fixture.peer.failure()).isEmpty();
  }

  @Override
  public void close() {
    raw.close();
    fixture.close();
    if (answersDropped != null) {
      answersDropped.close();
    }
  }

  private static Inet4Address address(String text) {
    try {
      return (Inet4Address) InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
