package io.faketcp.peer.internal.connectmany;

import io.faketcp.peer.internal.servers.Discard;
import io.faketcp.peer.internal.tcp.TcpEndpoint;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.tcp.TcpState;
import io.faketcp.tun.Subnet;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connect-many run in progress, driven by the peer's thread: sends SYNs while the
 * {@link ConnectManyPacing} window has room, sends unanswered SYNs again on the connections' own
 * timers (the peer's {@link Timers}), sends final ACKs again that an overflowing accept queue may
 * have dropped ({@link ConnectManyAcks}), and completes its future once every connection is
 * established or failed.
 */
public final class ConnectManyRun {
  static final int REFUSED = 1;
  static final int TIMED_OUT = 2;
  /**
   * How long a SYN's timeout may wait while the peer has packets it has not read (the SYN+ACK may be
   * among them): a retransmission then would be spurious and would halve the window for nothing.
   */
  private static final long UNREAD_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Completes once every connection is established or failed. */
  public final CompletableFuture<Outcome> future = new CompletableFuture<>();
  private final Plan plan;
  private final TcpDemux tcp;
  private final Sources sources;
  private final ClientPool pool;
  private final int hostAddress;
  private final int hostPort;
  private final ConnectManyPacing pacing;
  private final ConnectManyAcks acks;
  /** How long a connection keeps sending its SYN: the request's retransmissions at its initial timeout, doubling. */
  private final long patienceNanos;
  private int started;
  private int inFlight;
  private int established;
  private int refused;
  private int timedOut;
  private long retransmissions;
  private long startNanos;
  private long endNanos;
  private long deadlineNanos;

  /** What to run: {@code count} connections to {@code target}, at most {@code inFlight} handshakes at once. */
  public static final class Plan {
    final InetSocketAddress target;
    final int count;
    final int inFlight;
    final Duration initialRetransmissionTimeout;
    final int maxRetransmissions;
    final Duration timeout;

    public Plan(InetSocketAddress target, int count, int inFlight, Duration initialRetransmissionTimeout,
        int maxRetransmissions, Duration timeout) {
      this.target = target;
      this.count = count;
      this.inFlight = inFlight;
      this.initialRetransmissionTimeout = initialRetransmissionTimeout;
      this.maxRetransmissions = maxRetransmissions;
      this.timeout = timeout;
    }
  }

  /** What a run achieved. */
  public static final class Outcome {
    public final int established;
    public final int refused;
    public final int timedOut;
    public final long synRetransmissions;
    public final Duration elapsed;

    Outcome(int established, int refused, int timedOut, long synRetransmissions, Duration elapsed) {
      this.established = established;
      this.refused = refused;
      this.timedOut = timedOut;
      this.synRetransmissions = synRetransmissions;
      this.elapsed = elapsed;
    }
  }

  public ConnectManyRun(Plan plan, TcpDemux tcp, Sources sources, ClientPool pool) {
    this(plan, tcp, sources, pool, Subnet.toInt((Inet4Address) plan.target.getAddress()));
  }

  /** As above, with the target's address as the engine holds it ({@code hostAddress}: an IPv6 host's id). */
  public ConnectManyRun(Plan plan, TcpDemux tcp, Sources sources, ClientPool pool, int hostAddress) {
    this.plan = plan;
    this.tcp = tcp;
    this.sources = sources;
    this.pool = pool;
    this.hostAddress = hostAddress;
    this.hostPort = plan.target.getPort();
    this.acks = new ConnectManyAcks();
    long initial = plan.initialRetransmissionTimeout.toNanos();
    this.pacing = new ConnectManyPacing(plan.inFlight, initial);
    long patience = 0;
    long rto = initial;
    for (int i = 0; i <= plan.maxRetransmissions; i++) {
      patience += rto;
      rto = Math.min(rto * 2, ConnectManyPacing.MAX_RTO);
    }
    this.patienceNanos = patience;
  }

  public void start(long now) {
    startNanos = now;
    deadlineNanos = now + plan.timeout.toNanos();
    pump(now);
  }

  /** Sends new SYNs up to the in-flight window. */
  public void pump(long now) {
    while (inFlight < pacing.window() && started < plan.count) {
      long source = sources.next(tcp, hostAddress, hostPort);
      ClientConnection c = pool.take();
      c.begin(this, now);
      started++;
      inFlight++;
      c.endpoint = tcp.connect(c, Discard.DISCARD, c.endpoint, hostAddress, hostPort, (int) (source >>> 16), (int) source & 0xffff,
          now + pacing.timeout(0));
    }
  }

  /** A SYN of this run went unanswered for its timeout: sends it again, or gives up on the connection. */
  void synTimerExpired(ClientConnection c, long now) {
    if (!tcp.readAll() && now - c.synSentAt < UNREAD_GRACE_NANOS) {
      c.endpoint.waitForSyn(now + 1); // its SYN+ACK may be among the packets not read yet: after the next read
      return;
    }
    if (pacing.lost(c.synSentAt, now)) {
      acks.overflowed(c.synSentAt - pacing.timeout(0));
    }
    long giveUpAt = c.firstSynAt + patienceNanos;
    if (now - giveUpAt >= 0) {
      failed(TIMED_OUT);
      c.endpoint.close(false);
      return;
    }
    c.retransmissions++;
    retransmissions++;
    c.synSentAt = now;
    long next = now + pacing.timeout(c.retransmissions);
    c.endpoint.resendSyn(next - giveUpAt < 0 ? next : giveUpAt);
  }

  /** Ends the run at its overall deadline: connections still without an answer count as timed out. */
  public void fireTimers(long now) {
    if (done() || now - deadlineNanos < 0) {
      return;
    }
    for (TcpEndpoint e : open()) {
      if (e.state() == TcpState.SYN_SENT) {
        failed(TIMED_OUT);
        e.close(false);
      }
    }
    timedOut += plan.count - started;
    started = plan.count;
    finish(now);
  }

  /** The next time {@link #fireTimers} has work, as a nanoTime; Long.MAX_VALUE when none. */
  public long nextDeadline() {
    return done() ? Long.MAX_VALUE : deadlineNanos;
  }

  /** The host's SYN+ACK answered {@code c}'s SYN (the connection is established). */
  void established(ClientConnection c) {
    inFlight--;
    long now = tcp.now();
    pacing.answered(c.retransmissions == 0 ? now - c.firstSynAt : -1);
    acks.completed(c, now);
    established++;
    finishIfComplete();
  }

  void failed(int reason) {
    inFlight--;
    if (reason == REFUSED) {
      refused++;
    } else {
      timedOut++;
    }
    finishIfComplete();
  }

  private void finishIfComplete() {
    if (established + refused + timedOut == plan.count) {
      finish(tcp.now());
    }
  }

  private void finish(long now) {
    if (endNanos == 0) {
      endNanos = now;
      future.complete(new Outcome(established, refused, timedOut, retransmissions, Duration.ofNanos(endNanos - startNanos)));
    }
  }

  public boolean done() {
    return endNanos != 0;
  }

  /** Closes every connection of this run still open (FIN or RST). */
  public void closeAll(boolean reset) {
    for (TcpEndpoint e : open()) {
      if (e.state() == TcpState.SYN_SENT) {
        failed(TIMED_OUT);
      }
      e.close(reset);
    }
  }

  /**
   * This run's connections still open: those in the peer's table (a closed connection leaves it at
   * once, and may be reused for another, so the run keeps no list of its own).
   */
  private List<TcpEndpoint> open() {
    List<TcpEndpoint> open = new ArrayList<>();
    for (TcpEndpoint e : tcp.table().all()) {
      if (e.opener() instanceof ClientConnection && ((ClientConnection) e.opener()).run == this) {
        open.add(e);
      }
    }
    return open;
  }

  /**
   * Source address and port allocation: ports 1024-65535 of {@code .2}, then of {@code .3}, and so
   * on, wrapping; tuples still in the connection table are skipped. The position is shared by every
   * peer in the JVM, so that the next test's peer does not start again at {@code .2:1024} while the
   * host still holds the previous test's connections from there in TIME_WAIT.
   */
  public static final class Sources {
    private static final int FIRST_PORT = 1024;
    private static final int PORTS = 65536 - FIRST_PORT;
    private static final AtomicLong POSITION = new AtomicLong();
    /** The first source address (the subnet's .2) and how many follow it. */
    private final int first;
    private final int addresses;
    private final String subnet;

    public Sources(Subnet subnet) {
      this(subnet.networkInt() + 2, subnet.usableAddresses() - 1, subnet.toString());
    }

    /** The {@code addresses} fake hosts from {@code first} on (engine addresses), of {@code subnet}. */
    public Sources(int first, int addresses, String subnet) {
      this.first = first;
      this.addresses = addresses;
      this.subnet = subnet;
    }

    /** The next free source as (address << 16 | port). */
    long next(TcpDemux tcp, int hostAddress, int hostPort) {
      long capacity = (long) addresses * PORTS;
      for (long tried = 0; tried < capacity; tried++) {
        long index = Math.floorMod(POSITION.getAndIncrement(), capacity);
        int address = first + (int) (index / PORTS);
        int port = FIRST_PORT + (int) (index % PORTS);
        if (!tcp.inUse(hostAddress, hostPort, address, port)) {
          return (long) address << 16 | port;
        }
      }
      throw new IllegalStateException("connect-many: every source address and port of " + subnet
          + " already has a connection to this server");
    }
  }
}
