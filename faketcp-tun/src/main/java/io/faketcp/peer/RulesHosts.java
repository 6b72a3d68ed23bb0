package io.faketcp.peer;

import io.faketcp.peer.internal.servers.Discard;
import io.faketcp.peer.internal.servers.Echo;
import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.relay.Upstream;
import io.faketcp.peer.internal.servers.ServerPool;
import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.FakeHosts;
import io.faketcp.peer.internal.udp.UdpAnswer;
import io.faketcp.peer.internal.udp.UdpDemux;

/**
 * The fake hosts as the {@link Rules} in force say, to TCP, the relay and UDP: DROP has vanished, REJECT refuses, and what
 * takes a connection — a rule's {@link Server} first (its mode is ACCEPT, for the handshake), else
 * ECHO, DISCARD or ACCEPT (never acknowledging data). The one place that decides it. The rules are
 * replaced from any thread; the answers are read on the peer thread.
 */
final class RulesHosts implements FakeHosts, RelayGate.Relays, UdpDemux.Hosts {
  private volatile Rules rules;
  /** Serves the rules' servers; null: servers are not served (unit tests). */
  private final ServerPool servers;
  /** Holds SYNs to relays until their service answered; null: relays connect on their own. */
  private volatile RelayGate relays;

  RulesHosts(Rules rules, ServerPool servers) {
    this.rules = rules;
    this.servers = servers;
  }

  Rules rules() {
    return rules;
  }

  void rules(Rules rules) {
    this.rules = rules;
  }

  void relays(RelayGate relays) {
    this.relays = relays;
  }

  @Override
  public boolean vanished(int fakeAddress, int fakePort) {
    return rules.modeFor(fakeAddress, fakePort) == Mode.DROP;
  }

  @Override
  public Application accept(int fakeAddress, int fakePort) {
    Rules now = rules;
    Server server = servers == null ? null : now.serverFor(fakeAddress, fakePort);
    if (server != null) {
      return servers.session(ServedConnection.handler(server, relays));
    }
    switch (now.modeFor(fakeAddress, fakePort)) {
      case ECHO: return new Echo();
      case DISCARD: return Discard.DISCARD;
      case ACCEPT: return Discard.ACCEPT;
      default: return null; // REJECT (DROP never asks)
    }
  }

  @Override
  public Upstream relayAt(int fakeAddress, int fakePort) {
    Server server = rules.serverFor(fakeAddress, fakePort);
    return server instanceof Relay ? ((Relay) server).target() : null;
  }

  @Override
  public UdpAnswer answer(int fakeAddress, int fakePort) {
    Rules now = rules;
    Rule rule = now.datagramRule(fakeAddress, fakePort);
    if (rule != null && rule.datagramServer() != null) {
      return UdpAnswer.serve(ServedDatagram.handler(rule.datagramServer()));
    }
    switch (rule != null ? rule.mode() : now.defaultMode()) {
      case ECHO: return UdpAnswer.ECHO;
      case REJECT: return UdpAnswer.REJECT;
      default: return UdpAnswer.SILENT; // ACCEPT, DISCARD, DROP: a datagram needs no answer
    }
  }

  @Override
  public Object version() {
    return rules;
  }
}
