package io.faketcp.peer.internal;

import java.util.Objects;

/**
 * Not API: lets faketcp-junit's device pool keep one peer thread per pooled device, so that the peers
 * of test after test run on it instead of each starting and joining a thread of its own. {@code FakePeer}
 * installs the one implementation when its class initialises (any code holding a {@code FakePeer.Builder}
 * has triggered it).
 *
 * <p>The types are parameters so that this package does not depend on {@code io.faketcp.peer}: callers
 * write {@code PeerThreadAccess.<TunDevice, FakePeer.Builder>get().keep(device)}.
 *
 * @param <D> the device type, {@code io.faketcp.tun.TunDevice}
 * @param <B> the builder type, {@code io.faketcp.peer.FakePeer.Builder}
 */
public abstract class PeerThreadAccess<D, B> {
  private static volatile PeerThreadAccess<?, ?> installed;

  /** For the one implementation only. */
  protected PeerThreadAccess() {
  }

  /**
   * Installs the implementation; called once, by {@code FakePeer}'s class initialiser.
   *
   * @throws IllegalStateException when an implementation is already installed
   */
  public static synchronized void install(PeerThreadAccess<?, ?> access) {
    Objects.requireNonNull(access, "access");
    if (installed != null) {
      throw new IllegalStateException("PeerThreadAccess is installed once, by FakePeer; it is not an extension point");
    }
    installed = access;
  }

  /**
   * The implementation.
   *
   * @throws IllegalStateException before {@code FakePeer} is initialised (create a builder first)
   */
  @SuppressWarnings("unchecked")
  public static <D, B> PeerThreadAccess<D, B> get() {
    PeerThreadAccess<?, ?> access = installed;
    if (access == null) {
      throw new IllegalStateException("PeerThreadAccess is used before FakePeer was initialised: call FakePeer.builder first");
    }
    return (PeerThreadAccess<D, B>) access;
  }

  /**
   * A thread ({@code faketcp-peer-<device>}, started with the first peer) for the peers of {@code device},
   * one after another; closing it ends the thread and waits for it. Close it before the device.
   */
  public abstract AutoCloseable keep(D device);

  /**
   * Makes the peer that {@code builder} starts run on {@code thread}, from {@link #keep} for the same
   * device; the peer before on it must be closed. The peer's {@code close()} then leaves the thread running.
   *
   * @throws IllegalArgumentException when {@code thread} is not from {@link #keep} for the builder's device
   */
  public abstract B onThread(B builder, AutoCloseable thread);
}
