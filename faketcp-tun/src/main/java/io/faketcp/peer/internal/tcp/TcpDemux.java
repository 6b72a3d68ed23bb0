package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.Timers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The TCP side of every fake host, between the wire and the endpoints: the demultiplexer. It looks
 * up the {@link TcpEndpoint} of each segment from the host, accepts SYNs as the {@link FakeHosts} say
 * (LISTEN: a new endpoint in SYN-RECEIVED, for the application they choose), answers segments of
 * no connection with RST, enters connect-many's endpoints, and is the endpoints' context: the clock,
 * the wire, the timers, the ACKs owed by a batch of packets. Peer thread only.
 *
 * <p>Window scaling is answered when the host offers it, but the window grows with use
 * ({@link ReceiveWindow}) instead of opening to megabytes at once: with 8 MB windows from the start
 * the kernel's senders overflowed the tun's transmit queue, and a flow whose retransmissions kept
 * meeting a full queue backed off for minutes.
 */
public final class TcpDemux implements EndpointContext {
  private final Link link;
  private final Counters counters;
  private final Timers timers = new Timers();
  /** Our MSS: the device's MTU less the IPv4 and TCP headers. */
  private final int mss;
  /** One segment's payload on its way out, and a buffer over it. */
  private final byte[] chunk;
  private final ByteBuffer chunkView;
  private final RingPool rings = new RingPool();
  /** Scratch SACK options with 1 to 4 blocks, by block count. */
  private final byte[][] sackOptions = {null, new byte[12], new byte[20], new byte[28], new byte[36]};
  /** Scratch timestamps options, alone and with 1 to 3 SACK blocks, by block count. */
  private final byte[][] timestampOptions = Timestamps.scratch();
  private final LongSupplier clock;
  private final ConnectionTable table = new ConnectionTable();
  private final SplittableRandom random = new SplittableRandom();
  private final List<TcpEndpoint> acksOwed = new ArrayList<>();
  private final List<TcpEndpoint> reports = new ArrayList<>();
  private final List<String> reportReasons = new ArrayList<>();
  private ByteBuffer viewSource;
  private ByteBuffer view;
  private final FakeHosts hosts;
  /**
   * Hands a segment of no connection known here to the peer of another queue of a multi-queue device,
   * which may hold it; false when there is none (left) to ask. Null in unit tests.
   */
  private Predicate<TcpSegment> otherQueues;
  /** The connection faults; null: none (unit tests). Consulted once per new connection, not per packet. */
  private FaultSource faults;
  /**
   * Whether the peer's last read emptied the device's queue before the timers run: when not, an
   * answer may be waiting unread, and connect-many does not call a SYN lost yet.
   */
  private boolean readAll = true;
  /** The segment being handled had its checksum verified: its payload's sum follows from its header. */
  private boolean checksumVerified;

  public TcpDemux(Link link, Counters counters, int mtu, FakeHosts hosts, LongSupplier clock) {
    this.link = link;
    this.counters = counters;
    this.mss = mtu - 40;
    this.chunk = new byte[Math.max(mss, 1)];
    this.chunkView = ByteBuffer.wrap(chunk);
    this.hosts = hosts;
    this.clock = clock;
  }

  public void faults(FaultSource faults) {
    this.faults = faults;
  }

  public void otherQueues(Predicate<TcpSegment> otherQueues) {
    this.otherQueues = otherQueues;
  }

  public Timers timers() {
    return timers;
  }

  public ConnectionTable table() {
    return table;
  }

  public boolean readAll() {
    return readAll;
  }

  public void readAll(boolean readAll) {
    this.readAll = readAll;
  }

  // ---- the demultiplexer -----------------------------------------------------------------------

  /** Answers one valid TCP segment from the host (its checksum not known to be verified). */
  public void handle(TcpSegment segment) {
    handle(segment, false);
  }

  /** Answers one valid TCP segment from the host, whose checksum was verified when {@code verified}. */
  public void handle(TcpSegment segment, boolean verified) {
    checksumVerified = verified;
    try {
      demultiplex(segment);
    } finally {
      checksumVerified = false;
    }
  }

  private void demultiplex(TcpSegment segment) {
    int hostAddress = segment.ip().sourceInt();
    int fakeAddress = segment.ip().destinationInt();
    int hostPort = segment.sourcePort();
    int fakePort = segment.destinationPort();
    TcpEndpoint e = table.get(hostAddress, hostPort, fakeAddress, fakePort);
    if (e == null && otherQueues != null && (!segment.syn() || segment.ack() || segment.rst())
        && otherQueues.test(segment)) {
      return; // not a new connection: another queue's peer may have it
    }
    if (e != null && e.isClient()) {
      e.segment(segment); // connect-many's: the rules' modes are for the fake hosts' listeners
      return;
    }
    if (hosts.vanished(fakeAddress, fakePort)) {
      return; // silence, for new and existing connections alike
    }
    if (e != null && segment.syn() && !segment.ack() && !segment.rst() && e.supersededBy(segment)) {
      e.terminate(null, false); // a new connection on the 4-tuple: the old one is stale or done
      e = null;
    }
    if (e == null) {
      unknown(segment);
      return;
    }
    e.segment(segment);
  }

  /** LISTEN, and every segment of no connection. */
  private void unknown(TcpSegment segment) {
    if (segment.rst()) {
      return; // never answer a reset
    }
    int fakeAddress = segment.ip().destinationInt();
    int fakePort = segment.destinationPort();
    Application app = segment.syn() && !segment.ack() ? hosts.accept(fakeAddress, fakePort) : null;
    if (app == null) {
      sendReset(segment); // as a real host answers a segment of no connection it knows, or a refused SYN
      return;
    }
    TcpEndpoint e = new TcpEndpoint(this, segment.ip().sourceInt(), segment.sourcePort(), fakeAddress, fakePort);
    table.put(e);
    counters.increment(Counters.CONNECTIONS_OPENED);
    e.listen(segment, app, random.nextInt(), faults == null ? null : faults.forConnection(fakeAddress, fakePort));
  }

