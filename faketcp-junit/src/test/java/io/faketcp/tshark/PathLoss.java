package io.faketcp.tshark;

import io.faketcp.tun.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Random loss of what the fake hosts send to the host, by an iptables rule in the test JVM's own network
 * namespace (INPUT, after the capture saw the packets), removed on close. Refuses to touch the machine's
 * main namespace. (Not the other way: a packet dropped in OUTPUT is a failed send to the host's TCP,
 * which sends it again at once; the wire shows no loss.)
 */
final class PathLoss implements AutoCloseable {
  private final List<String> rule;

  private PathLoss(List<String> rule) {
    if (!Prerequisites.inPrivateNamespace()) {
      throw new IllegalStateException("refusing to add an iptables rule in the machine's main network namespace:"
          + " run the tests through Maven (its test JVMs start in a private namespace) or bin/faketcp-netns");
    }
    this.rule = rule;
    run("-A");
  }

  /** Drops {@code probability} of what the fake hosts send to the host on {@code device}. */
  static PathLoss toHost(String device, double probability) {
    return new PathLoss(List.of("INPUT", "-i", device, "-p", "tcp", "-m", "statistic", "--mode", "random",
        "--probability", Double.toString(probability), "-j", "DROP"));
  }

  /** How many packets the rule dropped so far (iptables' counter). */
  long dropped() {
    String listing = run("-L", rule.get(0), "-v", "-x", "-n");
    for (String line : listing.split("\n")) {
      if (line.contains("DROP") && line.contains("statistic")) {
        return Long.parseLong(line.strip().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no DROP rule in iptables' listing of " + rule.get(0) + ":\n" + listing);
  }

  private String run(String action, String... listing) {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", action));
    command.addAll(listing.length == 0 ? rule : List.of(listing));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output
            + " — the loss tests need iptables with the statistic match (apt-get install iptables)");
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run iptables: " + e.getMessage() + " (apt-get install iptables)", e);
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
