package io.faketcp.peer;

import io.faketcp.tun.HostSockets;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/** A device and a peer for one test, recording the packets the peer writes. */
final class PeerFixture implements AutoCloseable {
  final TunDevice device;
  final FakePeer peer;
  final List<byte[]> sent = new Recorded<>();
  final List<byte[]> received = new Recorded<>();
  /**
   * Both directions in the order the peer's thread saw them, each with the peer's clock at that
   * moment: what the peer did and when, free of the test thread's own scheduling delays.
   */
  final List<Wired> wire = new Recorded<>();
  /** What the faults did: "ACTION fault tcpdump-line". */
  final List<String> faultEvents = new Recorded<>();
  /** The packets the faults acted on, in order. */
  final List<byte[]> faultPackets = new Recorded<>();
  /** What the faults did, with the delay each reported (ns, 0 for other actions), as "ACTION delay tcpdump-line". */
  final List<String> faultDelays = new Recorded<>();

  PeerFixture(Rules rules) {
    this(rules, null);
  }

  PeerFixture(Rules rules, Responder responder) {
    this(rules, responder, null);
  }

  /** With {@code listener} instead of recording every packet (for long transfers). */
  PeerFixture(Rules rules, Responder responder, PacketListener listener) {
    this(Subnet.DEFAULT, rules, responder, listener);
  }

  /**
   * On {@code subnet}: tests that leave kernel sockets retransmitting after they end (lossy closes)
   * use their own, so the stray packets find no route instead of the next test's peer.
   */
  PeerFixture(Subnet subnet, Rules rules, Responder responder, PacketListener listener) {
    this(TunDevice.builder().subnet(subnet), rules, responder, listener);
  }

  /** Dual stack: {@code subnet} and the IPv6 {@code subnet6}. */
  PeerFixture(Subnet subnet, String subnet6, Rules rules) {
    this(subnet, subnet6, rules, 1500);
  }

  /** Dual stack with the device's MTU {@code mtu}. */
  PeerFixture(Subnet subnet, String subnet6, Rules rules, int mtu) {
    this(TunDevice.builder().subnet(subnet).subnet(Subnet.parse(subnet6)).mtu(mtu), rules, null, null);
  }

  /** On the device {@code builder} opens (its MTU, say). */
  PeerFixture(TunDevice.Builder builder, Rules rules, Responder responder, PacketListener listener) {
    device = builder.open();
    peer = FakePeer.builder(device).rules(rules).responder(responder)
        .listener(listener != null ? listener : this::record)
        .faultListener((action, fault, direction, packet, delay) -> {
          faultEvents.add(action + " " + fault + " " + io.faketcp.packet.Tcpdump.format(packet));
          faultDelays.add(action + " " + delay + " " + io.faketcp.packet.Tcpdump.format(packet));
          byte[] bytes = new byte[packet.remaining()];
          packet.duplicate().get(bytes);
          faultPackets.add(bytes);
        })
        .start();
  }

