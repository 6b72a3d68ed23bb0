package io.faketcp.peer.internal.connectmany;

/**
 * Closed connect-many connections kept for reuse, with their endpoints: a run then opens
 * connections without allocating (100,000 connections would otherwise be 24 MB of fresh heap, and
 * every first touch of a heap page is a page fault). One per peer, shared by its runs. Peer thread
 * only.
 */
public final class ClientPool {
  /** More than connect-many's largest window turns over at once. */
  static final int SPARES = 1024;
  private final ClientConnection[] spares = new ClientConnection[SPARES];
  private int count;

  /** A connection to open: a spare one, else a new one (its endpoint is made when it opens). */
  ClientConnection take() {
    if (count == 0) {
      return new ClientConnection(this);
    }
    ClientConnection c = spares[--count];
    spares[count] = null;
    return c;
  }

  /** A connection closed, or something that held it let go: kept if nothing refers to it any more. */
  void recycle(ClientConnection c) {
    if (count < SPARES && c.reusable()) {
      c.spare = true;
      spares[count++] = c;
    }
  }

  /** Closed connections waiting to be reused (test access). */
  public int spares() {
    return count;
  }
}
