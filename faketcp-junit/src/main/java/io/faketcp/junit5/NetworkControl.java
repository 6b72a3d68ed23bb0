package io.faketcp.junit5;

import io.faketcp.dns.Zone;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.PeerCounters;
import io.faketcp.peer.Rules;
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
   */
  void fault(Fault fault);

  /** Removes every fault; packets a fault already delayed still arrive. */
  void clearFaults();

  /** The seed of the random faults (give {@code seed=N} or {@code -Dfaketcp.seed=N} to replay it). */
  long seed();

  /** How often each fault has acted (dropped, delayed, forged...), in the order they were given. */
  Map<Fault, Long> faultActions();

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
