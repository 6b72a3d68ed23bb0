/**
 * Internal, not API: the relay's engine, which carries a fake host's connections to a real service.
 * {@code RelayGate} holds a client's SYN until the service answered the upstream connect (SYN+ACK,
 * RST or ICMP unreachable follow from its answer), {@code RelayPipe} copies the bytes of one relayed
 * connection both ways, {@code RelayThreads} runs the upstream connects and the service-to-host
 * copies. What it needs of the public {@code Relay} is an {@link io.faketcp.peer.internal.relay.Upstream};
 * which fake host relays where it asks {@link io.faketcp.peer.internal.relay.RelayGate.Relays}, and a
 * relayed connection's host leg is a {@link io.faketcp.peer.internal.relay.RelayPipe.HostLeg}: the
 * public package adapts its rules and {@code Server.Connection}s to these, so nothing here names it.
 */
package io.faketcp.peer.internal.relay;
