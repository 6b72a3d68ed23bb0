/**
 * Not API: connect-many, the fake hosts opening connections to a server on the host.
 * {@link io.faketcp.peer.internal.connectmany.ConnectManyRuns} holds a peer's runs: each starts from
 * a request's {@link io.faketcp.peer.internal.connectmany.ConnectManyRun.Plan} and ends in an
 * {@link io.faketcp.peer.internal.connectmany.ConnectManyRun.Outcome}, which the public
 * {@code ConnectMany} and {@code ConnectManyResult} make and show. A
 * {@link io.faketcp.peer.internal.connectmany.ConnectManyRun} paces SYNs through a window, keeps each
 * connection's bookkeeping beside its endpoint and reuses closed ones from a
 * {@link io.faketcp.peer.internal.connectmany.ClientPool}.
 */
package io.faketcp.peer.internal.connectmany;
