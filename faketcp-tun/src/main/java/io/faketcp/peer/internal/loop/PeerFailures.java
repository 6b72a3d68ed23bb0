package io.faketcp.peer.internal.loop;

import io.faketcp.peer.internal.Counters;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Internal, not API. A peer's failures: the first of its thread or of a responder is kept ({@code FakePeer.failure()}), later
 * ones are suppressed in it; each is counted and passed to the builder's failure handler.
 */
public final class PeerFailures {
  private static final System.Logger LOG = System.getLogger(PeerThread.LOG_NAME);

  private final Counters counters;
  private final String deviceName;
  private final Consumer<Throwable> failureHandler;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public PeerFailures(Counters counters, String deviceName, Consumer<Throwable> failureHandler) {
    this.counters = counters;
    this.deviceName = deviceName;
    this.failureHandler = failureHandler;
  }

  /** The first failure, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** The peer stops with {@code t}: recorded and logged as an error. */
  void fail(Throwable t) {
    record(t);
    LOG.log(System.Logger.Level.ERROR, "peer on " + deviceName + " stopped: " + t, t);
  }

  public void record(Throwable t) {
    counters.increment(Counters.FAILURES);
    if (!failure.compareAndSet(null, t)) {
      failure.get().addSuppressed(t);
    }
    if (failureHandler != null) {
      failureHandler.accept(t);
    }
  }
}
