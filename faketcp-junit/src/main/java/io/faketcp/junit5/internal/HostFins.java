package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The host's TCP sockets to a fake subnet or IPv6 prefix that have sent a FIN not yet acknowledged
 * (FIN-WAIT-1, CLOSING, LAST-ACK), from {@code /proc/net/tcp} and {@code /proc/net/tcp6}. The kernel retransmits
 * such a FIN until it is acknowledged, from 200 ms on: if the test that closed the socket has ended by
 * then, the FIN reaches whatever network holds the subnet next, and that test's peer answers with a
 * reset. {@link #awaitNone} lets the fake peer answer first; when a network closes, {@link HostSocketEnd}
 * ends the sockets whose FIN is still unacknowledged after that grace.
 */
final class HostFins {
  private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
  /** The v4-mapped prefix ::ffff:0:0/96 as /proc/net/tcp6 prints it (each 32-bit word in host order). */
  private static final String V4_MAPPED = "0000000000000000FFFF0000";
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private HostFins() {}

  /**
   * Waits until no socket of the host to {@code subnets} (IPv4 or IPv6, null ones skipped) has a FIN in
   * flight, at most {@code graceNanos}.
   *
   * @return how long it waited, in nanoseconds; negative when the grace ran out first
   */
  static long awaitNone(List<Subnet> subnets, long graceNanos) {
    return awaitNone(subnets, graceNanos, () -> false);
  }

  /** As {@link #awaitNone(List, long)}, also waiting while {@code busy} says so. */
  static long awaitNone(List<Subnet> subnets, long graceNanos, BooleanSupplier busy) {
    long start = System.nanoTime();
    long deadline = start + graceNanos;
    while (unacknowledged(subnets) || busy.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return -(System.nanoTime() - start);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return System.nanoTime() - start;
  }

  /** Whether a socket of the host to one of {@code subnets} has sent a FIN that is not acknowledged yet. */
  static boolean unacknowledged(List<Subnet> subnets) {
    return !lines(subnets, true).isEmpty();
  }

  /**
   * The lines of /proc/net/tcp and tcp6 (in that order) of the host's sockets to {@code subnets} that
   * have sent a FIN not acknowledged yet, for {@link HostSocketEnd}.
   */
  static List<String> inFlight(List<Subnet> subnets) {
    return lines(subnets, false);
  }

  private static List<String> lines(List<Subnet> subnets, boolean firstOnly) {
    List<String> found = new ArrayList<>();
    for (Path table : TABLES) {
      try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
        reader.readLine(); // header
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (finInFlight(line, subnets)) {
            found.add(line);
            if (firstOnly) {
              return found;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // no such table (IPv6 disabled, no procfs): nothing to wait for there
      }
    }
    return found;
  }

  /**
   * One line of /proc/net/tcp or tcp6: "sl local rem st ...", addresses as hex 32-bit words in host order
   * (an IPv6 one as four: fd00:86::5 is 860000FD000000000000000005000000 on x86).
   */
  static boolean finInFlight(String line, List<Subnet> subnets) {
    String[] f = line.trim().split("\\s+", 5);
    if (f.length < 4) {
      return false;
    }
    int colon = f[2].indexOf(':');
    if (colon < 0 || !(f[3].equals("04") || f[3].equals("09") || f[3].equals("0B"))) {
      return false; // TCP_FIN_WAIT1, TCP_LAST_ACK, TCP_CLOSING (include/net/tcp_states.h)
    }
    String remote = f[2].substring(0, colon);
    if (remote.length() == 32 && !remote.startsWith(V4_MAPPED)) {
      long high = (long) word(remote, 0) << 32 | word(remote, 1) & 0xffffffffL;
      long low = (long) word(remote, 2) << 32 | word(remote, 3) & 0xffffffffL;
      return subnets.stream().anyMatch(s -> s != null && s.contains(high, low));
    }
    if (remote.length() != 8 && remote.length() != 32) {
      return false;
    }
    int v4 = word(remote, remote.length() / 8 - 1);
    return subnets.stream().anyMatch(s -> s != null && s.contains(v4));
  }

  /** The {@code n}th 32-bit word of a /proc address, in network order. */
  private static int word(String hex, int n) {
    return Integer.reverseBytes(Integer.parseUnsignedInt(hex, 8 * n, 8 * n + 8, 16));
  }
}
