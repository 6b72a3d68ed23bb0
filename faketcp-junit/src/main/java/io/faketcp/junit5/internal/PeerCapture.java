package io.faketcp.junit5.internal;

import io.faketcp.peer.Direction;
import io.faketcp.peer.PacketListener;
import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The capture where libpcap cannot be loaded: every packet the fake peer reads from the tun device
 * (the host's packets to the subnet) and writes to it (the subnet's answers), as the peer's
 * {@link PacketListener}. These are the packets pcap sees on the device, except any the kernel drops
 * before the peer reads them (a full transmit queue): pcap would see those, the peer does not. No
 * capture filter (compiling one needs libpcap). The .pcap files are written without libpcap ({@link PcapFile}).
 */
final class PeerCapture implements PacketCapture, PacketListener {
  private final String interfaceName;
  private final KeptPackets kept = new KeptPackets(() -> !this.stopped);
  private boolean started;
  /** The interface's packet count minus {@link #total()} at {@link #start}; MIN_VALUE when unreadable. */
  private volatile long kernelOffset = Long.MIN_VALUE;
  // Volatile: the kept packets' waiters read it holding only KeptPackets' monitor (this one is taken first).
  private volatile boolean stopped;

  PeerCapture(String interfaceName) {
    this.interfaceName = interfaceName;
  }

  @Override
  public synchronized void start(Subnet subnet, Subnet subnet6, String filter, CaptureLimits limits) {
    if (!filter.isEmpty()) {
      throw new IllegalStateException("a capture filter needs libpcap, which cannot be loaded here");
    }
    kept.limits(limits);
    kept.clear();
    long crossed = packetsCrossed();
    kernelOffset = crossed < 0 ? Long.MIN_VALUE : crossed - kept.total();
    started = true;
    stopped = false;
  }

  @Override
  public boolean seesOnlyWhatThePeerReads() {
    return true;
  }

  @Override
  public PacketListener peerListener() {
    return this;
  }

  /** On the peer's thread: one packet read from or written to the device. */
  @Override
  public void packet(Direction direction, ByteBuffer packet) {
    Instant now = Instant.now();
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    synchronized (this) {
      if (!started || stopped) {
        return;
      }
      kept.add(packet, nanos, direction == Direction.TO_PEER); // copies what it keeps
    }
  }

  /**
   * From the interface's own counters: packets the kernel queued to the device (the host's, for the
   * peer to read) and packets the peer wrote, since {@link #start}, on the scale of {@link #total()}.
   * A packet the host has sent but the peer has not read yet counts here and not in the peer's
   * counters, so a snapshot waits for it (the handshake's last ACK, right after connect returns).
   * -1 when the counters cannot be read.
   */
  @Override
  public long kernelDeliveredSinceStart() {
    long crossed = packetsCrossed();
    return crossed < 0 || kernelOffset == Long.MIN_VALUE ? -1 : crossed - kernelOffset;
  }

  private long packetsCrossed() {
    try {
      Path statistics = Path.of("/sys/class/net", interfaceName, "statistics");
      return Long.parseLong(Files.readString(statistics.resolve("tx_packets")).trim())
          + Long.parseLong(Files.readString(statistics.resolve("rx_packets")).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public KeptPackets kept() {
    return kept;
  }

  @Override
  public synchronized String dropReport() {
    return "peer capture on " + interfaceName + " (libpcap unavailable): " + kept.total()
        + " packet(s) seen by the peer;"
        + " packets the kernel dropped before the peer read them are not seen";
  }

  @Override
  public synchronized void stop() {
    stopped = true;
    kept.wakeWaiters();
  }

  /** The peer of the next test gets this capture's listener anew: only the kept packets go. */
  @Override
  public synchronized boolean recycle(long timeoutNanos) {
    stopped = true;
    started = false;
    kept.clear();
    return true;
  }

  @Override
  public void close() {
    stop();
  }
}
