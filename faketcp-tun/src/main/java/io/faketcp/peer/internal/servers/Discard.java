package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.Endpoint;
import java.nio.ByteBuffer;

/**
 * DISCARD (and the client side of connect-many): takes every byte and drops it, sends nothing,
 * answers the host's FIN with its own. With {@code acknowledge} false it is ACCEPT: the endpoint
 * never acknowledges the host's data, which piles up in the host's send queue. Stateless: one
 * instance of each serves every connection, so a connection in these modes allocates no application.
 */
public final class Discard implements Application {
  public static final Discard DISCARD = new Discard(true);
  public static final Discard ACCEPT = new Discard(false);

  private final boolean acknowledge;

  private Discard(boolean acknowledge) {
    this.acknowledge = acknowledge;
  }

  @Override
  public void opened(Endpoint endpoint) {
  }

  @Override
  public int receiveWindow() {
    return 0xffff;
  }

  @Override
  public boolean acknowledgesData() {
    return acknowledge;
  }

  @Override
  public void received(ByteBuffer data) {
    data.position(data.limit());
  }

  @Override
  public void inputShutdown(Endpoint endpoint) {
    endpoint.shutdownOutput();
  }

  @Override
  public void writable() {
  }

  @Override
  public void closed(String reason) {
  }

  @Override
  public String toString() {
    return acknowledge ? "DISCARD" : "ACCEPT";
  }
}
