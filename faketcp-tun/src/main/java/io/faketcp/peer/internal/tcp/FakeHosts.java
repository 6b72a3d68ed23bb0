package io.faketcp.peer.internal.tcp;

/**
 * What {@link TcpDemux} asks about the fake hosts, as the peer's rules say: whether one has vanished,
 * and what listens on a port of one. Peer thread only.
 */
public interface FakeHosts {
  /**
   * Whether fake host {@code fakeAddress}:{@code fakePort} has vanished (DROP): nothing it would
   * send goes out, for new and open connections alike.
   */
  boolean vanished(int fakeAddress, int fakePort);

  /**
   * The application that takes a new connection to fake host {@code fakeAddress}:{@code fakePort}
   * (one per connection, or a shared stateless one), or null when the port refuses it (RST).
   * Asked only of a host that has not vanished.
   */
  Application accept(int fakeAddress, int fakePort);

  /** The answers' version: an identity that changes whenever an answer may (the rules were replaced). */
  Object version();
}
