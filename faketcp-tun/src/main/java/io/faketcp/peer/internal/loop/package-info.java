/**
 * Internal, not API: the peer's loop, what runs a {@code FakePeer}. {@code PeerThread} is the thread
 * (its own, or one a fixture keeps per device), {@code PeerLoop} reads the device and fires the timers,
 * {@code PacketDispatch} takes each packet past the listener, the faults, reassembly and the responder
 * to ICMP, TCP or UDP, {@code Wire} writes the peer's packets, {@code PeerTasks} hands work to the
 * thread from others, {@code PeerLife} starts and ends it all, {@code PeerFailures} keeps what failed.
 *
 * <p>{@code FakePeer} is a facade over these. Nothing here names a type of {@code io.faketcp.peer}: the
 * peer runs on its thread as a {@link io.faketcp.peer.internal.loop.PeerThread.Peer} that
 * {@code FakePeer} keeps privately, and a user's listener and responder come as a
 * {@link io.faketcp.peer.internal.loop.PacketTap} and a
 * {@link io.faketcp.peer.internal.loop.PacketDispatch.Respond}.
 */
package io.faketcp.peer.internal.loop;
