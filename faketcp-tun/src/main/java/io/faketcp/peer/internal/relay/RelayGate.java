package io.faketcp.peer.internal.relay;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.PacketOut;
import io.faketcp.peer.internal.tcp.TcpDemux;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Internal, not API. Holds a SYN to a relay until the relay's service answered, so that the client gets the
 * service's answer to its connect: the SYN goes on to the TCP layer (SYN+ACK) once the upstream
 * socket is connected, and is answered with RST when the service refused, with ICMP destination
 * unreachable when it cannot be reached. One per peer; {@link #hold} on the peer thread, the
 * connects on {@link RelayThreads}.
 */
public final class RelayGate {
  private static final System.Logger LOG = System.getLogger(RelayGate.class.getName());
  /** An upstream socket whose connection never got served (the client gave up) is closed after this. */
  private static final long UNCLAIMED_NANOS = 60_000_000_000L;
  private static final int HOST_UNREACHABLE = 1;
  private static final int NET_UNREACHABLE = 0;

  private final TcpDemux tcp;
  private final PacketOut wire;
  private final Relays hosts;
  /** Hands a held SYN back to the peer thread, to be handled past the faults; false when the peer stopped. */
  private final Predicate<byte[]> redeliver;
  private final IcmpMessage.Builder icmp = IcmpMessage.builder();
  /** Peer thread only. */
  private final Map<Tuple, Attempt> attempts = new HashMap<>();
  /** Connected upstream sockets, from the SYN's acceptance until the relay's server takes them. */
  private final Map<Tuple, Attempt> accepted = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param wire where the ICMP answers go
   * @param hosts which fake host relays where, as the rules in force say
   * @param redeliver hands a held SYN back to the peer thread; false when the peer stopped
   */
  public RelayGate(TcpDemux tcp, PacketOut wire, Relays hosts, Predicate<byte[]> redeliver) {
    this.tcp = tcp;
    this.wire = wire;
    this.hosts = hosts;
    this.redeliver = redeliver;
  }

  /**
   * Whether this layer takes care of {@code segment}: a SYN of a new connection to a relay's fake
   * host while its upstream connect runs (dropped, the client's retransmission waits too), or whose
   * connect failed (answered here). False: the TCP layer handles it as usual. Peer thread.
   */
  public boolean hold(TcpSegment segment) {
    if (!segment.syn() || segment.ack() || segment.rst()) {
      return false;
    }
    Ipv4Packet ip = segment.ip();
    Upstream relay = hosts.relayAt(ip.destinationInt(), segment.destinationPort());
    if (relay == null) {
      return false;
    }
    Tuple tuple = new Tuple(ip.sourceInt(), segment.sourcePort(), ip.destinationInt(), segment.destinationPort());
    if (tcp.inUse(tuple.hostAddress, tuple.hostPort, tuple.fakeAddress, tuple.fakePort)) {
      return false; // a SYN of a connection the TCP layer knows: it answers
    }
    expireUnclaimed();
    int seq = (int) segment.sequenceNumber();
    Attempt attempt = attempts.get(tuple);
    if (attempt != null && attempt.seq != seq) {
      attempts.remove(tuple).discard(); // a new connection on the 4-tuple
      attempt = null;
    }
    if (attempt == null) {
      attempt = new Attempt(relay, seq, copy(ip));
      attempts.put(tuple, attempt);
      start(tuple, attempt);
      return true;
    }
    synchronized (attempt) {
      if (attempt.outcome == Outcome.CONNECTING) {
        return true; // the client's retransmission: still connecting
      }
    }
    attempts.remove(tuple);
    switch (attempt.outcome) {
      case CONNECTED:
        attempt.acceptedAt = System.nanoTime();
        accepted.put(tuple, attempt);
        return false;
      case REFUSED:
        tcp.sendReset(segment);
        return true;
      case HOST_UNREACHABLE:
        unreachable(ip, HOST_UNREACHABLE);
        return true;
      case NET_UNREACHABLE:
        unreachable(ip, NET_UNREACHABLE);
        return true;
      default:
        return true; // no answer in time: silence, and the next SYN tries again
    }
  }

  /**
   * The upstream socket of the connection from {@code host} to the fake {@code local}, connected
   * when its SYN was accepted; null when there is none (the relay then connects itself). Any thread.
   */
  public Socket claim(InetSocketAddress local, InetSocketAddress host) {
    Tuple tuple = new Tuple(Ipv4Packet.toInt((java.net.Inet4Address) host.getAddress()), host.getPort(),
        Ipv4Packet.toInt((java.net.Inet4Address) local.getAddress()), local.getPort());
    Attempt attempt = accepted.remove(tuple);
    return attempt == null ? null : attempt.socket;
  }

  /** The peer stopped: upstream sockets not served yet are closed. */
  public void close() {
    closed = true;
    for (Attempt a : accepted.values()) {
      a.discard();
    }
    accepted.clear();
  }

  private void start(Tuple tuple, Attempt attempt) {
    RelayThreads.run("faketcp-relay-connect " + attempt.relay, () -> {
      Socket socket = new Socket();
      Outcome outcome;
      try {
        socket.connect(attempt.relay.address(), attempt.relay.connectTimeoutMillis());
        outcome = Outcome.CONNECTED;
      } catch (ConnectException e) {
        outcome = Outcome.REFUSED;
        // Refused is ECONNREFUSED only; the JDK reports other errors of connect as ConnectException too.
        if (e.getMessage() != null && !e.getMessage().contains("refused")) {
          outcome = classify(e);
        }
      } catch (SocketTimeoutException e) {
        outcome = Outcome.SILENT;
      } catch (IOException | RuntimeException e) {
        outcome = classify(e);
      }
      if (outcome != Outcome.CONNECTED) {
        LOG.log(System.Logger.Level.DEBUG, "{0} for {1}: {2}", attempt.relay, tuple, outcome);
        closeQuietly(socket);
      }
      boolean current;
      synchronized (attempt) {
        current = !attempt.discarded;
        attempt.outcome = outcome;
        attempt.socket = outcome == Outcome.CONNECTED && current ? socket : null;
      }
      if (!current) {
        closeQuietly(socket); // a newer SYN on the 4-tuple replaced this attempt: its SYN is stale
      } else if (closed || !redeliver.test(attempt.syn)) {
        attempt.discard();
      }
    });
  }

  private static Outcome classify(Exception e) {
    if (e instanceof NoRouteToHostException) {
      return Outcome.HOST_UNREACHABLE;
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("Network is unreachable")) {
      return Outcome.NET_UNREACHABLE;
    }
    if (message.contains("refused")) {
      return Outcome.REFUSED;
    }
    LOG.log(System.Logger.Level.WARNING, "relay: connecting upstream failed with {0}: answered as host unreachable", e.toString());
    return Outcome.HOST_UNREACHABLE;
  }

  /** ICMP destination unreachable from the fake host, quoting the SYN's header and 8 bytes. */
  private void unreachable(Ipv4Packet syn, int code) {
    int quote = Math.min(syn.headerLength() + 8, syn.totalLength());
    byte[] quoted = new byte[quote];
    syn.buffer().get(syn.offset(), quoted, 0, quote);
    int length = icmp.reset().source(syn.destinationInt()).destination(syn.sourceInt())
        .type(IcmpMessage.DEST_UNREACHABLE).code(code).identifier(0).sequenceNumber(0).payload(quoted)
        .writeTo(wire.buffer(), 0);
    wire.send(length);
  }

  private void expireUnclaimed() {
    if (accepted.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (Iterator<Attempt> it = accepted.values().iterator(); it.hasNext(); ) {
      Attempt a = it.next();
      if (now - a.acceptedAt > UNCLAIMED_NANOS) {
        it.remove();
        a.discard();
      }
    }
  }

  private static byte[] copy(Ipv4Packet ip) {
    byte[] packet = new byte[ip.totalLength()];
    ip.buffer().get(ip.offset(), packet);
    return packet;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing an upstream socket: {0}", e.toString());
    }
  }

  /** Which fake hosts relay, as the rules in force say. Any thread. */
  @FunctionalInterface
  public interface Relays {
    /** The service that {@code fakeAddress:fakePort} relays to; null when no relay serves it. */
    Upstream relayAt(int fakeAddress, int fakePort);
  }

  private enum Outcome { CONNECTING, CONNECTED, REFUSED, HOST_UNREACHABLE, NET_UNREACHABLE, SILENT }

  /** A connection's four addresses and ports. */
  private record Tuple(int hostAddress, int hostPort, int fakeAddress, int fakePort) {
    @Override
    public String toString() {
      return Ipv4Packet.toInet4Address(hostAddress).getHostAddress() + ":" + hostPort + " -> "
          + Ipv4Packet.toInet4Address(fakeAddress).getHostAddress() + ":" + fakePort;
    }
  }

  /** One upstream connect for one SYN; outcome and socket guarded by the attempt itself. */
  private static final class Attempt {
    final Upstream relay;
    final int seq;
    final byte[] syn;
    Outcome outcome = Outcome.CONNECTING;
    Socket socket;
    long acceptedAt;
    /** Replaced by a newer attempt, or its socket closed: its SYN must not come back. */
    boolean discarded;

    Attempt(Upstream relay, int seq, byte[] syn) {
      this.relay = relay;
      this.seq = seq;
      this.syn = syn;
    }

    synchronized void discard() {
      discarded = true;
      if (socket != null) {
        closeQuietly(socket);
        socket = null;
      }
    }
  }
}