  /**
   * Opens a connection from fake host {@code fakeAddress}:{@code fakePort} to the host for
   * {@code opener} (connect-many), in {@code recycled} if not null (a closed endpoint nothing refers
   * to any more), and sends its SYN; the opener paces the retransmissions, the first at {@code retryAt}.
   */
  public TcpEndpoint connect(ActiveOpen opener, Application app, TcpEndpoint recycled, int hostAddress, int hostPort,
      int fakeAddress, int fakePort, long retryAt) {
    TcpEndpoint e;
    if (recycled != null) {
      recycled.begin(hostAddress, hostPort, fakeAddress, fakePort);
      e = recycled;
    } else {
      e = new TcpEndpoint(this, hostAddress, hostPort, fakeAddress, fakePort);
    }
    table.put(e);
    counters.increment(Counters.CONNECTIONS_OPENED);
    e.connect(opener, app, random.nextInt(), faults == null ? null : faults.forConnection(fakeAddress, fakePort),
        retryAt);
    return e;
  }

  /** Whether a 4-tuple is in use (connect-many skips it). */
  public boolean inUse(int hostAddress, int hostPort, int fakeAddress, int fakePort) {
    return table.get(hostAddress, hostPort, fakeAddress, fakePort) != null;
  }

  /**
   * The faults changed mid-test: every open connection of a fake host, connect-many's clients
   * included, takes the connection faults now in force (none: a stalled or silent one recovers);
   * time-based ones count from now, and what is due acts before this returns.
   */
  public void faultsChanged() {
    for (TcpEndpoint e : table.all()) {
      if (e.state() == TcpState.CLOSED) {
        continue;
      }
      e.faults(faults == null ? null : faults.forConnection(e.fakeAddress(), e.fakePort()));
      TcpState state = e.state();
      if (state != TcpState.CLOSED && state != TcpState.SYN_SENT && !e.silenced()) {
        ackLater(e); // tells the host the window as it is now
      }
    }
  }

  /** The RST a closed port sends in reply to {@code segment} (also a relay's answer when its service refused). */
  public void sendReset(TcpSegment segment) {
    Headers.resetFor(link.tcp(), segment);
    counters.increment(Counters.RESETS_SENT);
    link.sendTcp();
  }

  // ---- the batch and the timers ----------------------------------------------------------------

  /** Runs the timers due at {@code now}. */
  public void fireTimers(long now) {
    timers.fire(now);
    flush();
  }

  /** When the next timer may be due (nanoTime), Long.MAX_VALUE when none. */
  public long nextTimer() {
    return timers.next();
  }

  /** Sends the ACKs owed by the batch of packets just handled (one per connection) and pending reports. */
  public void flush() {
    for (int i = 0; i < acksOwed.size(); i++) {
      acksOwed.get(i).sendOwedAck();
    }
    acksOwed.clear();
    for (int i = 0; i < reports.size(); i++) {
      reports.get(i).report(reportReasons.get(i));
    }
    reports.clear();
    reportReasons.clear();
  }

  // ---- the endpoints' context ------------------------------------------------------------------

  @Override
  public long now() {
    return clock.getAsLong();
  }

  @Override
  public TcpSegment.Builder segment() {
    return link.tcp();
  }

  @Override
  public void emit() {
    link.sendTcp();
  }

  @Override
  public void emit(int payloadSum) {
    link.sendTcp(payloadSum);
  }

  @Override
  public void emit(ByteBuffer payload, int payloadSum) {
    link.sendTcp(payload, payloadSum);
  }

  @Override
  public boolean checksumVerified() {
    return checksumVerified;
  }

  @Override
  public boolean checksumsCompleted() {
    return link.completesChecksums();
  }

  @Override
  public void arm(Timers.Entry entry, long at) {
    timers.arm(entry, at);
  }

  @Override
  public void cancel(Timers.Entry entry) {
    timers.cancel(entry);
  }

  @Override
  public void ackLater(TcpEndpoint e) {
    if (!e.ackPending) {
      e.ackPending = true;
      acksOwed.add(e);
    }
  }

  @Override
  public void closed(TcpEndpoint e, String reason, boolean later) {
    if (table.get(e.hostAddress(), e.hostPort(), e.fakeAddress(), e.fakePort()) == e) {
      table.remove(e);
    }
    if (later) {
      reports.add(e);
      reportReasons.add(reason);
    } else {
      e.report(reason);
    }
  }

  @Override
  public void count(int counter, long delta) {
    counters.add(counter, delta);
  }

  @Override
  public int mss() {
    return mss;
  }

  @Override
  public boolean vanished(int fakeAddress, int fakePort) {
    return hosts.vanished(fakeAddress, fakePort);
  }

  @Override
  public Object hostsVersion() {
    return hosts.version();
  }

  @Override
  public RingPool rings() {
    return rings;
  }

  @Override
  public byte[] chunk() {
    return chunk;
  }

  @Override
  public ByteBuffer chunkView() {
    return chunkView;
  }

  @Override
  public byte[][] sackOptions() {
    return sackOptions;
  }

  @Override
  public byte[][] timestampOptions() {
    return timestampOptions;
  }

  @Override
  public ByteBuffer view(TcpSegment segment, int offset, int length) {
    ByteBuffer source = segment.ip().buffer();
    if (source != viewSource) {
      viewSource = source;
      view = source.duplicate();
    }
    view.clear().position(offset).limit(offset + length);
    return view;
  }
}
