package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Application;
import io.faketcp.peer.internal.tcp.Endpoint;
import java.nio.ByteBuffer;

/**
 * ECHO: every byte goes straight into the endpoint's send queue, so the receive window is the free
 * room there; the host's FIN is answered once every echoed byte is out. One per connection.
 */
public final class Echo implements Application {
  private Endpoint endpoint;

  @Override
  public void opened(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public int receiveWindow() {
    return endpoint.sendRoom();
  }

  @Override
  public void received(ByteBuffer data) {
    endpoint.send(data);
  }

  @Override
  public void inputShutdown(Endpoint endpoint) {
    endpoint.shutdownOutput(); // the FIN follows the last echoed byte
  }

  @Override
  public void writable() {
    endpoint.receiveWindowOpened();
  }

  @Override
  public void closed(String reason) {
  }

  @Override
  public String toString() {
    return "ECHO";
  }
}
