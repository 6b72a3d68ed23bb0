package io.faketcp.junit5.internal;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The door from a {@link RunningNetwork} to its public views, for faketcp-spring, which opens networks
 * outside {@code FakeNetworkExtension} and injects the same views. {@code io.faketcp.junit5} makes the
 * views and registers its {@link Maker} here when it loads, so that they are neither API nor a
 * dependency of this package on the public one (the idiom of the JDK's {@code SharedSecrets}).
 * Internal: not part of faketcp's API.
 */
public final class Views {
  private static volatile Maker<?, ?, ?> maker;

  private Views() {}

  /**
   * Makes the views of a network.
   *
   * @param <I> {@code NetworkInfo}
   * @param <C> {@code NetworkControl}
   * @param <K> {@code Capture}
   */
  public interface Maker<I, C, K> {
    /** Where {@code network} is. */
    I info(RunningNetwork network);

    /** The handle on {@code network}'s fake peer. */
    C control(RunningNetwork network);

    /** {@code network}'s capture (since its last {@link RunningNetwork#beginTest()} or clear). */
    K capture(RunningNetwork network);

    /**
     * As for {@code @FakeNetwork}'s tests: writes {@code network}'s capture as the failure artefacts of
     * the test of {@code context} and names them in {@code failure} (unless it is not a failure of the
     * code under test, or this test's artefacts are written already).
     */
    void recordFailure(ExtensionContext context, RunningNetwork network, Throwable failure);
  }

  /** Called once, by {@code io.faketcp.junit5} as it loads. */
  public static void register(Maker<?, ?, ?> views) {
    maker = views;
  }

  /**
   * The registered maker.
   *
   * @param loaded a public class of {@code io.faketcp.junit5}, initialized here so that it has registered
   */
  public static Maker<?, ?, ?> maker(Class<?> loaded) {
    try {
      Class.forName(loaded.getName(), true, loaded.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("faketcp-junit is incomplete: " + loaded.getName() + " cannot be loaded", e);
    }
    Maker<?, ?, ?> views = maker;
    if (views == null) {
      throw new IllegalStateException("faketcp-junit's views are not registered: " + loaded.getName()
          + " is not io.faketcp.junit5.NetworkInfo of the same faketcp-junit");
    }
    return views;
  }
}
