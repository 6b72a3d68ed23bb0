package io.faketcp.junit5;

import io.faketcp.dns.Zone;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.PeerCounters;
import io.faketcp.peer.Rules;
import io.faketcp.peer.Scope;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Drives the fake peer of the current test: change how the fake hosts behave, let them connect to a
 * server on the host, read the counters. Inject it as a parameter or get it from
 * {@link FakeNetworkExtension#control()}.
 *
 * <pre>{@code
 * @Test
 * void serverAcceptsManyClients(NetworkControl peer) throws IOException {
 *   try (ServerSocket server = new ServerSocket(8080, 4096)) {
 *     ConnectManyResult result = peer.connectMany(8080, 1000);
 *     assertThat(result.established()).isEqualTo(1000);
 *   }
 * }
 * }</pre>
 */
public interface NetworkControl {
  /** Every fake host behaves as {@code mode} from the next packet on (rules are dropped). */
  void mode(Mode mode);

  /** Replaces the rules from the next packet on. */
  void rules(Rules rules);

  /**
   * The names the fake DNS serves, to change mid-test: the next query gets the new answer (clients that
   * cache, as the JDK does for 30 s, see it once their cache lets them).
   *
   * <pre>{@code
   * control.names().host("db.test", "192.168.0.6");   // failover: db.test moves from .5 to .6
   * control.names().remove("db.test");                // NXDOMAIN from now on
   * }</pre>
   *
   * @throws IllegalStateException when no name was declared (no fake DNS runs)
   */
  Zone names();

  /** The rules in force. */
  Rules rules();

  /**
   * Adds a fault from the next packet and connection on (mid-conversation); see
   * {@link Fault}. In force when this returns.
   *
   * <pre>{@code
   * control.fault(Fault.parse("blackhole-after=0@192.168.0.5:*"));   // .5 goes silent now
   * }</pre>
   *
   * <p>A connection fault added now acts on connections already open too. A byte count counts from
   * each connection's start, not from now: {@code reset-after=1000} resets a connection that has
   * carried 1,000 bytes already at once. A time counts from now for those connections:
   * {@code reset-after=2s} resets them 2 s from now. A {@link io.faketcp.peer.Server} may have read
   * fewer bytes than the count when the reset lands (the bytes it had not read yet are lost with the
   * connection; 66,995 of 100,000 were seen).
   */
  void fault(Fault fault);

  /** Removes every fault; packets a fault already delayed still arrive. */
  void clearFaults();

  /**
   * The seed of the random faults: {@code @FakeNetwork(seed = N)}, else {@code -Dfaketcp.seed=N},
   * else a random one (either replays it).
   */
  long seed();

  /**
   * How often each fault has acted (dropped, delayed, forged...), in the order they were given, each
   * keyed by the fault as it is in force: a {@link io.faketcp.peer.Rule}'s fault with the rule's scope
   * ({@code reset-after=40@10.71.0.6:6379}). {@link #faultActions(Fault)} looks one up
   * by the fault a test holds.
   */
  Map<Fault, Long> faultActions();

  /**
   * How often {@code fault} has acted. A fault without a scope ({@code Fault.parse("reset-after=40")})
   * counts every fault in force of its kind and value, whatever its scope: a rule's, or one given
   * {@code @ADDRESSES:PORTS} (a DNS fault without a name: every name); a scoped fault counts the fault
   * with exactly that scope. 0 for a fault never in force.
   *
   * <pre>{@code
   * // Rule.of("10.71.0.6", "6379", Mode.ECHO).withFaults(Fault.parse("reset-after=40"))
   * assertThat(control.faultActions(Fault.parse("reset-after=40"))).isEqualTo(1);
   * }</pre>
   */
  default long faultActions(Fault fault) {
    if (fault == null) {
      throw new IllegalArgumentException("fault is null: give the fault to look up, e.g. Fault.parse(\"loss=5%\")");
    }
    boolean anyScope = fault.equals(fault.at(Scope.everywhere()));
    long total = 0;
    for (Map.Entry<Fault, Long> e : faultActions().entrySet()) {
      if (anyScope ? e.getKey().at(Scope.everywhere()).equals(fault) : e.getKey().equals(fault)) {
        total += e.getValue();
      }
    }
    return total;
  }

  /** What the peer has done so far. */
  PeerCounters counters();

  /**
   * The peer acts as {@code count} clients connecting to {@code port} on the host's address, and
   * waits until each is established or failed.
   */
  ConnectManyResult connectMany(int port, int count);

  /** Runs a fully configured connect-many and waits for its result. */
  ConnectManyResult connectMany(ConnectMany request);

  /** Starts a connect-many; the future completes when every connection is established or failed. */
  CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request);

  /** Closes every connection connect-many opened: with FIN ({@code reset} false) or RST. */
  void closeClientConnections(boolean reset);
}
