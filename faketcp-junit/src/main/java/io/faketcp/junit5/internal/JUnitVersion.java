package io.faketcp.junit5.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the JUnit Jupiter on the class path can do. faketcp runs on 5.10 to 6.x; the per-subnet
 * resource locks ({@code @ResourceLock(providers = ...)}) need 5.12, and below that faketcp's pool
 * keeps overlapping subnets apart on its own.
 */
final class JUnitVersion {
  private static final System.Logger LOG = System.getLogger(JUnitVersion.class.getName());
  private static final String PROVIDERS = "org.junit.jupiter.api.parallel.ResourceLocksProvider";
  private static final boolean LOCK_PROVIDERS = present(PROVIDERS);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private JUnitVersion() {}

  /** "Jupiter 5.12.2", or "Jupiter (version unknown)". */
  static String jupiter() {
    String version = ExtensionContext.class.getPackage().getImplementationVersion();
    return "Jupiter " + (version == null ? "(version unknown)" : version);
  }

  /** Whether JUnit honours {@code @ResourceLock(providers = ...)} (5.12 on). */
  static boolean lockProviders() {
    return LOCK_PROVIDERS;
  }

  /** How to keep tests on overlapping subnets apart with this JUnit. */
  static String lockAdvice() {
    return LOCK_PROVIDERS
        ? "@FakeNetwork declares the subnet locks; with @RegisterExtension add @ResourceLock(providers ="
            + " SubnetLocks.class) to the class"
        : "JUnit " + jupiter() + " ignores @ResourceLock(providers = ...), which needs 5.12 or later: upgrade"
            + " JUnit, or run these classes with @Execution(ExecutionMode.SAME_THREAD)";
  }

  /**
   * Once per JVM, when this JUnit runs tests in parallel but ignores the per-subnet locks: one line
   * saying what is lost. Nothing fails: faketcp's pool keeps overlapping subnets apart.
   */
  static void warnIfLocksIgnored(ExtensionContext context) {
    if (LOCK_PROVIDERS || WARNED.get()) {
      return;
    }
    boolean parallel = context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled")
        .map(Boolean::parseBoolean).orElse(false);
    if (parallel && WARNED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "faketcp: JUnit " + jupiter() + " ignores @FakeNetwork's per-subnet"
          + " resource locks (@ResourceLock(providers = ...) needs JUnit 5.12 or later): parallel tests on"
          + " overlapping subnets wait for each other inside faketcp, at most 60 s each, instead of being"
          + " scheduled apart; tests on distinct subnets still run in parallel");
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, JUnitVersion.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
