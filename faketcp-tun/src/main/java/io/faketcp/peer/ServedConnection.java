package io.faketcp.peer;

import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.servers.Handler;
import io.faketcp.peer.internal.servers.ServerSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/** A user's {@link Server} as the peer's server pool runs it: each session seen as a {@link Server.Connection}. */
final class ServedConnection implements Server.Connection {
  private final ServerSession session;
  private final RelayGate relays;

  private ServedConnection(ServerSession session, RelayGate relays) {
    this.session = session;
    this.relays = relays;
  }

  /** The handler that serves sessions with {@code server}, without a relay gate. */
  static Handler handler(Server server) {
    return handler(server, null);
  }

  /** The handler that serves sessions with {@code server}; {@code relays} (or null) is the peer's relay gate. */
  static Handler handler(Server server, RelayGate relays) {
    return new Handler() {
      @Override
      public void serve(ServerSession session) throws Exception {
        server.serve(new ServedConnection(session, relays));
      }

      @Override
      public String toString() {
        return server.toString();
      }
    };
  }

  /** The relay gate of the peer serving this connection, or null (see {@link Relay#serve}). */
  RelayGate relays() {
    return relays;
  }

  @Override
  public InputStream input() {
    return session.input();
  }

  @Override
  public OutputStream output() {
    return session.output();
  }

  @Override
  public InetSocketAddress localAddress() {
    return session.localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return session.remoteAddress();
  }

  @Override
  public void shutdownOutput() {
    session.shutdownOutput();
  }

  @Override
  public void close() {
    session.close();
  }

  @Override
  public void reset() {
    session.reset();
  }

  @Override
  public String toString() {
    return session.toString();
  }
}
