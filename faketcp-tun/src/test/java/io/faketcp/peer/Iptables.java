package io.faketcp.peer;

import io.faketcp.tun.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A packet filter rule in the test JVM's own network namespace, removed on close: path impairments
 * for the loss tests. Refuses to touch the machine's main namespace.
 */
final class Iptables implements AutoCloseable {
  private final String command;
  private final List<String> rule;

  private Iptables(List<String> rule) {
    this("iptables", rule);
  }

  private Iptables(String command, List<String> rule) {
    this.command = command;
    this.rule = rule;
    run("-A");
  }

  /**
   * Drops the IPv6 TCP segments from port 80 of the fake hosts to the host's port {@code port} on
   * {@code device}: the kernel never sees them (the conformance tests' crafted host).
   */
  static Iptables dropTcpInput6(String device, int port) {
    requirePrivateNamespace();
    return new Iptables("ip6tables", List.of("INPUT", "-i", device, "-p", "tcp", "--sport", "80", "--dport",
        Integer.toString(port), "-j", "DROP"));
  }

  private static void requirePrivateNamespace() {
    if (!Prerequisites.inPrivateNamespace()) {
      throw new IllegalStateException("refusing to add iptables rules in the machine's main network namespace:"
          + " run the tests through bin/faketcp-netns (Surefire's <jvm> is bin/jvm/bin/java)");
    }
  }

  /** Drops {@code probability} of the packets the fake hosts send to the host on {@code device}. */
  static Iptables dropInput(String device, double probability) {
    if (!Prerequisites.inPrivateNamespace()) {
      throw new IllegalStateException("refusing to add iptables rules in the machine's main network namespace:"
          + " run the tests through bin/faketcp-netns (Surefire's <jvm> is bin/jvm/bin/java)");
    }
    return new Iptables(List.of("INPUT", "-i", device, "-m", "statistic", "--mode", "random", "--probability",
        Double.toString(probability), "-j", "DROP"));
  }

  private void run(String action) {
    List<String> command = new ArrayList<>(List.of(this.command, "-w", action));
    command.addAll(rule);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output
            + " — the loss tests need iptables with the statistic match (apt-get install iptables)");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run iptables: " + e.getMessage()
          + " — the loss tests need it (apt-get install iptables)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running iptables", e);
    }
  }

  @Override
  public void close() {
    run("-D");
  }
}
