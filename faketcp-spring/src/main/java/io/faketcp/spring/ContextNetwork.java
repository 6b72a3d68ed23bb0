package io.faketcp.spring;

import io.faketcp.junit5.internal.RunningNetwork;
import io.faketcp.junit5.internal.Settings;
import io.faketcp.tun.Prerequisites;
import io.faketcp.junit5.internal.Environment;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;

/**
 * The fake network of one application context: opened before the context refreshes, closed with the
 * context (a disposable bean: also when the refresh fails). Another network needing an overlapping
 * subnet closes it; the next test of this context opens it again, on the same subnet and addresses.
 */
final class ContextNetwork implements DisposableBean {
  /** The bean this network is registered as in its context. */
  static final String BEAN_NAME = "io.faketcp.spring.contextNetwork";
  private static final System.Logger LOG = System.getLogger(ContextNetwork.class.getName());

  private final Settings settings;
  private final Background background;
  private final String holder;
  private RunningNetwork session;
  private boolean destroyed;

  ContextNetwork(Settings settings, Background background, String holder) {
    this.settings = settings;
    this.background = background;
    this.holder = holder;
  }

  /**
   * Says what this machine lacks for fake networks, as the failure of the context's start.
   *
   * @throws IllegalStateException when tun devices cannot be created here
   */
  static void requirePrerequisites(String annotation) {
    Optional<String> missing = Prerequisites.missing();
    if (missing.isPresent()) {
      String why = Environment.required() ? " (the build requires it: -D" + Environment.REQUIRE_PROPERTY + "=true)"
          : " (" + annotation + " with skipIfUnavailable = true skips instead of failing)";
      throw new IllegalStateException("faketcp cannot create the application context's fake network: "
          + missing.get() + why);
    }
  }

  Settings settings() {
    return settings;
  }

  Background background() {
    return background;
  }

  /** The running network, opened again if another network took its subnet over. */
  synchronized RunningNetwork session() {
    if (destroyed) {
      throw new IllegalStateException("the fake network of " + holder + " was closed with its application context");
    }
    if (session == null || session.isClosed()) {
      if (session != null) {
        LOG.log(System.Logger.Level.INFO, "the fake network of {0} opens again on {1}", holder, settings.subnet());
      }
      session = RunningNetwork.openUnscoped(settings, holder);
    }
    return session;
  }

  /** For a test about to run: the configured rules, no faults added since, an empty capture, no failures. */
  RunningNetwork beginTest() {
    RunningNetwork s = session();
    s.beginTest();
    return s;
  }

  @Override
  public synchronized void destroy() {
    destroyed = true;
    if (session != null) {
      session.close();
      session = null;
    }
  }

  @Override
  public String toString() {
    return "fake network of " + holder + " (" + settings + ")";
  }
}
