package io.faketcp.peer;

import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.connectmany.ConnectManyRun;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.servers.Handler;
import io.faketcp.peer.internal.tcp.FakeHosts;
import io.faketcp.peer.internal.tcp.FaultSource;

/** What tests of the peer's inner packages need of this package's non-public parts. */
public final class TestAccess {
  /** The fault layers of the sources {@link #faults} gave. */
  private static final java.util.Map<FaultSource, FaultLayer> LAYERS =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private TestAccess() {
  }

  /** The connection faults of {@code rules}, counted in {@code counters}. */
  public static FaultSource faults(Counters counters, Rules rules) {
    FaultLayer layer = new FaultLayer(counters, null, 1);
    EngineFaults.install(layer, rules, 1);
    LAYERS.put(layer.connections(), layer);
    return layer.connections();
  }

  /** What connect-many runs for {@code request}. */
  public static ConnectManyRun.Plan plan(ConnectMany request) {
    return request.plan();
  }

  /** Puts the faults of {@code rules} in force in {@code faults} (from {@link #faults}). */
  public static void install(FaultSource faults, Rules rules) {
    EngineFaults.install(LAYERS.get(faults), rules, 1);
  }

  /** How often each fault of {@code faults} (from {@link #faults}) acted. */
  public static java.util.Map<Fault, Long> actions(FaultSource faults) {
    return EngineFaults.actions(LAYERS.get(faults));
  }

  /** The fake hosts as {@code rules} say, without servers. */
  public static FakeHosts hosts(Rules rules) {
    return new RulesHosts(rules, null);
  }

  /** The rules of {@code hosts} (from {@link #hosts}). */
  public static Rules rules(FakeHosts hosts) {
    return ((RulesHosts) hosts).rules();
  }

  /** Replaces the rules of {@code hosts} (from {@link #hosts}). */
  public static void rules(FakeHosts hosts, Rules rules) {
    ((RulesHosts) hosts).rules(rules);
  }

  /** What serves sessions of the server pool with {@code server}. */
  public static Handler handler(Server server) {
    return ServedConnection.handler(server);
  }
}
