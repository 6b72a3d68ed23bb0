package io.faketcp.junit5.internal;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.internal.PeerThreadAccess;
import io.faketcp.tun.TunDevice;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One peer thread per pooled device, kept as long as the device: the fake peers of test after test run on
 * it, so that no test starts or joins a thread (each a wake-up of a few hundred µs here), and a test's peer,
 * idle at the end, is taken off it without waking it. Ended just before its device is closed.
 */
final class KeptPeerThreads {
  private static final System.Logger LOG = System.getLogger(KeptPeerThreads.class.getName());
  private static final Map<TunDevice, AutoCloseable> THREADS = new ConcurrentHashMap<>();

  private KeptPeerThreads() {}

  /** {@code builder}'s peer will run on {@code device}'s kept thread (started with the first peer). */
  static FakePeer.Builder onKeptThread(FakePeer.Builder builder, TunDevice device) {
    PeerThreadAccess<TunDevice, FakePeer.Builder> access = PeerThreadAccess.get();
    return access.onThread(builder, THREADS.computeIfAbsent(device, access::keep));
  }

  /** Ends {@code device}'s kept thread, if it has one, and waits for it (up to 5 s). */
  static void end(TunDevice device) {
    AutoCloseable thread = THREADS.remove(device);
    if (thread == null) {
      return;
    }
    try {
      thread.close();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "ending " + thread + " failed: " + e, e);
    }
  }
}
