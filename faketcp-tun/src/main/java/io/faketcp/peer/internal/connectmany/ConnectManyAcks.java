package io.faketcp.peer.internal.connectmany;

import io.faketcp.peer.internal.tcp.TcpState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The final ACKs of a connect-many run's recent handshakes, sent again when the server's accept
 * queue may have dropped them.
 *
 * <p>A listener checks its accept queue twice per handshake: at the SYN and at the final ACK. A SYN
 * that finds room gets its SYN+ACK, but when the queue fills before our ACK arrives (other
 * handshakes' ACKs came first) the kernel drops that ACK without a word (ListenOverflows) and keeps
 * the request, sending its SYN+ACK again only after a second. We count the connection established;
 * the server gets it a second late — on a run of 100,000 that second is half the run. A lost SYN is
 * the sign that the queue overflowed: the ACKs sent shortly before it and since are suspect. They go
 * out again at once, and once more when a retransmitted SYN is answered (the queue has room again).
 * A duplicate ACK costs nothing: a connection already in the queue, or accepted, ignores it; one the
 * server has closed is gone from the run already.
 *
 * <p>A connection held here is not reused by the {@link ClientPool} until it is let go ({@link
 * ClientConnection#acksKept}); a closed one is handed back for reuse then.
 */
final class ConnectManyAcks {
  /** How long a handshake stays recent; at most this many are kept. */
  private static final long RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int MAX_KEPT = 4096;

  /** ClientConnections whose final ACK went out lately, oldest first, with when it did (their {@code synSentAt}). */
  private final ArrayDeque<ClientConnection> recent = new ArrayDeque<>();
  private final List<ClientConnection> suspects = new ArrayList<>();
  private long resent;

  /** {@code c}'s handshake completed at {@code now} (its final ACK sent). */
  void completed(ClientConnection c, long now) {
    if (c.retransmissions > 0 && !suspects.isEmpty()) {
      for (ClientConnection s : suspects) {
        resend(s);
        release(s);
      }
      suspects.clear();
    }
    c.synSentAt = now;
    c.acksKept = true;
    recent.add(c);
    while (recent.size() > MAX_KEPT || now - recent.peekFirst().synSentAt > RECENT_NANOS) {
      release(recent.pollFirst());
    }
  }

  /** The accept queue overflowed around {@code since}: every ACK sent since then is sent again. */
  void overflowed(long since) {
    for (ClientConnection c : recent) {
      if (c.synSentAt - since >= 0 && c.endpoint.state() == TcpState.ESTABLISHED && suspects.size() < MAX_KEPT) {
        resend(c);
        suspects.add(c);
      } else {
        release(c);
      }
    }
    recent.clear();
  }

  private void release(ClientConnection c) {
    c.release();
  }

  private void resend(ClientConnection c) {
    if (c.endpoint.state() == TcpState.ESTABLISHED) {
      c.endpoint.sendAck();
      resent++;
    }
  }

  /** Final ACKs sent again so far. */
  long resent() {
    return resent;
  }
}
