package io.faketcp.junit5.internal;

import io.faketcp.tun.Prerequisites;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pcap4j.core.Pcaps;

/**
 * What this process lacks for fake networks, checked once per run: the engine's tun checks
 * ({@link Prerequisites#missing()}). libpcap is not required: without it the capture records what
 * the fake peer reads and writes ({@code PeerCapture}); only a capture filter needs it. Internal: not
 * part of faketcp's API.
 */
public final class Environment {
  /** System property: {@code true} turns "skipped: prerequisites missing" into a failure. */
  public static final String REQUIRE_PROPERTY = "faketcp.require";
  /**
   * The extension's own tests set this JUnit configuration parameter (in an {@code EngineTestKit} run)
   * to pretend that its value is what is missing. Scoped to that run; not a switch for users.
   */
  static final String SIMULATE_MISSING_PARAMETER = "faketcp.internal.simulateMissing";

  private static volatile Optional<String> libpcapMissing;

  private Environment() {}

  /**
   * One line saying what is missing and how to fix it; empty when fake networks can run. In
   * {@code context}'s run, what its configuration pretends is missing, if anything. Capturing needs
   * nothing more: without libpcap the peer's own view is captured.
   */
  public static Optional<String> missing(ExtensionContext context) {
    Optional<String> simulated = context.getConfigurationParameter(SIMULATE_MISSING_PARAMETER);
    return simulated.isPresent() ? simulated : Prerequisites.missing();
  }

  /** Whether the build demands the network ({@code -Dfaketcp.require=true} or {@code FAKETCP_REQUIRE=1}). */
  public static boolean required() {
    String env = System.getenv("FAKETCP_REQUIRE");
    return Boolean.getBoolean(REQUIRE_PROPERTY) || "1".equals(env) || "true".equalsIgnoreCase(env);
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
