package io.faketcp.junit5.internal;

import io.faketcp.peer.PacketListener;
import io.faketcp.tun.Subnet;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A pcap4j capture on one tun interface (link type RAW, TPACKET_V3 ring, nanosecond timestamps). The
 * handle and its reading thread (a daemon) are opened with the device and live as long as it, across the
 * tests that use it in turn: {@link #start} and {@link #stop} only say which packets are kept, so a test
 * neither creates nor joins a thread.
 *
 * <p>The kernel cuts what the capture would not keep anyway, so that a fast transfer neither fills the
 * ring nor costs two copies of every 64 KiB packet: once the capture keeps only headers (its budget), and
 * from the start when the test's snap length is below the MTU, the capture's filter (the test's
 * expression, or one that takes every packet) is compiled with that snap length ({@link #HEADER_BYTES}
 * for headers) and set on the socket; Linux keeps as many bytes of a packet as its socket filter
 * returns. Packets already in the ring stay as they are; {@link KeptPackets} still decides what is kept
 * and marks why a packet is cut, from the length on the wire that pcap gives with each packet.
 */
final class PcapCapture implements PacketCapture {
  private static final System.Logger LOG = System.getLogger(PcapCapture.class.getName());
  static final int SNAPLEN = 262_144;
  /**
   * The kernel memory of the capture's ring, at any MTU: 64 blocks of 256 KiB (libpcap's largest snapshot
   * length). Each packet takes the bytes the kernel keeps of it plus about 100 bytes of headers, so the ring
   * holds 192 whole packets at MTU 65,535 (with the ACKs between them, at about 160 bytes each), about 10,000
   * at 1,500, and about 70,000 cut to 128 bytes; when packets come slower than a block fills, a block holds
   * what came in {@link #BLOCK_MILLIS} to twice that.
   */
  private static final int RING_BYTES = 16 << 20;
  /**
   * How long a block the kernel is filling may wait before it goes to the reader: how late a packet reaches
   * the capture at most (twice this), and how long a block lasts when packets come slowly. 64 blocks then
   * last at least 256 ms of a reader not scheduled.
   */
  static final int BLOCK_MILLIS = 4;
  /** Packets pcap handed over with fewer bytes than they had on the wire, in this JVM: for tests. */
  private static final AtomicLong CUT_BY_KERNEL = new AtomicLong();
  /** For tests: while true, every reader waits before taking its next packet (the ring fills, the kernel drops). */
  private static volatile boolean readersHeld;
  /**
   * What the kernel keeps of each packet once the capture keeps only headers: more than {@link PacketHeaders}
   * keeps of any packet but an IPv6 one with over 80 bytes of extension headers (IPv4 with options and ICMP's
   * quote: 196 bytes; TCP with options: 120; IPv6 with ICMPv6's quote: 176).
   */
  static final int HEADER_BYTES = 256;

  private final PcapHandle handle;
  private final String interfaceName;
  private final int mtu;
  private final KeptPackets kept = new KeptPackets(this::live);
  private volatile Subnet subnet;
  private volatile Subnet subnet6;
  private volatile long kernelOffset;
  /** As {@link #kernelOffset}, for pcap's count of packets received (dropped ones included). */
  private volatile long receivedOffset;
  /** pcap's counts (received, dropped) at {@link #start} or the last {@link #clear}: the note gives those since. */
  private volatile long[] statsBase = {0, 0};
  private final Object statsLock = new Object();
  /** Between start and stop: packets read are kept; otherwise only counted. */
  private volatile boolean keeping;
  /** A test's filter expression was set on the handle: the handle cannot serve another test. */
  private boolean filtered;
  /** The test's filter expression ("" for none). */
  private volatile String expression = "";
  /** The bytes the kernel keeps of each packet: the filter's snap length, or {@link #SNAPLEN} for all. */
  private volatile int kernelBytes = SNAPLEN;
  /** Setting a filter from the reader failed once: the capture cuts in user space only, and says so in its log. */
  private volatile boolean kernelCutFailed;
  private volatile Thread thread;
  private volatile Throwable error;

  private PcapCapture(PcapHandle handle, String interfaceName, int mtu) {
    this.handle = handle;
    this.interfaceName = interfaceName;
    this.mtu = mtu;
  }

  /**
   * Opens the handle; packets queue in the kernel's ring until {@link #start}. The ring is libpcap's
   * TPACKET_V3 one (not immediate mode, which would give TPACKET_V2): the kernel packs each packet into
   * 256 KiB blocks by the bytes it keeps of it, where TPACKET_V2 gives every packet a slot of the snapshot
   * length. So the ring holds a burst by its bytes, not by the MTU: at MTU 65,535 the TPACKET_V2 ring held
   * 128 packets whatever the kernel kept of them (a 64-byte ACK took a 128 KiB slot), and a 100 MB echo
   * captured as 128-byte headers lost 6 and 69 packets with two CPU hogs running. A block reaches the
   * reader when it is full or {@link #BLOCK_MILLIS} after its first packet. The snapshot length follows
   * the device's MTU (no packet crossing a tun without vnet headers is longer), with a margin: libpcap
   * counts 16 bytes of its own against it on a tun, so a snapshot length of exactly the MTU cut
   * 1500-byte packets to 1484.
   */
  static PcapCapture open(String interfaceName, int mtu) {
    try {
      PcapHandle handle = new PcapHandle.Builder(interfaceName)
          .snaplen(Math.min(SNAPLEN, mtu + 256))
          .immediateMode(false)
          .timeoutMillis(BLOCK_MILLIS)
          .bufferSize(RING_BYTES)
          .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
          .build();
      return new PcapCapture(handle, interfaceName, mtu).startReader();
    } catch (PcapNativeException e) {
      throw new IllegalStateException("pcap could not open a capture on " + interfaceName + ": " + e.getMessage(), e);
    }
  }

  /** Compiles {@code filter} for link type RAW, to check it or to count what it would keep. */
  static BpfProgram compile(String filter) throws PcapNativeException {
    return compile(filter, SNAPLEN);
  }

  /**
   * Compiles {@code filter} (empty: every packet) for link type RAW; a packet it accepts is kept up to
   * {@code snapLength} bytes: the value its program returns.
   */
  static BpfProgram compile(String filter, int snapLength) throws PcapNativeException {
    return Pcaps.compileFilter(snapLength, DataLinkType.RAW, filter, BpfProgram.BpfCompileMode.OPTIMIZE,
        PcapHandle.PCAP_NETMASK_UNKNOWN);
  }

  /** Starts the reading thread: it runs as long as the handle, and keeps packets only between start and stop. */
  private PcapCapture startReader() {
    RawPacketListener listener = this::received;
    Thread t = new Thread(() -> {
      try {
        handle.loop(-1, listener);
      } catch (InterruptedException e) {
        // breakLoop(): the normal way out
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        error = e;
        LOG.log(System.Logger.Level.WARNING, "capture on " + interfaceName + " stopped: " + e, e);
      } finally {
        kept.wakeWaiters();
      }
    }, "faketcp-capture-" + interfaceName);
    t.setDaemon(true);
    thread = t;
    t.start();
    return this;
  }

  /**
   * Starts keeping packets: a packet is to the subnet when its destination is in it but not the host.
   * The reader has already read what the ring held before (see {@link #recycle}); anything it still
   * reads from before is counted, not kept.
   */
  @Override
  public void start(Subnet subnet, Subnet subnet6, String filter, CaptureLimits limits) {
    this.subnet = subnet;
    this.subnet6 = subnet6;
    kept.limits(limits);
    expression = filter;
    kernelCutFailed = false;
    int bytes = kernelBytes(limits.snapLength(), false);
    if (!filter.isEmpty() || bytes != kernelBytes) {
      filtered |= !filter.isEmpty();
      try {
        setKernelFilter(bytes);
      } catch (PcapNativeException | NotOpenException e) {
        throw new IllegalStateException("pcap could not set the filter '" + filter + "' (" + bytes + " bytes of each"
            + " packet) on " + interfaceName + ": " + e.getMessage(), e);
      }
    }
    // Setting a filter drains what the ring held (nothing, normally: the peer is not running yet);
    // those packets are counted by the kernel but never reach the reader. The offset puts the
    // kernel's count on the scale of total().
    long[] stats = stats();
    kernelOffset = stats == null ? 0 : Math.max(0, stats[0] - stats[1] - kept.total());
    receivedOffset = stats == null ? 0 : Math.max(0, stats[0] - kept.total());
    clear();
    keeping = true;
  }

  /**
   * Makes this capture ready for another test on the same device (the device has lost its address,
   * nothing new arrives): waits until the reader has read everything the ring held, so that no packet
   * of the test before is kept by the next. False when it cannot be reused (filter set, reader gone,
   * ring not drained within {@code timeoutNanos}): close it then.
   */
  @Override
  public boolean recycle(long timeoutNanos) {
    keeping = false;
    if (filtered || error != null || !readerAlive() || !handle.isOpen()) {
      return false;
    }
    long delivered = kernelDelivered();
    if (delivered < 0 || !kept.awaitTotal(delivered, timeoutNanos, this::readerAlive)) {
      return false;
    }
    if (kernelBytes != SNAPLEN) {
      try {
        setKernelFilter(SNAPLEN); // the ring is empty and nothing arrives: no packet is cut or lost
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        return false;
      }
    }
    kept.clear();
    return true;
  }

  /**
   * The bytes the kernel should keep of each packet: the snap length, {@link #HEADER_BYTES} when only headers
   * are kept, {@link #SNAPLEN} (all) when that is not below the MTU.
   */
  private int kernelBytes(int snapLength, boolean headersOnly) {
    int bytes = Math.min(snapLength, headersOnly ? HEADER_BYTES : SNAPLEN);
    return bytes < mtu ? bytes : SNAPLEN;
  }

  /**
   * Sets the test's filter expression compiled with {@code bytes} as its snap length. Linux swaps the
   * programs in two steps (one that rejects everything in between, as libpcap drains the socket), so a
   * packet arriving within those microseconds is neither captured nor counted as dropped.
   */
  private synchronized void setKernelFilter(int bytes) throws PcapNativeException, NotOpenException {
    BpfProgram program = compile(expression, bytes);
    try {
      handle.setFilter(program);
    } finally {
      program.free();
    }
    kernelBytes = bytes;
  }

  /**
   * On the reader's thread, after each packet kept: has the kernel cut packets to headers once the capture
   * keeps only headers, and whole again after {@link io.faketcp.junit5.Capture#clear()}.
   */
  private void cutInKernel() {
    int bytes = kernelBytes(kept.limits().snapLength(), kept.headersOnly());
    if (bytes == kernelBytes || kernelCutFailed) {
      return;
    }
    synchronized (this) {
      if (!keeping) {
        return; // recycle() or start() sets the filter
      }
      try {
        setKernelFilter(bytes);
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        kernelCutFailed = true;
        LOG.log(System.Logger.Level.WARNING, "pcap could not set a filter keeping " + bytes + " bytes of each packet"
            + " on " + interfaceName + "; the capture cuts packets itself: " + e);
      }
    }
  }

  private void received(byte[] packet) {
    while (readersHeld) {
      LockSupport.parkNanos(1_000_000L);
    }
    if (!keeping) {
      kept.count();
      return;
    }
    Timestamp ts = handle.getTimestamp();
    long nanos = ts == null ? System.currentTimeMillis() * 1_000_000L
        : Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
    Integer length = handle.getOriginalLength();
    if (length != null && length > packet.length) {
      CUT_BY_KERNEL.incrementAndGet();
    }
    kept.add(packet, length == null ? packet.length : length, nanos, toSubnet(packet, subnet, subnet6));
    cutInKernel();
  }

  /**
   * Whether {@code packet} goes to the fake subnet: its destination is in {@code subnet} (IPv4) or
   * {@code subnet6} (IPv6; null: {@code subnet} if that is IPv6) but is not the host. Packets of
   * another kind count as to the subnet.
   */
  static boolean toSubnet(byte[] packet, Subnet subnet, Subnet subnet6) {
    if (subnet6 == null && subnet.isIpv6()) {
      subnet6 = subnet;
    }
    int version = packet.length > 0 ? (packet[0] & 0xf0) >> 4 : 0;
    if (version == 4 && packet.length >= 20 && !subnet.isIpv6()) {
      int destination = java.nio.ByteBuffer.wrap(packet).getInt(16);
      return subnet.contains(destination) && destination != subnet.hostAddressInt();
    }
    if (version == 6 && packet.length >= 40 && subnet6 != null) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(packet);
      long high = b.getLong(24);
      long low = b.getLong(32);
      return subnet6.contains(high, low) && !(high == subnet6.networkHigh() && low == subnet6.networkLow() + 1);
    }
    return true;
  }

  /** For tests: {@code true} makes every capture's reader wait before its next packet, until {@code false}. */
  static void holdReaders(boolean hold) {
    readersHeld = hold;
  }

  /** For tests: packets pcap has handed over cut (fewer bytes than on the wire), in this JVM. */
  static long packetsCutByKernel() {
    return CUT_BY_KERNEL.get();
  }

  /** Whether packets may still come into the kept ones: the reader runs and the capture is started. */
  private boolean live() {
    return keeping && readerAlive();
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

  /**
   * Packets pcap was handed since {@link #start}, those its ring dropped included, on the scale of
   * {@link #total()}: the capture is complete when it has read as many. -1 when pcap cannot tell.
   */
  @Override
  public long kernelReceivedSinceStart() {
    long[] stats = stats();
    return stats == null ? -1 : stats[0] - receivedOffset;
  }

  private long kernelDelivered() {
    long[] stats = stats();
    return stats == null ? -1 : stats[0] - stats[1];
  }

  /**
   * pcap's counts since the handle opened: packets received (that passed the filter) and dropped (ring
   * full); null when it cannot tell. One caller at a time: libpcap adds the kernel's counts, which each
   * read resets, to its own without a lock, so two threads at once could lose a drop.
   */
  private long[] stats() {
    synchronized (statsLock) {
      try {
        PcapStat stat = handle.getStats();
        return new long[] {stat.getNumPacketsReceived(), stat.getNumPacketsDropped()};
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        return null;
      }
    }
  }

  /** Counts packets read since the handle opened (not only since {@link #start}). */
  @Override
  public KeptPackets kept() {
    return kept;
  }

  /** Forgets the packets kept so far, and the counts of pcap's statistics so far for {@link #dropReport}. */
  @Override
  public void clear() {
    long[] stats = stats();
    if (stats != null) {
      statsBase = stats;
    }
    kept.clear();
  }

  /**
   * What the kernel says it dropped (ring full) since {@link #start} or the last {@link #clear}, or a note
   * why it cannot tell.
   */
  @Override
  public String dropReport() {
    long[] stats = stats();
    if (stats == null) {
      return "pcap statistics unavailable";
    }
    long[] base = statsBase;
    return "pcap received " + (stats[0] - base[0]) + ", dropped " + (stats[1] - base[1])
        + (error == null ? "" : "; the capture stopped with " + error);
  }

  /** pcap reads the device itself: the peer needs no listener. */
  @Override
  public PacketListener peerListener() {
    return null;
  }

  String interfaceName() {
    return interfaceName;
  }

  /** Stops keeping packets (the reader goes on reading and counting until {@link #close}). */
  @Override
  public void stop() {
    keeping = false;
    kept.wakeWaiters();
  }

  /** Stops the reading thread: breakLoop() wakes it even on an idle interface. */
  private void stopReader() {
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
    stopReader();
    handle.close();
  }
}
