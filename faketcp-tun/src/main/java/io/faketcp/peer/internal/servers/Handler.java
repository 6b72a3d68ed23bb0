package io.faketcp.peer.internal.servers;

/** What serves one {@link ServerSession} on a pool thread: a user's server, seen through the session's streams. */
public interface Handler {
  /** Serves {@code session} until done; a throw resets the connection. */
  void serve(ServerSession session) throws Exception;
}
