package io.faketcp.peer.internal.connectmany;

import io.faketcp.peer.internal.tcp.ActiveOpen;
import io.faketcp.peer.internal.tcp.TcpEndpoint;

/**
 * One connect-many connection's bookkeeping, beside its {@link TcpEndpoint}: the run it belongs to,
 * its SYN retransmissions and when its SYN (then its final ACK) last went out. It opens the endpoint,
 * whose application is DISCARD once open (the host's FIN answered with ours).
 * Kept with its endpoint for reuse by {@link ClientPool} once both are done. Peer thread only.
 */
final class ClientConnection implements ActiveOpen {
  private final ClientPool pool;
  TcpEndpoint endpoint;
  ConnectManyRun run;
  /** SYN retransmissions so far. */
  int retransmissions;
  /** When the SYN was first sent (nanoTime). */
  long firstSynAt;
  /** When the SYN was last sent (nanoTime); once established, when the final ACK was ({@link ConnectManyAcks}). */
  long synSentAt;
  /** {@link ConnectManyAcks} holds this connection: it must not be reused before it lets go. */
  boolean acksKept;
  /** In the pool, waiting for reuse. */
  boolean spare;

  ClientConnection(ClientPool pool) {
    this.pool = pool;
  }

  /** Starts over for {@code run}: nothing sent yet. */
  void begin(ConnectManyRun run, long now) {
    this.run = run;
    retransmissions = 0;
    firstSynAt = now;
    synSentAt = now;
    acksKept = false;
    spare = false;
  }

  /** Whether this connection and its endpoint can serve another connection. */
  boolean reusable() {
    return !spare && !acksKept && endpoint != null && endpoint.recyclable();
  }

  /** {@link ConnectManyAcks} lets go of this connection. */
  void release() {
    acksKept = false;
    pool.recycle(this);
  }

  // ---- the opening (ActiveOpen) ----------------------------------------------------------------

  @Override
  public void synTimerExpired(TcpEndpoint e, long now) {
    run.synTimerExpired(this, now);
  }

  @Override
  public void established(TcpEndpoint e) {
    run.established(this);
  }

  @Override
  public void refused(TcpEndpoint e) {
    run.failed(ConnectManyRun.REFUSED);
  }

  @Override
  public void ended(TcpEndpoint e) {
    pool.recycle(this);
  }
}
