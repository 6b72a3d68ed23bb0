package io.faketcp.tun;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Ends the host's TCP connections to fake networks that a test has finished with, by the kernel's
 * SOCK_DESTROY ({@code ss -K}), so that none outlives its test: a socket left closing (its FIN not yet
 * acknowledged when the device went away), sending, connecting or in TIME-WAIT would otherwise go on
 * retransmitting, and reach the next test's device on the same subnet, whose peer answers it with a
 * reset that test did not cause. Every test JVM of this module runs its classes one after another in
 * one private namespace, so the kernel's state is all that carries over from test to test. Nothing is
 * ended outside a private namespace: the machine's own connections are never touched.
 */
public final class HostSockets {
  private static final System.Logger LOG = System.getLogger(HostSockets.class.getName());
  /** The peers on the namespace's loopback: the relay tests' services, never a fake network. */
  private static final List<String> NOT_LOOPBACK = List.of("not", "(", "dst", "127.0.0.0/8", "or", "dst", "::1/128",
      "or", "dst", "::ffff:127.0.0.0/104", ")");

  private static volatile boolean missingSaid;

  private HostSockets() {}

  /** Ends every connection of the host to {@code subnets} (IPv4 or IPv6), in any state but LISTEN. */
  public static void endAllTo(List<Subnet> subnets) {
    List<String> filter = new ArrayList<>();
    for (Subnet subnet : subnets) {
      if (!filter.isEmpty()) {
        filter.add("or");
      }
      filter.add("dst");
      filter.add(subnet.toString());
    }
    end(filter, subnets.stream().map(Subnet::toString).collect(Collectors.joining(" and ")));
  }

  /** Ends every connection of the host to anything but loopback, in any state but LISTEN. */
  public static void endAllButLoopback() {
    end(NOT_LOOPBACK, "fake networks");
  }

  private static void end(List<String> filter, String where) {
    if (!Prerequisites.inPrivateNamespace()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("ss", "--kill", "--tcp", "--numeric", "--no-header",
        "state", "connected"));
    command.addAll(filter);
    String ended;
    try {
      Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (InputStream out = ss.getInputStream()) {
        ended = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
        throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + ended);
      }
    } catch (IOException e) {
      // No ss here: tests then see each other's leftover retransmissions, as before; a build that demands
      // the network (CI) must have it.
      if (Boolean.getBoolean("faketcp.require")) {
        throw new IllegalStateException("cannot end the host's connections to " + where + " with ss (iproute2): " + e,
            e);
      }
      if (!missingSaid) {
        missingSaid = true;
        LOG.log(System.Logger.Level.WARNING, "cannot end the host''s connections to fake networks between tests"
            + " (install iproute2 for ss): {0}", e.toString());
      }
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ending the host's connections to " + where, e);
    }
    // TIME-WAIT sends nothing by itself (ended only so that no later test meets its 4-tuple): not worth a line.
    String live = ended.lines().filter(l -> !l.startsWith("TIME-WAIT")).collect(Collectors.joining("\n"));
    if (!live.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, "ended the host''s connections to {0} that would have outlived their test:\n{1}",
          where, live);
    }
  }
}
