package io.faketcp.peer;

import io.faketcp.peer.internal.connectmany.ConnectManyRun;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A request for the peer to act as {@code count} TCP clients connecting to a server on the host.
 * Source addresses come from the fake subnet (from {@code .2} up), source ports 1024-65535, the
 * next address when the ports of one run out. A bounded number of handshakes is in flight; a SYN
 * with no answer is sent again with exponential backoff, like a kernel client, so connections
 * survive a full accept queue. The first retransmission comes as soon as the SYN is known lost: the
 * run measures the host's round trip (on a tun device, well under a millisecond) and waits a few
 * times that, at least 10 ms, instead of a fixed timeout.
 *
 * <pre>{@code
 * ConnectManyResult result = peer.connectMany(
 *     ConnectMany.to(new InetSocketAddress("192.168.0.1", 8080), 10_000).inFlight(512));
 * }</pre>
 */
public final class ConnectMany {
  private final InetSocketAddress target;
  private final int count;
  private int inFlight = 512;
  private Duration initialRetransmissionTimeout = Duration.ofMillis(200);
  private int maxRetransmissions = 7;
  private Duration timeout = Duration.ofMinutes(2);

  private ConnectMany(InetSocketAddress target, int count) {
    this.target = target;
    this.count = count;
  }

  /**
   * {@code count} connections to {@code target}, which must be the host's address on the device.
   *
   * @throws IllegalArgumentException for a null or unresolved target, or count below 1
   */
  public static ConnectMany to(InetSocketAddress target, int count) {
    if (target == null || target.isUnresolved()) {
      throw new IllegalArgumentException("connect-many target " + target + " is not a resolved address");
    }
    if (count < 1) {
      throw new IllegalArgumentException("connect-many count " + count + " must be at least 1");
    }
    return new ConnectMany(target, count);
  }

  /**
   * Handshakes in flight at most (SYN sent, no SYN+ACK yet). Default 512. The run starts with 64
   * and adapts like TCP congestion avoidance: one more per window of established connections, half
   * as many when SYNs go unanswered (the server's accept queue overflowed; once per overflow, not
   * once per lost SYN).
   */
  public ConnectMany inFlight(int inFlight) {
    if (inFlight < 1) {
      throw new IllegalArgumentException("connect-many inFlight " + inFlight + " must be at least 1");
    }
    this.inFlight = inFlight;
    return this;
  }

  /**
   * The SYN retransmission timeout until the run has measured a round trip (its first SYN+ACK),
   * doubled on each retry. From then on the timeout is the measured one (RFC 6298: smoothed round
   * trip plus four times its variation, at least 10 ms), doubled on each retry. Default 200 ms.
   */
  public ConnectMany initialRetransmissionTimeout(Duration rto) {
    if (rto == null || rto.isNegative() || rto.isZero()) {
      throw new IllegalArgumentException("connect-many retransmission timeout " + rto + " must be positive");
    }
    this.initialRetransmissionTimeout = rto;
    return this;
  }

  /**
   * How long a connection keeps sending its SYN before it counts as timed out, as a number of
   * retransmissions at the {@linkplain #initialRetransmissionTimeout initial timeout}, doubling
   * (each at most 30 s): default 7, that is 200 ms + 400 ms + ... + 25.6 s, about 51 s in all. With
   * a measured timeout shorter than the initial one, more SYNs are sent within that time.
   */
  public ConnectMany maxRetransmissions(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("connect-many maxRetransmissions " + max + " must not be negative");
    }
    this.maxRetransmissions = max;
    return this;
  }

  /** How long the whole run may take; connections still pending then count as timed out. Default 2 min. */
  public ConnectMany timeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("connect-many timeout " + timeout + " must be positive");
    }
    this.timeout = timeout;
    return this;
  }

  /** The server's address and port. */
  public InetSocketAddress target() {
    return target;
  }

  /** Connections requested. */
  public int count() {
    return count;
  }

  int inFlight() {
    return inFlight;
  }

  Duration initialRetransmissionTimeout() {
    return initialRetransmissionTimeout;
  }

  int maxRetransmissions() {
    return maxRetransmissions;
  }

  Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return "connect-many " + target.getAddress().getHostAddress() + ":" + target.getPort() + " x" + count;
  }

  /** What the peer runs for this request. */
  ConnectManyRun.Plan plan() {
    return new ConnectManyRun.Plan(target(), count(), inFlight(), initialRetransmissionTimeout(), maxRetransmissions(),
        timeout());
  }
}
