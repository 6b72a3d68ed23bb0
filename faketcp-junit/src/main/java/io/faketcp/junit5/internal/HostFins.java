package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The host's TCP sockets to a fake subnet that have sent a FIN not yet acknowledged (FIN-WAIT-1,
 * CLOSING, LAST-ACK), from {@code /proc/net/tcp} and {@code /proc/net/tcp6}. The kernel retransmits
 * such a FIN until it is acknowledged, from 200 ms on: if the test that closed the socket has ended by
 * then, the FIN reaches whatever network holds the subnet next, and that test's peer answers with a
 * reset. {@link #awaitNone} lets the fake peer answer first.
 */
final class HostFins {
  private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
  /** The v4-mapped prefix ::ffff:0:0/96 as /proc/net/tcp6 prints it (each 32-bit word in host order). */
  private static final String V4_MAPPED = "0000000000000000FFFF0000";
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private HostFins() {}

  /**
   * Waits until no socket of the host to {@code subnet} has a FIN in flight, at most {@code graceNanos}.
   *
   * @return how long it waited, in nanoseconds; negative when the grace ran out first
   */
  static long awaitNone(Subnet subnet, long graceNanos) {
    return awaitNone(subnet, graceNanos, () -> false);
  }

  /** As {@link #awaitNone(Subnet, long)}, also waiting while {@code busy} says so. */
  static long awaitNone(Subnet subnet, long graceNanos, BooleanSupplier busy) {
    long start = System.nanoTime();
    long deadline = start + graceNanos;
    while (unacknowledged(subnet) || busy.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return -(System.nanoTime() - start);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return System.nanoTime() - start;
  }

  /** Whether a socket of the host to {@code subnet} has sent a FIN that is not acknowledged yet. */
  static boolean unacknowledged(Subnet subnet) {
    for (Path table : TABLES) {
      try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
        reader.readLine(); // header
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (finInFlight(line, subnet)) {
            return true;
          }
        }
      } catch (IOException | RuntimeException e) {
        // no such table (IPv6 disabled, no procfs): nothing to wait for there
      }
    }
    return false;
  }

  /** One line of /proc/net/tcp or tcp6: "sl local rem st ...", addresses as hex words in host order. */
  static boolean finInFlight(String line, Subnet subnet) {
    String[] f = line.trim().split("\\s+", 5);
    if (f.length < 4) {
      return false;
    }
    int colon = f[2].indexOf(':');
    if (colon < 0 || !(f[3].equals("04") || f[3].equals("09") || f[3].equals("0B"))) {
      return false; // TCP_FIN_WAIT1, TCP_LAST_ACK, TCP_CLOSING (include/net/tcp_states.h)
    }
    String remote = f[2].substring(0, colon);
    String v4;
    if (remote.length() == 8) {
      v4 = remote;
    } else if (remote.length() == 32 && remote.startsWith(V4_MAPPED)) {
      v4 = remote.substring(24);
    } else {
      return false;
    }
    return subnet.contains(Integer.reverseBytes(Integer.parseUnsignedInt(v4, 16)));
  }
}
