package io.faketcp.peer;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.packet.TcpSegment.PSH;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpOptions;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The TCP side of every fake host: answers the host's segments according to the connection's
 * {@link Mode}, keeps the {@link ConnectionTable}, and drives the client side for
 * connect-many. Peer thread only.
 */
final class TcpHost {
  private static final int ECHO_BUFFER = 256 * 1024;

  private final ConnectionTable table = new ConnectionTable();
  private final Wire wire;
  private final Counters counters;
  private final int mss;
  private final SplittableRandom random = new SplittableRandom();
  private final List<Connection> acksOwed = new ArrayList<>();
  private final byte[] chunk;
  private final FaultLayer faults;
  private volatile Rules rules;

  TcpHost(Wire wire, Counters counters, int mtu, Rules rules, FaultLayer faults) {
    this.wire = wire;
    this.faults = faults;
    this.counters = counters;
    this.mss = mtu - 40;
    this.chunk = new byte[mss];
    this.rules = rules;
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

  /** Answers one valid TCP segment from the host. */
  void handle(TcpSegment segment) {
    int hostAddress = segment.ip().sourceInt();
    int peerAddress = segment.ip().destinationInt();
    int hostPort = segment.sourcePort();
    int peerPort = segment.destinationPort();
    Connection c = table.get(hostAddress, hostPort, peerAddress, peerPort);
    if (c != null && c.run != null) {
      handleClient(c, segment);
      return;
    }
    if (c != null && c.faults != null && c.faults.silent) {
      faults.connectionFaultActed(c.faults.blackhole, FaultListener.Action.DROPPED, Direction.TO_PEER,
          segment.ip().buffer(), segment.ip().offset(), segment.ip().totalLength());
      return;
    }
    Mode now = rules.modeFor(peerAddress, peerPort);
    if (now == Mode.DROP) {
      return; // the host has vanished: silence, for new and existing connections alike
    }
    if (c == null) {
      handleUnknown(segment, now);
      return;
    }
    if (segment.rst()) {
      close(c);
      return;
    }
    if (c.state == Connection.SYN_RECEIVED) {
      if (segment.syn() && !segment.ack()) {
        if ((int) segment.sequenceNumber() == c.irs) {
          sendSynAck(c); // a retransmitted SYN gets the same SYN+ACK again
        } else {
          close(c); // a new attempt on the same 4-tuple: the old half-open one is stale
          handleUnknown(segment, now);
        }
        return;
      }
      if (!segment.ack()) {
        return;
      }
      if ((int) segment.acknowledgmentNumber() != c.sndNxt) {
        sendReset(segment);
        return;
      }
      state(c, Connection.ESTABLISHED);
      if (c.faults != null && established(c)) {
        return;
      }
    }
    if (segment.syn()) {
      owe(c); // a stray SYN on a live connection: answer with an ACK (RFC 5961 challenge ACK)
      return;
    }
    receive(c, segment);
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
    Connection c = new Connection(segment.ip().sourceInt(), segment.sourcePort(), segment.ip().destinationInt(),
        segment.destinationPort(), now, null);
    c.irs = (int) segment.sequenceNumber();
    c.rcvNxt = c.irs + 1 + segment.payloadLength();
    c.iss = random.nextInt();
    c.sndUna = c.iss;
    c.sndNxt = c.iss + 1;
    options(c, segment.options());
    c.hostWindow = segment.window(); // never scaled in a SYN
    if (now == Mode.ECHO) {
      c.echo = new EchoBuffer(ECHO_BUFFER);
    }
    if (faults.hasConnectionFaults()) {
      c.faults = ConnectionFaults.of(faults.connectionFaults(c.peerAddress, c.peerPort));
    }
    table.put(c);
    counters.increment(Counters.CONNECTIONS_OPENED);
    state(c, Connection.SYN_RECEIVED);
    sendSynAck(c);
  }

  private void options(Connection c, TcpOptions options) {
    if (options.mss() > 0) {
      c.hostMss = options.mss();
    }
    // No window scaling, on purpose: 64 KiB in flight per connection keeps many busy connections
    // within the tun's transmit queue. With 8 MB windows the kernel's senders overflowed it, and a
    // flow whose retransmissions kept meeting a full queue backed off for minutes.
  }

  private void sendSynAck(Connection c) {
    var tcp = wire.tcp().source(c.peerAddress).destination(c.hostAddress)
        .sourcePort(c.peerPort).destinationPort(c.hostPort)
        .sequenceNumber(c.iss & 0xffffffffL).acknowledgmentNumber(c.rcvNxt & 0xffffffffL)
        .flags(SYN | ACK).window(c.advertisedWindow()).mss(mss);
    wire.sendTcp();
  }

  /** An established (or closing) connection's segment: acks, data, FIN. */
  private void receive(Connection c, TcpSegment segment) {
    if (segment.ack()) {
      int ack = (int) segment.acknowledgmentNumber();
      if (!Connection.before(c.sndNxt, ack) && Connection.before(c.sndUna, ack)) {
        c.sndUna = ack;
      }
      c.hostWindow = segment.window();
      if (c.finSent && c.sndUna == c.sndNxt && c.finReceived) {
        close(c);
        return;
      }
    }
    int seq = (int) segment.sequenceNumber();
    int length = segment.payloadLength();
    if (c.mode == Mode.ACCEPT) {
      if (segment.fin()) {
        // As the classic acceptall: the FIN is answered, which acknowledges all data before it.
        c.rcvNxt = seq + length + 1;
        finReceived(c);
      }
      return;
    }
    if (length > 0 && c.finReceived) {
      owe(c); // data after the host's FIN is ignored (RFC 9293, CLOSE-WAIT/LAST-ACK): a duplicate ACK
      return;
    }
    if (length > 0) {
      if (seq == c.rcvNxt) {
        int accepted = length;
        if (c.echo != null) {
          accepted = Math.min(length, c.echo.free());
        }
        if (c.faults != null) {
          accepted = (int) Math.min(accepted, c.faults.room(c.received()));
        }
        if (c.echo != null) {
          c.echo.append(segment.ip().buffer(), segment.payloadOffset(), accepted);
        }
        c.rcvNxt += accepted;
        if (c.faults != null && afterBytes(c)) {
          return;
        }
        if (accepted < length) {
          owe(c);
          if (c.echo != null) {
            sendEcho(c);
          }
          return; // the rest (and any FIN) comes again once the window opens
        }
      }
      owe(c); // in order: acknowledge; old or out of order: a duplicate ACK
    } else if (!segment.fin() && Connection.before(seq, c.rcvNxt)) {
      owe(c); // a zero-window probe (seq rcvNxt - 1): the ACK tells the window (RFC 9293 3.10.7.4)
    }
    if (segment.fin()) {
      int finSeq = seq + length;
      if (finSeq == c.rcvNxt && !c.finReceived) {
        if (c.faults != null && c.faults.slowClose != null) {
          slowClose(c);
        } else {
          c.rcvNxt++;
          finReceived(c);
        }
      } else {
        owe(c); // a retransmitted FIN, or one beyond a gap
      }
    }
    if (c.echo != null) {
      sendEcho(c);
    }
  }

  // ---- connection faults -------------------------------------------------------------------------

  /**
   * The faults changed mid-test: every open connection of a fake host takes the connection faults
   * now in force (none: a stalled or silent one recovers); time-based ones count from now.
   */
  void faultsChanged() {
    for (Connection c : table.all()) {
      if (c.run != null || c.state == Connection.CLOSED) {
        continue;
      }
      c.faults = faults.hasConnectionFaults()
          ? ConnectionFaults.of(faults.connectionFaults(c.peerAddress, c.peerPort)) : null;
      if (c.faults != null && c.state != Connection.SYN_RECEIVED) {
        established(c);
      }
      if (c.state != Connection.CLOSED && (c.faults == null || !c.faults.silent)) {
        owe(c); // tells the host the window as it is now
      }
    }
  }

  /** Just established: starts the faults' clocks; true when a fault already ended the conversation. */
  private boolean established(Connection c) {
    ConnectionFaults f = c.faults;
    long now = System.nanoTime();
    for (Fault fault : new Fault[] {f.reset, f.stall, f.blackhole}) {
      if (fault != null && fault.nanos >= 0) {
        faults.schedule(now + fault.nanos, () -> afterTime(c, fault));
      }
    }
    return afterBytes(c);
  }

  /** A byte-count fault reached: reset, stall or go silent; true when the connection is now reset or silent. */
  private boolean afterBytes(Connection c) {
    ConnectionFaults f = c.faults;
    long received = c.received();
    if (ConnectionFaults.reached(f.reset, received)) {
      resetByFault(c, f.reset);
      return true;
    }
    if (ConnectionFaults.reached(f.blackhole, received) && !f.silent) {
      if (c.echo != null) {
        sendEcho(c);
      }
      wire.sendTcp(c, ACK, c.sndNxt); // the last bytes it takes are acknowledged, then nothing more
      c.ackPending = false;
      f.silent = true;
      faults.connectionFaultActed(f.blackhole, null, null, null, 0, 0);
      return true;
    }
    if (ConnectionFaults.reached(f.stall, received) && !f.stalled) {
      f.stalled = true;
      faults.connectionFaultActed(f.stall, null, null, null, 0, 0);
    }
    return false;
  }

  private void afterTime(Connection c, Fault fault) {
    ConnectionFaults f = c.faults;
    if (c.state == Connection.CLOSED || f == null || f.silent
        || (f.reset != fault && f.stall != fault && f.blackhole != fault)) {
      return; // closed, or the fault was cleared meanwhile
    }
    switch (fault.kind) {
      case RESET_AFTER:
        resetByFault(c, fault);
        break;
      case BLACKHOLE_AFTER:
        c.faults.silent = true;
        faults.connectionFaultActed(fault, null, null, null, 0, 0);
        break;
      default:
        c.faults.stalled = true;
        faults.connectionFaultActed(fault, null, null, null, 0, 0);
        owe(c); // tells the host the window is now zero
    }
  }

  /** Acknowledges what was taken, then RST: the host's socket sees ECONNRESET. */
  private void resetByFault(Connection c, Fault fault) {
    if (c.echo != null) {
      sendEcho(c);
    }
    wire.sendTcp(c, ACK, c.sndNxt);
    c.ackPending = false;
    counters.increment(Counters.RESETS_SENT);
    int length = wire.sendTcp(c, RST | ACK, c.sndNxt);
    faults.connectionFaultActed(fault, FaultListener.Action.FORGED, Direction.FROM_PEER, wire.buffer(), 0, length);
    close(c);
  }

  /** The host's FIN waits: the data before it is acknowledged now, the FIN itself after the delay. */
  private void slowClose(Connection c) {
    if (c.faults.finDelayed) {
      return;
    }
    c.faults.finDelayed = true;
    owe(c);
    Fault fault = c.faults.slowClose;
    faults.connectionFaultActed(fault, null, null, null, 0, 0);
    faults.schedule(System.nanoTime() + fault.nanos, () -> {
      if (c.state != Connection.CLOSED && (c.faults == null || !c.faults.silent) && !c.finReceived) {
        c.rcvNxt++;
        finReceived(c);
      }
    });
  }

  private void finReceived(Connection c) {
    c.finReceived = true;
    if (c.state == Connection.ESTABLISHED) {
      state(c, Connection.CLOSING);
    }
    if (c.finSent) {
      // We closed first: acknowledge their FIN; the connection is done once ours is acknowledged too.
      wire.sendTcp(c, ACK, c.sndNxt);
      c.ackPending = false;
      if (c.sndUna == c.sndNxt) {
        close(c);
      }
    } else if (c.echo == null || c.echo.size() == 0) {
      sendFin(c);
    } else {
      owe(c); // the FIN follows once the echoed bytes are out
    }
  }

  private void sendFin(Connection c) {
    c.finSent = true;
    wire.sendTcp(c, FIN | ACK, c.sndNxt);
    c.sndNxt++;
    c.ackPending = false;
  }

  /** ECHO: sends back what the host's window allows. */
  private void sendEcho(Connection c) {
    int segmentSize = Math.min(mss, c.hostMss);
    while (c.echo.size() > 0) {
      long inFlight = (c.sndNxt - c.sndUna) & 0xffffffffL;
      long room = c.hostWindow - inFlight;
      int n = (int) Math.min(Math.min(segmentSize, c.echo.size()), room);
      if (n <= 0) {
        break;
      }
      c.echo.take(chunk, n);
      wire.tcp().source(c.peerAddress).destination(c.hostAddress)
          .sourcePort(c.peerPort).destinationPort(c.hostPort)
          .sequenceNumber(c.sndNxt & 0xffffffffL).acknowledgmentNumber(c.rcvNxt & 0xffffffffL)
          .flags(PSH | ACK).window(c.advertisedWindow()).payload(ByteBuffer.wrap(chunk, 0, n));
      wire.sendTcp();
      c.sndNxt += n;
      c.ackPending = false;
    }
    if (c.echo.size() == 0 && c.finReceived && !c.finSent) {
      sendFin(c);
    }
  }

  /** Connect-many connections: the host is the server. */
  private void handleClient(Connection c, TcpSegment segment) {
    if (segment.rst()) {
      if (c.state == Connection.SYN_SENT) {
        c.run.failed(c, ConnectManyRun.REFUSED);
      }
      close(c);
      return;
    }
    if (segment.syn()) {
      if (!segment.ack()) {
        return;
      }
      if (c.state == Connection.SYN_SENT) {
        if ((int) segment.acknowledgmentNumber() != c.iss + 1) {
          sendReset(segment);
          return;
        }
        c.irs = (int) segment.sequenceNumber();
        c.rcvNxt = c.irs + 1;
        c.sndUna = c.iss + 1;
        options(c, segment.options());
        c.hostWindow = segment.window();
        state(c, Connection.ESTABLISHED);
        wire.sendTcp(c, ACK, c.sndNxt);
        c.run.established(c);
      } else if ((int) segment.sequenceNumber() == c.irs) {
        // The server did not take our ACK (accept queue full) and sent its SYN+ACK again.
        wire.sendTcp(c, ACK, c.sndNxt);
      }
      return;
    }
    if (c.state == Connection.SYN_SENT) {
      return;
    }
    receive(c, segment);
  }

  /** Connect-many: sends (or resends) the SYN of a client connection. */
  void sendSyn(Connection c) {
    wire.tcp().source(c.peerAddress).destination(c.hostAddress)
        .sourcePort(c.peerPort).destinationPort(c.hostPort)
        .sequenceNumber(c.iss & 0xffffffffL).flags(SYN).window(0xffff).mss(mss);
    wire.sendTcp();
  }

  /** Connect-many: a new client connection, entered in the table; the caller sends its SYN. */
  Connection openClient(ConnectManyRun run, int hostAddress, int hostPort, int peerAddress, int peerPort) {
    Connection c = new Connection(hostAddress, hostPort, peerAddress, peerPort, Mode.DISCARD, run);
    c.iss = random.nextInt();
    c.sndUna = c.iss;
    c.sndNxt = c.iss + 1;
    table.put(c);
    counters.increment(Counters.CONNECTIONS_OPENED);
    state(c, Connection.SYN_SENT);
    return c;
  }

  /** Whether a 4-tuple is in use (connect-many skips it). */
  boolean inUse(int hostAddress, int hostPort, int peerAddress, int peerPort) {
    return table.get(hostAddress, hostPort, peerAddress, peerPort) != null;
  }

  /** Closes a client connection from our side: FIN (orderly) or RST (abort). */
  void closeClient(Connection c, boolean reset) {
    if (c.state == Connection.CLOSED) {
      return;
    }
    if (reset || c.state == Connection.SYN_SENT) {
      if (c.state != Connection.SYN_SENT) {
        counters.increment(Counters.RESETS_SENT);
        wire.sendTcp(c, RST | ACK, c.sndNxt);
      }
      close(c);
    } else if (!c.finSent) {
      state(c, Connection.CLOSING);
      sendFin(c);
    }
  }

  /** Removes a connection from the table. */
  void close(Connection c) {
    state(c, Connection.CLOSED);
    table.remove(c);
  }

  /** Sends the ACKs owed by the batch of packets just handled, one per connection. */
  void flushAcks() {
    for (int i = 0; i < acksOwed.size(); i++) {
      Connection c = acksOwed.get(i);
      if (c.ackPending && c.state != Connection.CLOSED) {
        wire.sendTcp(c, ACK, c.sndNxt);
      }
      c.ackPending = false;
    }
    acksOwed.clear();
  }

  private void owe(Connection c) {
    if (!c.ackPending) {
      c.ackPending = true;
      acksOwed.add(c);
    }
  }

  /** The RST a closed port sends in reply to {@code segment} (RFC 793, "reset generation"). */
  private void sendReset(TcpSegment segment) {
    var tcp = wire.tcp().source(segment.ip().destinationInt()).destination(segment.ip().sourceInt())
        .sourcePort(segment.destinationPort()).destinationPort(segment.sourcePort()).window(0);
    if (segment.ack()) {
      tcp.sequenceNumber(segment.acknowledgmentNumber()).flags(RST);
    } else {
      long length = segment.payloadLength() + (segment.syn() ? 1 : 0) + (segment.fin() ? 1 : 0);
      tcp.sequenceNumber(0).acknowledgmentNumber((segment.sequenceNumber() + length) & 0xffffffffL).flags(RST | ACK);
    }
    counters.increment(Counters.RESETS_SENT);
    wire.sendTcp();
  }

  private void state(Connection c, int state) {
    if (c.state == state) {
      return;
    }
    int before = counterFor(c.state);
    if (before >= 0) {
      counters.add(before, -1);
    }
    int after = counterFor(state);
    if (after >= 0) {
      counters.increment(after);
    }
    c.state = state;
  }

  private static int counterFor(int state) {
    switch (state) {
      case Connection.SYN_RECEIVED: return Counters.SYN_RECEIVED;
      case Connection.SYN_SENT: return Counters.SYN_SENT;
      case Connection.ESTABLISHED: return Counters.ESTABLISHED;
      case Connection.CLOSING: return Counters.CLOSING;
      default: return -1;
    }
  }
}
