/**
 * Not API: the TCP endpoint of every fake connection and the demultiplexer in front of them.
 *
 * <p>{@link io.faketcp.peer.internal.tcp.TcpDemux} looks up the
 * {@link io.faketcp.peer.internal.tcp.TcpEndpoint} of each segment, accepts SYNs as the
 * {@link io.faketcp.peer.internal.tcp.FakeHosts} say and answers segments of no connection. An endpoint
 * is driven by segments and one timer of a {@link io.faketcp.peer.internal.tcp.TimerKind}, and reaches
 * out only through its {@link io.faketcp.peer.internal.tcp.EndpointContext}: its opening is in
 * {@code Handshake}, its halves are the layers below it, {@code TcpSender} (send queue,
 * retransmission with an {@code RttEstimator}, loss recovery, persist) and {@code TcpReceiver}
 * (acceptability, window, reassembly), and every header it sends is built in {@code Headers}. Sequence numbers are {@code int}s compared through {@code Seq}. Connection
 * faults are a {@link io.faketcp.peer.internal.tcp.FaultPolicy} consulted at a few hooks. Peer thread
 * only.
 */
package io.faketcp.peer.internal.tcp;
