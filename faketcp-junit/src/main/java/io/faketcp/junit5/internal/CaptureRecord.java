package io.faketcp.junit5.internal;

/**
 * One captured packet: its bytes (an IPv4 packet, link type RAW), the kernel's timestamp and which
 * way it crossed the device. Internal: not part of faketcp's API.
 *
 * @param bytes the packet's bytes; shared, callers copy before handing them out
 * @param epochNanos the kernel's capture time, nanoseconds since the epoch
 * @param toSubnet whether the host sent it to the fake subnet (else the peer sent it to the host)
 */
public record CaptureRecord(byte[] bytes, long epochNanos, boolean toSubnet) {}
