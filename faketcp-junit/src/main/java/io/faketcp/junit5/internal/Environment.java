package io.faketcp.junit5.internal;

import io.faketcp.tun.Prerequisites;
import java.util.Optional;
import org.pcap4j.core.Pcaps;

/**
 * What this process lacks for fake networks, checked once per run: the engine's tun checks
 * ({@link Prerequisites#missing()}). libpcap is not required: without it the capture records what
 * the fake peer reads and writes ({@code PeerCapture}); only a capture filter needs it.
 */
public final class Environment {
  /** System property: {@code true} turns "skipped: prerequisites missing" into a failure. */
  public static final String REQUIRE_PROPERTY = "faketcp.require";

  private static volatile Optional<String> libpcapMissing;
  private static volatile String simulatedMissing;

  private Environment() {}

  /**
   * One line saying what is missing and how to fix it; empty when fake networks can run.
   *
   * @param capture whether the test captures; capturing needs nothing more (without libpcap the
   *     peer's own view is captured)
   */
  public static Optional<String> missing(boolean capture) {
    String simulated = simulatedMissing;
    if (simulated != null) {
      return Optional.of(simulated);
    }
    return Prerequisites.missing();
  }

  /** Whether the build demands the network ({@code -Dfaketcp.require=true} or {@code FAKETCP_REQUIRE=1}). */
  public static boolean required() {
    String env = System.getenv("FAKETCP_REQUIRE");
    return Boolean.getBoolean(REQUIRE_PROPERTY) || "1".equals(env) || "true".equalsIgnoreCase(env);
  }

  /**
   * For the extension's own tests: pretend {@code reason} is missing ({@code null} stops pretending).
   * Not for use outside faketcp.
   */
  public static void simulateMissing(String reason) {
    simulatedMissing = reason;
  }

  /** Why libpcap cannot be used here, once per run; empty when it can. */
  static Optional<String> libpcapMissing() {
    Optional<String> result = libpcapMissing;
    if (result == null) {
      result = Optional.ofNullable(checkLibpcap());
      libpcapMissing = result;
    }
    return result;
  }

  private static String checkLibpcap() {
    try {
      String version = Pcaps.libVersion();
      return version == null ? "libpcap did not report a version" : null;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").trim();
      return "libpcap cannot be loaded (" + why + "): install it with"
          + " 'sudo apt-get install libpcap0.8' (Debian/Ubuntu) or 'sudo dnf install libpcap' (Fedora)";
    }
  }
}
