/**
 * Not API: the host's packets as IP, before TCP, UDP and ICMP see them, and the fake hosts' on their
 * way out: the IPv6 subnet carried through the IPv4 engine by stateless translation
 * ({@link io.faketcp.peer.internal.ip.FamilyTranslator}, and {@code FamilyScope} for the IPv6 side of
 * scopes), fragments put together ({@link io.faketcp.peer.internal.ip.FragmentReassembly}), and
 * checksums a device with checksum offload leaves partial completed where someone else sees the
 * packet ({@link io.faketcp.peer.internal.ip.PendingChecksums}).
 */
package io.faketcp.peer.internal.ip;
