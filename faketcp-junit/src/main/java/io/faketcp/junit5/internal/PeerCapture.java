package io.faketcp.junit5.internal;

import io.faketcp.peer.Direction;
import io.faketcp.peer.PacketListener;
import io.faketcp.tun.Subnet;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The capture where libpcap cannot be loaded: every packet the fake peer reads from the tun device
 * (the host's packets to the subnet) and writes to it (the subnet's answers), as the peer's
 * {@link PacketListener}. These are the packets pcap sees on the device, except any the kernel drops
 * before the peer reads them (a full transmit queue): pcap would see those, the peer does not. No
 * capture filter (compiling one needs libpcap). The .pcap files are written here, without libpcap.
 */
final class PeerCapture implements PacketCapture, PacketListener {
  static final int SNAPLEN = 262_144;
  private static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
  private static final int LINKTYPE_RAW = 101;

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
  public synchronized void start(Subnet subnet, String filter, int limit) {
    if (!filter.isEmpty()) {
      throw new IllegalStateException("a capture filter needs libpcap, which cannot be loaded here");
    }
    kept.limit(limit);
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
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    synchronized (this) {
      if (!started || stopped) {
        return;
      }
      kept.add(bytes, nanos, direction == Direction.TO_PEER);
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

  @Override
  public void write(Path file, List<CaptureRecord> packets) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      writePcap(out, packets);
    }
  }

  /** The pcap file format: a global header, then a record header and the bytes of each packet. */
  static void writePcap(OutputStream out, List<CaptureRecord> packets) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(PCAP_MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
        .putInt(SNAPLEN).putInt(LINKTYPE_RAW);
    out.write(header.array());
    ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (CaptureRecord r : packets) {
      byte[] bytes = r.bytes();
      int kept = Math.min(bytes.length, SNAPLEN);
      record.clear();
      record.putInt((int) Math.floorDiv(r.epochNanos(), 1_000_000_000L))
          .putInt((int) Math.floorMod(r.epochNanos(), 1_000_000_000L))
          .putInt(kept)
          .putInt(bytes.length);
      out.write(record.array());
      out.write(bytes, 0, kept);
    }
  }
}
