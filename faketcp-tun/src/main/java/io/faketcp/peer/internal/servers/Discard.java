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

  /**
   * Any amount: every byte is dropped as it comes, so the window is what the endpoint lets it grow
   * to with use (a Linux host's autotuning, up to megabytes). A fixed 64 KiB held a transfer through
   * {@code bandwidth-in} to 64 KiB per round trip, which the link's queue lengthens (200 MB/s came
   * out at 0.85 of the rate), and at MTU 65,535 offered less than a segment, which the host's sender
   * answered by waiting 200 ms for its persist timer (12 MB/s).
   */
  @Override
  public int receiveWindow() {
    return Integer.MAX_VALUE;
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
