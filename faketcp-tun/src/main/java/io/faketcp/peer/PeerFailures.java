package io.faketcp.peer;

import io.faketcp.peer.internal.Counters;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A peer's failures: the first of its thread or of a responder is kept ({@link FakePeer#failure()}), later
 * ones are suppressed in it; each is counted and passed to the builder's failure handler.
 */
final class PeerFailures {
  private static final System.Logger LOG = System.getLogger(FakePeer.class.getName());

  private final Counters counters;
  private final String deviceName;
  private final Consumer<Throwable> failureHandler;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  PeerFailures(Counters counters, String deviceName, Consumer<Throwable> failureHandler) {
    this.counters = counters;
    this.deviceName = deviceName;
    this.failureHandler = failureHandler;
  }

  /** The first failure, if any. */
  Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** The peer stops with {@code t}: recorded and logged as an error. */
  void fail(Throwable t) {
    record(t);
    LOG.log(System.Logger.Level.ERROR, "peer on " + deviceName + " stopped: " + t, t);
  }

  void record(Throwable t) {
    counters.increment(Counters.FAILURES);
    if (!failure.compareAndSet(null, t)) {
      failure.get().addSuppressed(t);
    }
    if (failureHandler != null) {
      failureHandler.accept(t);
    }
  }
}
