/**
 * Not API: the C library bindings (JNA direct mapping) behind {@code io.faketcp.tun.TunDevice}, and
 * {@link io.faketcp.tun.internal.DeviceAccess}, the door through which faketcp's own modules reach device
 * operations that users do not call. Anything here may change in any release; the API listing
 * ({@code api/faketcp-tun.api}) leaves this package out.
 *
 * <p>Why a separate internal package rather than package-private classes in {@code io.faketcp.tun}: it
 * is a plain package rename of the former {@code io.faketcp.tun.jna}, so the bindings, their JNA direct
 * mapping and their callers' code stay as they were (calls remain static natives: the peer's per-packet
 * path gains no allocation and no indirection), and {@code DeviceAccess} needs a package that
 * faketcp-junit can reach anyway. This package depends on nothing else in faketcp, so
 * {@code io.faketcp.tun} uses it without a package cycle.
 */
package io.faketcp.tun.internal;
