/**
 * Not API: connect-many, the fake hosts opening connections to a server on the host: a
 * {@link io.faketcp.peer.internal.connectmany.ConnectManyRun} paces SYNs through a window, keeps each
 * connection's bookkeeping beside its endpoint and reuses closed ones from a
 * {@link io.faketcp.peer.internal.connectmany.ClientPool}.
 */
package io.faketcp.peer.internal.connectmany;
