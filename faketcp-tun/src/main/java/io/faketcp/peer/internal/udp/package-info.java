/**
 * Internal, not API: UDP at the fake hosts. {@code UdpDemux} answers the host's datagrams on the peer
 * thread (echo, ICMP port unreachable, silence) and hands those a rule's server takes to
 * {@code DatagramPool}, the peer's datagram thread. What the rules say comes as a
 * {@link io.faketcp.peer.internal.udp.UdpAnswer} from {@link io.faketcp.peer.internal.udp.UdpDemux.Hosts},
 * a user's {@code DatagramServer} as a {@link io.faketcp.peer.internal.udp.DatagramHandler} of
 * {@link io.faketcp.peer.internal.udp.ReceivedDatagram}s: the
 * public package adapts its types to these, so nothing here names it.
 */
package io.faketcp.peer.internal.udp;