  private void record(Direction direction, ByteBuffer packet) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    wire.add(new Wired(direction, System.nanoTime(), bytes));
    (direction == Direction.FROM_PEER ? sent : received).add(bytes);
  }

  /**
   * {@link #wire} as tcpdump lines, in the order the peer handled them: "<" before a packet from the
   * peer, ">" before one to it.
   */
  List<String> conversation() {
    List<String> lines = new java.util.ArrayList<>();
    for (Wired w : wire) {
      lines.add((w.direction() == Direction.FROM_PEER ? "< " : "> ") + io.faketcp.packet.Tcpdump.format(w.bytes()));
    }
    return lines;
  }

  /** A packet the peer wrote ({@code FROM_PEER}) or read, and {@link System#nanoTime} on its thread then. */
  record Wired(Direction direction, long nanos, byte[] bytes) {
    /** Whether it went the peer's way ({@code TO_PEER}) or the host's, and is a TCP segment that {@code which} matches. */
    boolean is(Direction way, java.util.function.Predicate<io.faketcp.packet.TcpSegment> which) {
      if (direction != way || CraftedHost.packet(bytes).protocol() != 6) {
        return false;
      }
      return which.test(CraftedHost.parse(bytes));
    }
  }

  /**
   * Milliseconds on the peer's clock from the first packet of {@link #wire} that {@code from} matches
   * to the first one after it that {@code to} matches: what the peer did, free of the test thread's
   * own scheduling on a loaded machine. Waits up to 10 s for them to be recorded.
   */
  long peerMillis(java.util.function.Predicate<Wired> from, java.util.function.Predicate<Wired> to)
      throws InterruptedException {
    return peerMillis(from, to, 1).get(0);
  }

  /**
   * {@link #peerMillis} for {@code pairs} pairs in turn: a packet {@code from} matches (the first
   * one, not a retransmission after it), and the first packet after it that {@code to} matches.
   */
  List<Long> peerMillis(java.util.function.Predicate<Wired> from, java.util.function.Predicate<Wired> to, int pairs)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      List<Long> found = new java.util.ArrayList<>();
      Wired first = null;
      for (Wired w : wire) {
        if (first != null && to.test(w)) {
          found.add((w.nanos() - first.nanos()) / 1_000_000);
          first = null;
        } else if (first == null && from.test(w)) {
          first = w;
        }
        if (found.size() == pairs) {
          return found;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("on the wire: " + found.size() + " of " + pairs + " pairs; " + conversation());
      }
      Thread.sleep(5);
    }
  }

  /**
   * A kernel socket to fake host {@code .n} port 80 and a thread writing to it until the connection
   * dies (with the device, or when the caller closes the socket). Waits until traffic flows.
   */
  Flood flood(int n) throws Exception {
    Socket socket = new Socket(address(n), 80);
    Thread writer = new Thread(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[65536];
        while (true) {
          out.write(chunk);
        }
      } catch (Exception e) {
        // the connection died: the device went away or the socket was closed
      }
    }, "flood-" + address(n));
    writer.setDaemon(true);
    writer.start();
    long before = peer.counters().bytesIn();
    FakePeerTest.await(() -> peer.counters().bytesIn() - before > 1_000_000, "traffic flowing");
    return new Flood(socket, writer);
  }

  /** A flooding connection: its socket and the thread writing to it. */
  static final class Flood {
    final Socket socket;
    final Thread writer;

    Flood(Socket socket, Thread writer) {
      this.socket = socket;
      this.writer = writer;
    }
  }

  /**
   * The packets (or fault events) recorded so far: appending is O(1) (a CopyOnWriteArrayList copied
   * itself on every packet, which at connect-many's tens of thousands of packets kept the peer's
   * thread busy for seconds, and made each download through {@code latency=} slower than the one
   * before: every delayed packet is a fault event); iteration and streams see a snapshot, so tests
   * may read while the peer records.
   */
  private static final class Recorded<T> extends java.util.AbstractList<T> {
    private final java.util.ArrayList<T> packets = new java.util.ArrayList<>();

    @Override
    public synchronized boolean add(T packet) {
      return packets.add(packet);
    }

    @Override
    public synchronized T get(int index) {
      return packets.get(index);
    }

    @Override
    public synchronized int size() {
      return packets.size();
    }

    @Override
    public java.util.Iterator<T> iterator() {
      return snapshot().iterator();
    }

    @Override
    public java.util.Spliterator<T> spliterator() {
      return snapshot().spliterator();
    }

    private synchronized List<T> snapshot() {
      return List.copyOf(packets);
    }
  }

  /** The IPv6 subnet's {@code n}th address ({@code ::1} is the host's). */
  String address6(int n) {
    return device.subnet6().orElseThrow().addressAt(n).getHostAddress();
  }

  String address(int n) {
    return device.subnet().address(n).getHostAddress();
  }

  /**
   * Closes the peer and the device, then ends the host's connections to the device's subnets: a
   * socket the test left closing or sending would otherwise retransmit into the next fixture on the
   * same subnet, and be answered by its peer.
   */
  @Override
  public void close() {
    try {
      peer.close();
      device.close();
    } finally {
      List<Subnet> subnets = new java.util.ArrayList<>();
      if (device.hasIpv4()) {
        subnets.add(device.subnet());
      }
      device.subnet6().ifPresent(subnets::add);
      HostSockets.endAllTo(subnets);
    }
  }
}
