package io.faketcp.junit5.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the capture for a device: pcap4j on libpcap where libpcap can be loaded, else the fake
 * peer's own view of the device ({@link PeerCapture}), said once per JVM.
 */
final class Captures {
  private static final System.Logger LOG = System.getLogger(Captures.class.getName());
  private static final AtomicBoolean FALLBACK_SAID = new AtomicBoolean();
  private static final AtomicLong PEER_CAPTURES = new AtomicLong();
  private static volatile boolean forcePeerCapture;

  private Captures() {}

  /** Opens the capture for the tun interface {@code name} with MTU {@code mtu}. */
  static PacketCapture open(String name, int mtu) {
    String libpcapMissing = forcePeerCapture ? "the peer capture was forced" : Environment.libpcapMissing().orElse(null);
    if (libpcapMissing == null) {
      return PcapCapture.open(name, mtu);
    }
    if (!FALLBACK_SAID.getAndSet(true)) {
      LOG.log(System.Logger.Level.INFO, "faketcp captures what its fake peer reads from and writes to the tun"
          + " device instead of using pcap: " + libpcapMissing);
    }
    PEER_CAPTURES.incrementAndGet();
    return new PeerCapture(name);
  }

  /** For tests: {@code true} makes {@link #open} choose the peer capture even where libpcap works. */
  static void forcePeerCapture(boolean force) {
    forcePeerCapture = force;
  }

  /** For tests: how many peer captures {@link #open} has opened in this JVM. */
  static long peerCapturesOpened() {
    return PEER_CAPTURES.get();
  }
}
