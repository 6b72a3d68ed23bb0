/**
 * Not API: what a fake host does with a connection's bytes, above its endpoint (an
 * {@link io.faketcp.peer.internal.tcp.Application}): ECHO, DISCARD and ACCEPT, and the
 * {@link io.faketcp.peer.internal.servers.ServerSession}s that run users' servers on the threads of a
 * {@link io.faketcp.peer.internal.servers.ServerPool}. A session's two directions are its input side
 * and its output side, each a ring between the peer thread and the server's thread.
 */
package io.faketcp.peer.internal.servers;
