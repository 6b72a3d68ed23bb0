package io.faketcp.peer;

import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpOptions;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The TCP side of every fake host, between the wire and the connections: finds the
 * {@link Connection} (the endpoint) of each segment from the host, opens connections for SYNs the
 * {@link Rules} accept, answers segments of no connection with RST, drives the client side of
 * connect-many up to its handshake, and runs the connections' timers. Which {@link Application} a
 * new connection gets is decided in {@link #applicationFor}. Peer thread only.
 */
final class TcpHost {
  /** Closed client connections kept for reuse: more than connect-many's largest window turns over at once. */
  static final int SPARES = 1024;
  final Link link;
  final Counters counters;
  final Timers timers = new Timers();
  /** Our MSS: the device's MTU less the IPv4 and TCP headers. */
  final int mss;
  /** One segment's payload on its way out, and a buffer over it. */
  final byte[] chunk;
  final ByteBuffer chunkView;
  /** Scratch SACK options with 1 to 4 blocks, by block count. */
  final byte[][] sackOptions = {null, new byte[12], new byte[20], new byte[28], new byte[36]};
  private final LongSupplier clock;
  private final ConnectionTable table = new ConnectionTable();
  private final SplittableRandom random = new SplittableRandom();
  private final List<Connection> acksOwed = new ArrayList<>();
  /** Closed connect-many client connections kept for {@link #openClient} to reuse, at most {@link #SPARES}. */
  private final Connection[] spares = new Connection[SPARES];
  private int spareCount;
  private final List<Connection> reports = new ArrayList<>();
  private final List<String> reportReasons = new ArrayList<>();
  private ByteBuffer viewSource;
  private ByteBuffer view;
  private volatile Rules rules;
  /** Runs the {@link Server}s that rules give to fake hosts; null: servers are not served (unit tests). */
  ServerPool servers;
  /**
   * Hands a segment of no connection known here to the peer of another queue of a multi-queue device,
   * which may hold it; false when there is none (left) to ask. Null in unit tests.
   */
  java.util.function.Predicate<TcpSegment> otherQueues;
  /** The faults in force; null: no faults (unit tests). Consulted once per new connection, not per packet. */
  FaultLayer faults;
  /**
   * Whether the peer's last read emptied the device's queue before the timers run: when not, an
   * answer may be waiting unread, and connect-many does not call a SYN lost yet.
   */
  boolean readAll = true;

  TcpHost(Link link, Counters counters, int mtu, Rules rules, LongSupplier clock) {
    this.link = link;
    this.counters = counters;
    this.mss = mtu - 40;
    this.chunk = new byte[Math.max(mss, 1)];
    this.chunkView = ByteBuffer.wrap(chunk);
    this.rules = rules;
    this.clock = clock;
  }

  void rules(Rules rules) {
    this.rules = rules;
  }

  Rules rules() {
    return rules;
  }

  ConnectionTable table() {
    return table;
  }

  long now() {
    return clock.getAsLong();
  }

  /** Answers one valid TCP segment from the host. */
  void handle(TcpSegment segment) {
    int hostAddress = segment.ip().sourceInt();
    int peerAddress = segment.ip().destinationInt();
    int hostPort = segment.sourcePort();
    int peerPort = segment.destinationPort();
    Connection c = table.get(hostAddress, hostPort, peerAddress, peerPort);
    if (c == null && otherQueues != null && (!segment.syn() || segment.ack() || segment.rst())
        && otherQueues.test(segment)) {
      return; // not a new connection: another queue's peer may have it
    }
    if (c != null && c.faults != null && c.faults.silent) {
      faults.connectionFaultActed(c.faults.blackhole, FaultListener.Action.DROPPED, Direction.TO_PEER,
          segment.ip().buffer(), segment.ip().offset(), segment.ip().totalLength());
      return;
    }
    if (c != null && c.run != null) {
      if (c.state == Connection.SYN_SENT) {
        synSent(c, segment);
      } else {
        c.segment(segment);
      }
      return;
    }
    Mode now = rules.modeFor(peerAddress, peerPort);
    if (now == Mode.DROP) {
      return; // the host has vanished: silence, for new and existing connections alike
    }
    if (c != null && segment.syn() && !segment.ack() && !segment.rst()) {
      int seq = (int) segment.sequenceNumber();
      boolean newAttempt = c.state == Connection.SYN_RECEIVED ? seq != c.irs
          : c.state == Connection.TIME_WAIT && Connection.before(c.rcvNxt, seq);
      if (newAttempt) {
        c.terminate(null, false); // a new connection on the 4-tuple: the old one is stale or done
        c = null;
      }
    }
    if (c == null) {
      handleUnknown(segment, now);
      return;
    }
    c.segment(segment);
  }

  private void handleUnknown(TcpSegment segment, Mode now) {
    if (segment.rst()) {
      return; // never answer a reset
    }
    if (!segment.syn() || segment.ack()) {
      sendReset(segment); // as a real host answers a segment of no connection it knows
      return;
    }
    if (now == Mode.REJECT) {
      sendReset(segment);
      return;
    }
    Connection c = new Connection(this, segment.ip().sourceInt(), segment.sourcePort(), segment.ip().destinationInt(),
        segment.destinationPort(), null);
    c.app = applicationFor(c, now);
    c.irs = (int) segment.sequenceNumber();
    c.rcvNxt = c.irs + 1;
    int length = segment.payloadLength();
    if (length > 0 && c.app.acknowledgesData()) {
      // TCP Fast Open: data in the SYN, acknowledged by the SYN+ACK and passed on once the connection is open.
      c.synData = new byte[length];
      segment.ip().buffer().get(segment.payloadOffset(), c.synData);
      c.rcvNxt += length;
    }
    c.rcvAdv = c.rcvNxt; // nothing offered yet: the SYN+ACK's window is the first offer
    c.iss = random.nextInt();
    c.sndUna = c.iss;
    c.sndNxt = c.iss + 1;
    c.sndMax = c.sndNxt;
    options(c, segment.options());
    c.sack = segment.options().sackPermitted();
    c.sndWnd = segment.window(); // never scaled in a SYN
    if (faults != null && faults.hasConnectionFaults()) {
      c.faults(ConnectionFaults.of(faults.connectionFaults(c.peerAddress, c.peerPort)));
    }
    table.put(c);
    counters.increment(Counters.CONNECTIONS_OPENED);
    c.synReceived();
  }

  /**
   * What the fake host does with the bytes of a connection accepted in {@code mode}: the one place
   * that decides it. A rule's {@link Server} comes first (its mode is ACCEPT, for the handshake).
   */
  Application applicationFor(Connection c, Mode mode) {
    Server server = servers == null ? null : rules.serverFor(c.peerAddress, c.peerPort);
    if (server != null) {
      return servers.session(server);
    }
    switch (mode) {
      case ECHO: return new Echo();
      case DISCARD: return Discard.DISCARD;
      default: return Discard.ACCEPT;
    }
  }

  private void options(Connection c, TcpOptions options) {
    if (options.mss() > 0) {
      c.hostMss = options.mss();
    }
    // No window scaling, on purpose: 64 KiB in flight per connection keeps many busy connections
    // within the tun's transmit queue. With 8 MB windows the kernel's senders overflowed it, and a
    // flow whose retransmissions kept meeting a full queue backed off for minutes.
  }

  /** Connect-many, before the handshake: the host is the server. */
  private void synSent(Connection c, TcpSegment segment) {
    boolean ackOfSyn = segment.ack() && (int) segment.acknowledgmentNumber() == c.iss + 1;
    if (segment.rst()) {
      if (ackOfSyn) { // RFC 5961 §3: in SYN-SENT only a RST that acknowledges our SYN counts
        c.run.failed(c, ConnectManyRun.REFUSED);
        c.terminate(null, false);
      }
      return;
    }
    if (segment.ack() && !ackOfSyn) {
      // RFC 9293 §3.10.7.3: e.g. a TIME-WAIT socket on the same 4-tuple answering our SYN with its
      // old ACK. The RST clears it, and our next SYN gets through.
      sendReset(segment);
      return;
    }
    if (!segment.syn() || !segment.ack()) {
      return;
    }
    options(c, segment.options());
    c.app = Discard.DISCARD;
    c.synAckReceived(segment);
    c.run.established(c);
  }

  /** Connect-many: sends (or resends) the SYN of a client connection. */
  void sendSyn(Connection c) {
    if (c.synAt == 0) {
      c.synAt = now();
    }
    link.tcp().source(c.peerAddress).destination(c.hostAddress)
        .sourcePort(c.peerPort).destinationPort(c.hostPort)
        .sequenceNumber(c.iss & 0xffffffffL).flags(SYN).window(0xffff).mss(mss);
    link.sendTcp();
  }

  /** Connect-many: a new client connection, entered in the table; the caller sends its SYN. */
  Connection openClient(ConnectManyRun run, int hostAddress, int hostPort, int peerAddress, int peerPort) {
    Connection c;
    if (spareCount > 0) {
      c = spares[--spareCount];
      spares[spareCount] = null;
      c.reuse(hostAddress, hostPort, peerAddress, peerPort, run);
    } else {
      c = new Connection(this, hostAddress, hostPort, peerAddress, peerPort, run);
    }
    c.iss = random.nextInt();
    c.sndUna = c.iss;
    c.sndNxt = c.iss + 1;
    c.sndMax = c.sndNxt;
    if (faults != null && faults.hasConnectionFaults()) {
      c.faults(ConnectionFaults.of(faults.connectionFaults(peerAddress, peerPort))); // from the handshake on
    }
    table.put(c);
    counters.increment(Counters.CONNECTIONS_OPENED);
    c.state(Connection.SYN_SENT);
    return c;
  }

  /**
   * A connection closed, or something that held it let go: a client connection nothing refers to any
   * more is kept for {@link #openClient} to reuse.
   */
  void recycle(Connection c) {
    if (spareCount < SPARES && c.reusable()) {
      c.spare = true;
      spares[spareCount++] = c;
    }
  }

  /** Closed client connections waiting to be reused (test access). */
  int spareConnections() {
    return spareCount;
  }

  /** Whether a 4-tuple is in use (connect-many skips it). */
  boolean inUse(int hostAddress, int hostPort, int peerAddress, int peerPort) {
    return table.get(hostAddress, hostPort, peerAddress, peerPort) != null;
  }

  /** Closes a client connection from our side: FIN after anything queued (orderly) or RST (abort). */
  void closeClient(Connection c, boolean reset) {
    if (c.state == Connection.CLOSED) {
      return;
    }
    if (c.state == Connection.SYN_SENT) {
      c.terminate(null, false);
    } else if (reset) {
      c.reset();
    } else {
      c.shutdownOutput();
    }
  }

  /** Connect-many: gives up on a client connection still in SYN-SENT. */
  void close(Connection c) {
    c.terminate(null, false);
  }

  /**
   * The faults changed mid-test: every open connection of a fake host, connect-many's clients
   * included, takes the connection faults now in force (none: a stalled or silent one recovers);
   * time-based ones count from now.
   */
  void faultsChanged() {
    for (Connection c : table.all()) {
      if (c.state == Connection.CLOSED) {
        continue;
      }
      c.faults(faults.hasConnectionFaults()
          ? ConnectionFaults.of(faults.connectionFaults(c.peerAddress, c.peerPort)) : null);
      if (c.state != Connection.CLOSED && c.state != Connection.SYN_SENT && (c.faults == null || !c.faults.silent)) {
        owe(c); // tells the host the window as it is now
      }
    }
  }

  /** Takes a closed connection out of the table. */
  void remove(Connection c) {
    if (table.get(c.hostAddress, c.hostPort, c.peerAddress, c.peerPort) == c) {
      table.remove(c);
    }
  }

  /** {@code [offset, offset + length)} of the segment's packet, valid until the next packet; allocation-free. */
  ByteBuffer view(TcpSegment segment, int offset, int length) {
    ByteBuffer source = segment.ip().buffer();
    if (source != viewSource) {
      viewSource = source;
      view = source.duplicate();
    }
    view.clear().position(offset).limit(offset + length);
    return view;
  }

  /** An ACK owed to {@code c}, sent at the end of the batch unless a segment carries it first. */
  void owe(Connection c) {
    if (!c.ackPending) {
      c.ackPending = true;
      acksOwed.add(c);
    }
  }

  /** Tells an application its connection closed, after the call it made returns. */
  void reportLater(Connection c, String reason) {
    reports.add(c);
    reportReasons.add(reason);
  }

  /** Runs the timers due at {@code now}. */
  void fireTimers(long now) {
    timers.fire(now);
    flush();
  }

  /** When the next timer may be due (nanoTime), Long.MAX_VALUE when none. */
  long nextTimer() {
    return timers.next();
  }

  /** Sends the ACKs owed by the batch of packets just handled (one per connection) and pending reports. */
  void flush() {
    for (int i = 0; i < acksOwed.size(); i++) {
      Connection c = acksOwed.get(i);
      if (c.ackPending && c.state != Connection.CLOSED) {
        c.sendAck();
      }
      c.ackPending = false;
    }
    acksOwed.clear();
    for (int i = 0; i < reports.size(); i++) {
      reports.get(i).report(reportReasons.get(i));
    }
    reports.clear();
    reportReasons.clear();
  }

  /** The RST a closed port sends in reply to {@code segment} (RFC 9293, "reset generation"). */
  void sendReset(TcpSegment segment) {
    var tcp = link.tcp().source(segment.ip().destinationInt()).destination(segment.ip().sourceInt())
        .sourcePort(segment.destinationPort()).destinationPort(segment.sourcePort()).window(0);
    if (segment.ack()) {
      tcp.sequenceNumber(segment.acknowledgmentNumber()).flags(RST);
    } else {
      long length = segment.payloadLength() + (segment.syn() ? 1 : 0) + (segment.fin() ? 1 : 0);
      tcp.sequenceNumber(0).acknowledgmentNumber((segment.sequenceNumber() + length) & 0xffffffffL)
          .flags(RST | io.faketcp.packet.TcpSegment.ACK);
    }
    counters.increment(Counters.RESETS_SENT);
    link.sendTcp();
  }
}
