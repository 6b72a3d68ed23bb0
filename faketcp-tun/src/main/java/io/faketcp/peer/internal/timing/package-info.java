/**
 * Not API: what the timing faults (latency, bandwidth) need of the Linux scheduler the peer thread
 * runs under: when the host's packets really reached the device
 * ({@link io.faketcp.peer.internal.timing.ArrivalClock}, from what Linux counts for the thread,
 * {@code ThreadCounters}), and short scheduler slices while such a fault is in force
 * ({@link io.faketcp.peer.internal.timing.TimerSlice}). Peer thread only.
 */
package io.faketcp.peer.internal.timing;
