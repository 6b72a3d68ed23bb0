/**
 * Internal, not API: the fault engine, between the wire and the fake hosts. {@code FaultLayer} applies
 * the packet-level faults to every packet both ways (loss, drop-first/nth, mtu, unreachable, duplicate,
 * reorder, latency, bandwidth), its {@code DelayLine} holds what they delay until due,
 * {@code ConnectionFaults} gives the TCP hosts the faults that act per connection, {@code HeldPackets}
 * counts and awaits what is held, {@code PathWarmUp} warms the timing path once per JVM.
 *
 * <p>Nothing here names a type of {@code io.faketcp.peer}: each public {@code Fault} in force comes as a
 * {@link io.faketcp.peer.internal.faults.FaultEffect}, made in one place of the public package, what
 * the faults did goes out as {@link io.faketcp.peer.internal.faults.FaultEvents}, and the peer's wire
 * is a {@link io.faketcp.peer.internal.faults.FaultWire}.
 */
package io.faketcp.peer.internal.faults;
