package io.faketcp.peer;

import io.faketcp.peer.internal.servers.Handler;
import io.faketcp.peer.internal.servers.ServerSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/** A user's {@link Server} as the peer's server pool runs it: each session seen as a {@link Server.Connection}. */
final class ServedConnection implements Server.Connection {
  private final ServerSession session;

  private ServedConnection(ServerSession session) {
    this.session = session;
  }

  /** The handler that serves sessions with {@code server}. */
  static Handler handler(Server server) {
    return new Handler() {
      @Override
      public void serve(ServerSession session) throws Exception {
        server.serve(new ServedConnection(session));
      }

      @Override
      public String toString() {
        return server.toString();
      }
    };
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
