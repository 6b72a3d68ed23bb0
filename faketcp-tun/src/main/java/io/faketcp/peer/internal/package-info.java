/**
 * Not API: the fake peer's engine, below the public {@code io.faketcp.peer}. Anything here and in the
 * packages inside may change in any release; the API listing ({@code api/faketcp-tun.api}) leaves
 * them out.
 *
 * <p>The rooms, from the wire up:
 * <ul>
 *   <li>{@code .tcp}: one TCP endpoint per connection ({@code TcpEndpoint}, the whole RFC 9293
 *       machine with its sending and receiving halves, handshake, RTT estimator, fault policy) and
 *       {@code TcpDemux}, the demultiplexer that looks segments up, accepts SYNs and answers the rest;
 *   <li>{@code .servers}: the applications above an endpoint: ECHO, DISCARD/ACCEPT, and the
 *       sessions that run users' servers on their own threads;
 *   <li>{@code .loop}: the peer's loop, what runs a {@code FakePeer}: its thread, the device read and
 *       each packet taken where it goes, the peer's packets written;
 *   <li>{@code .faults}: the fault engine: packet-level faults both ways, delayed packets held until
 *       due, the faults the TCP hosts apply per connection;
 *   <li>{@code .relay}: the relay's engine: SYNs held until the real service answered, bytes copied
 *       both ways;
 *   <li>{@code .udp}: UDP at the fake hosts: datagrams answered, or served on the datagram thread;
 *   <li>{@code .connectmany}: connect-many's runs, their SYN pacing and client bookkeeping;
 *   <li>{@code .ip}: IP below them: IPv6 translated to the engine's IPv4 and back, fragments
 *       reassembled, offloaded checksums completed;
 *   <li>{@code .timing}: what the timing faults need of Linux's scheduler: when a packet really reached
 *       the device, short scheduler slices for the peer thread;
 *   <li>this package: what they all share, the peer's {@code Timers} and {@code Counters}, where
 *       their packets go ({@code PacketOut}), and the door
 *       faketcp-junit's device pool uses ({@code PeerThreadAccess}).
 * </ul>
 * {@code FakePeer} is a facade over them; the adapters that hand the engine what it needs of the public
 * types ({@code RulesHosts}, {@code EngineFaults}, {@code ServedConnection}, {@code ServedDatagram})
 * stay in {@code io.faketcp.peer} beside those types. Nothing here depends on that package, so it uses
 * these without a package cycle: what the engine needs of the rules, faults, servers and listeners
 * comes through types of its own ({@code FakeHosts}, {@code FaultSource}, {@code FaultEffect},
 * {@code UdpAnswer}, {@code PacketTap}, ...).
 */
package io.faketcp.peer.internal;
