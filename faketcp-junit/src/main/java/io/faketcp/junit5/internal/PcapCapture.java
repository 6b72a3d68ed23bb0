package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A pcap4j capture on one tun interface (link type RAW, immediate mode, nanosecond timestamps). The
 * handle is opened first — from then on the kernel queues every packet in its ring, so none is lost —
 * and read by a daemon thread once {@link #start} is called.
 */
final class PcapCapture implements PacketCapture {
  private static final System.Logger LOG = System.getLogger(PcapCapture.class.getName());
  static final int SNAPLEN = 262_144;
  private static final int BUFFER_BYTES = 4 << 20;

  private final PcapHandle handle;
  private final String interfaceName;
  private final KeptPackets kept = new KeptPackets(this::readerAlive);
  private Subnet subnet;
  private long kernelOffset;
  private volatile Thread thread;
  private volatile Throwable error;

  private PcapCapture(PcapHandle handle, String interfaceName) {
    this.handle = handle;
    this.interfaceName = interfaceName;
  }

  /**
   * Opens the handle; packets queue in the kernel's ring until {@link #start}. The snapshot length
   * follows the device's MTU (no packet crossing a tun without vnet headers is longer): libpcap sizes its
   * ring frames by the snapshot length when the device reports offloads, as a tun does, and with
   * 256 KiB frames a 4 MiB ring held only 16 packets, so a capture thread descheduled on a busy
   * machine dropped packets. The margin: libpcap counts 16 bytes of its own against the snapshot
   * length on a tun, so a snapshot length of exactly the MTU cut 1500-byte packets to 1484.
   */
  static PcapCapture open(String interfaceName, int mtu) {
    try {
      PcapHandle handle = new PcapHandle.Builder(interfaceName)
          .snaplen(Math.min(SNAPLEN, mtu + 256))
          .immediateMode(true)
          .timeoutMillis(100)
          .bufferSize(BUFFER_BYTES)
          .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
          .build();
      return new PcapCapture(handle, interfaceName);
    } catch (PcapNativeException e) {
      throw new IllegalStateException("pcap could not open a capture on " + interfaceName + ": " + e.getMessage(), e);
    }
  }

  /** Compiles {@code filter} for link type RAW, to check it or to count what it would keep. */
  static BpfProgram compile(String filter) throws PcapNativeException {
    return Pcaps.compileFilter(SNAPLEN, DataLinkType.RAW, filter, BpfProgram.BpfCompileMode.OPTIMIZE,
        PcapHandle.PCAP_NETMASK_UNKNOWN);
  }

  /** Starts reading: a packet is to the subnet when its destination is in it but not the host. */
  @Override
  public void start(Subnet subnet, String filter, int limit) {
    this.subnet = subnet;
    kept.limit(limit);
    if (!filter.isEmpty()) {
      try {
        handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
      } catch (PcapNativeException | NotOpenException e) {
        throw new IllegalStateException("pcap could not set the filter '" + filter + "' on " + interfaceName + ": "
            + e.getMessage(), e);
      }
    }
    // Setting a filter drains what the ring held (nothing, normally: the peer is not running yet);
    // those packets are counted by the kernel but never reach the reader.
    kernelOffset = filter.isEmpty() ? 0 : Math.max(0, kernelDelivered());
    CountDownLatch running = new CountDownLatch(1);
    RawPacketListener listener = this::received;
    thread = new Thread(() -> {
      running.countDown();
      try {
        handle.loop(-1, listener);
      } catch (InterruptedException e) {
        // breakLoop(): the normal way out
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        error = e;
        LOG.log(System.Logger.Level.WARNING, "capture on " + interfaceName + " stopped: " + e, e);
      }
    }, "faketcp-capture-" + interfaceName);
    thread.setDaemon(true);
    thread.start();
    try {
      running.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void received(byte[] packet) {
    Timestamp ts = handle.getTimestamp();
    long nanos = ts == null ? System.currentTimeMillis() * 1_000_000L
        : Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
    boolean toSubnet = true;
    if (packet.length >= 20 && (packet[0] & 0xf0) == 0x40) {
      int destination = (packet[16] & 0xff) << 24 | (packet[17] & 0xff) << 16 | (packet[18] & 0xff) << 8
          | (packet[19] & 0xff);
      toSubnet = subnet.contains(destination) && destination != subnet.hostAddressInt();
    }
    kept.add(packet, nanos, toSubnet);
  }

  private boolean readerAlive() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  /**
   * Packets the kernel has put in the capture's ring since {@link #start} (received minus dropped, from
   * pcap's statistics): what the reader must have read for the capture to be complete at this moment.
   * -1 when pcap cannot tell.
   */
  @Override
  public long kernelDeliveredSinceStart() {
    long delivered = kernelDelivered();
    return delivered < 0 ? -1 : delivered - kernelOffset;
  }

  private long kernelDelivered() {
    try {
      PcapStat stat = handle.getStats();
      return stat.getNumPacketsReceived() - stat.getNumPacketsDropped();
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      return -1;
    }
  }

  /** Counts packets read since the handle opened (not only since {@link #start}). */
  @Override
  public KeptPackets kept() {
    return kept;
  }

  /** What the kernel says it dropped (ring full), or a note why it cannot tell. */
  @Override
  public String dropReport() {
    try {
      PcapStat stat = handle.getStats();
      return "pcap received " + stat.getNumPacketsReceived() + ", dropped " + stat.getNumPacketsDropped()
          + (error == null ? "" : "; the capture stopped with " + error);
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      return "pcap statistics unavailable: " + e.getMessage();
    }
  }

  /** pcap reads the device itself: the peer needs no listener. */
  @Override
  public io.faketcp.peer.PacketListener peerListener() {
    return null;
  }

  String interfaceName() {
    return interfaceName;
  }

  /** Stops the reading thread: breakLoop() wakes it even on an idle interface. */
  @Override
  public void stop() {
    Thread t = thread;
    if (t == null) {
      return;
    }
    for (int attempt = 0; t.isAlive() && attempt < 20; attempt++) {
      try {
        handle.breakLoop();
      } catch (NotOpenException e) {
        break;
      }
      try {
        t.join(attempt == 0 ? 50 : 250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (t.isAlive()) {
      LOG.log(System.Logger.Level.WARNING, "capture thread {0} did not stop", t.getName());
    }
  }

  /** Closes the handle (slow: the kernel waits for an RCU grace period). */
  @Override
  public void close() {
    stop();
    handle.close();
  }

  /** Writes {@code packets} as a pcap file (nanosecond timestamps, link type RAW). */
  @Override
  public void write(Path file, List<CaptureRecord> packets) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    PcapHandle dead = null;
    try {
      PcapHandle source = handle;
      if (!handle.isOpen()) {
        dead = Pcaps.openDead(DataLinkType.RAW, SNAPLEN, PcapHandle.TimestampPrecision.NANO);
        source = dead;
      }
      PcapDumper dumper = source.dumpOpen(file.toString());
      try {
        for (CaptureRecord r : packets) {
          Timestamp ts = new Timestamp(Math.floorDiv(r.epochNanos(), 1_000_000_000L) * 1000L);
          ts.setNanos((int) Math.floorMod(r.epochNanos(), 1_000_000_000L));
          dumper.dumpRaw(r.bytes(), ts);
        }
      } finally {
        dumper.close();
      }
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException("pcap could not write " + file + ": " + e.getMessage(), e);
    } finally {
      if (dead != null) {
        dead.close();
      }
    }
  }
}
