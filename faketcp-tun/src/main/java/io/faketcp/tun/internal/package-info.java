/**
 * Not API: the C library bindings (JNA direct mapping) behind {@code io.faketcp.tun.TunDevice}, and
 * {@link io.faketcp.tun.internal.DeviceAccess}, the door through which faketcp's own modules reach device
 * operations that users do not call. Anything here may change in any release; the API listing
 * ({@code api/faketcp-tun.api}) leaves this package out.
 *
 * <p>The bindings are a separate package rather than package-private classes of {@code io.faketcp.tun}
 * because JNA reads {@code Ifreq}'s fields reflectively, which needs a public structure class. Calls stay
 * direct static natives: the peer's per-packet path gains no allocation and no indirection. This package
 * depends on nothing else in faketcp, so {@code io.faketcp.tun} can use it without a package cycle.
 */
package io.faketcp.tun.internal;
