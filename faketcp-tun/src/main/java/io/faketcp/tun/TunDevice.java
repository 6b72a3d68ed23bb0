package io.faketcp.tun;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.DeviceAccess;
import io.faketcp.tun.internal.LibC;
import io.faketcp.packet.Ipv6Packet;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

/**
 * A Linux tun interface (layer 3, no packet-information prefix) whose other end is this object.
 * Every IPv4 packet the kernel routes to the subnet can be {@linkplain #read read} here, and every
 * packet {@linkplain #write written} here arrives at the kernel as if it came from the subnet.
 *
 * <pre>{@code
 * try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.0.0/24")).open()) {
 *   // the kernel now has tunN with 192.168.0.1/24, up
 * } // the interface is gone
 * }</pre>
 *
 * <p>The device is configured with ioctls and {@code /proc/sys} writes only (no {@code ip} or
 * {@code ifconfig}). Without an IPv6 subnet, IPv6 is disabled on it so router solicitations do not
 * pollute captures; with one ({@link Builder#subnet} given an IPv6 prefix), IPv6 is enabled on it with no link-local
 * address, no duplicate address detection and no router solicitations, so the host's address is
 * usable at once and the device carries only the traffic of the subnets. The
 * fd is non-blocking: {@link #awaitReadable} polls it together with an eventfd, so that
 * {@link #close()} (from any thread) wakes a waiting reader and removes the interface at once.
 *
 * <p>Creating a tun device needs CAP_NET_ADMIN and {@code /dev/net/tun}. Run it in a private
 * network namespace ({@code bin/faketcp-netns}) so the subnet cannot collide with a real network.
 */
public final class TunDevice implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TunDevice.class.getName());
  private static final long CLOSE_WAIT_SECONDS = 5;
  /** Native calls of threads that are not attached (a wakeup, a test reading by hand). */
  private static final ThreadLocal<NativeCalls> CALLS = ThreadLocal.withInitial(NativeCalls::create);

  static {
    DeviceAccess.install(new TunDeviceAccess());
  }

  /** The packet system calls on the fd. */
  private final DeviceIo io;
  private final String name;
  private final Subnet subnet;
  /** The IPv6 subnet, or null. */
  private final Subnet subnet6;
  /** Whether the host holds an IPv4 address (false: IPv6 only). */
  private final boolean ipv4;
  private final int mtu;
  private final boolean multiQueue;
  /** Packets come and go behind a virtio_net_hdr, checksums may be left to complete ({@link Builder#checksumOffload}). */
  private final boolean checksumOffload;
  private final StampedLock lock = new StampedLock();
  /** Waits for the fd together with an eventfd that {@link #wakeup()} and {@link #close()} write. */
  private final DevicePoll poll;
  private volatile boolean closed;
  /** Whether {@link #addQueue()} opened this queue: closing it leaves the interface's addresses alone. */
  private boolean addedQueue;

  // The attached I/O thread (see attach()): written and read by that thread only; any other thread
  // reads a value that can never be itself, so a plain field is enough.
  private Thread ioThread;
  /** The attached thread's last read returned a packet (attached thread only). */
  private boolean draining;
  private NativeCalls ioCalls;
  private long ioStamp;

  /** A device on the open fd {@code fd} of the interface {@code name}, with {@code wakeFd} to wake its reader. */
  TunDevice(int fd, int wakeFd, String name, Subnet subnet, Subnet subnet6, boolean ipv4, int mtu,
      boolean multiQueue, boolean checksumOffload) {
    this.io = new DeviceIo(fd, name, checksumOffload);
    this.checksumOffload = checksumOffload;
    this.name = name;
    this.subnet = subnet;
    this.subnet6 = subnet6;
    this.ipv4 = ipv4;
    this.mtu = mtu;
    this.multiQueue = multiQueue;
    this.poll = new DevicePoll(fd, wakeFd);
  }

  /** A builder for a device named {@code tun%d} on {@link Subnet#DEFAULT} with MTU 1500. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How this JVM makes the per-packet system calls: {@code ffm} (JDK 22+: Foreign Function and
   * Memory downcalls) or {@code jna} (JDK 17-21). {@code -Dfaketcp.nativeCalls=jna|ffm} chooses.
   */
  public static String nativeCalls() {
    return NativeCalls.implementation();
  }

  /** The interface name the kernel gave the device, e.g. {@code tun0}. */
  public String name() {
    return name;
  }

  /** The subnet routed to this device; the host holds {@link Subnet#hostAddress()}. */
  public Subnet subnet() {
    return subnet;
  }

  /**
   * The IPv6 subnet routed to this device, if it has one: the host holds its first address
   * ({@code ::1}), the peer plays the others.
   */
  public java.util.Optional<Subnet> subnet6() {
    return java.util.Optional.ofNullable(subnet6);
  }

  /**
   * Whether the host holds an address of {@link #subnet()}: false when the device is IPv6 only (then
   * {@link #subnet()} is the default IPv4 subnet, which no packet reaches).
   */
  public boolean hasIpv4() {
    return ipv4;
  }

  /** The MTU set on the interface. */
  public int mtu() {
    return mtu;
  }

  /** Whether {@link #close()} has not been called yet. */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Makes the calling thread this device's I/O thread until the returned handle is closed: its
   * {@link #read}, {@link #write} and {@link #awaitReadable} calls then take no lock and allocate
   * nothing (other threads' calls take a shared lock each). {@link #close()} from another thread
   * wakes it and waits (up to 5 s) until its next call on the device, which throws the
   * "closed" {@link TunException}. One thread at a time.
   *
   * <pre>{@code
   * try (TunDevice.Attachment io = tun.attach()) {
   *   while (true) { ... tun.read(in) ... tun.write(out, length) ... tun.awaitReadable(-1) ... }
   * }
   * }</pre>
   *
   * @throws IllegalStateException if another thread is attached
   * @throws TunException when the device is closed
   */
  public Attachment attach() {
    Thread current = Thread.currentThread();
    if (ioThread == current) {
      throw new IllegalStateException("thread " + current.getName() + " is already attached to " + name);
    }
    long stamp = lock.tryReadLock();
    if (stamp == 0 || closed) {
      if (stamp != 0) {
        lock.unlockRead(stamp);
      }
      throw closedError("attach");
    }
    synchronized (this) {
      if (attachedThread != null) {
        lock.unlockRead(stamp);
        throw new IllegalStateException("thread " + attachedThread.getName() + " is already attached to " + name
            + ": one I/O thread per device (open more queues with addQueue() for more threads)");
      }
      attachedThread = current;
    }
    ioCalls = NativeCalls.create();
    draining = false;
    ioStamp = stamp;
    ioThread = current;
    return new Attachment(current);
  }

  private Thread attachedThread; // guarded by this: who holds the attachment, for the message above

  /**
   * Reads one packet, if one is waiting, into {@code buffer} (a direct buffer of at least
   * {@link #mtu()} bytes), from index 0; sets position 0 and limit to the packet's length.
   *
   * @return the packet's length, or 0 when no packet is waiting
   * @throws TunException when the device is closed or the kernel reports an error
   */
  public int read(ByteBuffer buffer) {
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed("read");
      }
      // Without errno: a failure right after a packet ends the batch (nearly always EAGAIN), and the
      // next poll (POLLERR/POLLHUP for a device gone) or the next read tells any other reason. Only a
      // read that fails with no packet since the last failure is made again, capturing errno.
      long n = io.readWithoutErrno(ioCalls.address(buffer), buffer.capacity(), ioCalls);
      if (n >= 0) {
        draining = true;
        buffer.limit((int) n).position(0);
        return (int) n;
      }
      if (draining) {
        draining = false;
        return 0;
      }
      int read = read(buffer, ioCalls);
      draining = read > 0;
      return read;
    }
    long stamp = enter("read");
    try {
      return read(buffer, CALLS.get());
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private int read(ByteBuffer buffer, NativeCalls calls) {
    long n = io.read(calls.address(buffer), buffer.capacity(), calls);
    if (n < 0) {
      return 0; // none waiting
    }
    buffer.limit((int) n).position(0);
    return (int) n;
  }

  /** Whether checksums are left to the reader ({@link Builder#checksumOffload}). */
  public boolean checksumOffload() {
    return checksumOffload;
  }

  /**
   * Whether the last packet the calling thread {@linkplain #read read} carries a partial checksum: a
   * TCP or UDP packet of the host's whose checksum field holds only the pseudo-header's sum, for the
   * reader to complete (or to trust: the host's stack made the packet). Always false without
   * {@link Builder#checksumOffload}.
   */
  public boolean checksumPending() {
    if (!checksumOffload) {
      return false;
    }
    return (Thread.currentThread() == ioThread ? ioCalls : CALLS.get()).checksumPending();
  }

  /**
   * Writes the packet in {@code buffer}'s [position, limit) to the kernel; the position is not
   * moved. {@code buffer} should be direct; a heap buffer is copied first.
   *
   * @throws TunException when the device is closed or the kernel refuses the packet
   */
  public void write(ByteBuffer buffer) {
    if (buffer.isDirect()) {
      write(buffer, buffer.position(), buffer.remaining());
    } else {
      ByteBuffer copy = ByteBuffer.allocateDirect(Math.max(1, buffer.remaining()));
      copy.put(0, buffer, buffer.position(), buffer.remaining());
      write(copy, 0, buffer.remaining());
    }
  }

  /**
   * Writes {@code buffer[0, length)} (a direct buffer) as one packet; position and limit are
   * ignored and not moved.
   *
   * @throws TunException when the device is closed or the kernel refuses the packet
   */
  public void write(ByteBuffer buffer, int length) {
    write(buffer, 0, length);
  }

  private void write(ByteBuffer buffer, int offset, int length) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("write(buffer, length) needs a direct ByteBuffer (ByteBuffer.allocateDirect)");
    }
    if (length < 0 || offset + length > buffer.capacity()) {
      throw new IllegalArgumentException("packet of " + length + " bytes at " + offset
          + " does not fit the buffer's capacity of " + buffer.capacity());
    }
    long stamp = begin("write");
    try {
      NativeCalls calls = calls(stamp);
      io.write(calls.address(buffer) + offset, length, calls, -1, 0);
    } finally {
      end(stamp);
    }
  }

  /**
   * Waits until a packet can be read, the timeout passes or {@link #wakeup()} is called. One thread
   * at a time.
   *
   * @param timeoutMillis how long to wait at most; 0 checks without waiting, -1 waits forever
   * @return true when a packet is waiting; false on timeout or wake-up
   * @throws TunException when the device is closed (also while waiting) or was deleted from outside
   */
  public boolean awaitReadable(int timeoutMillis) {
    long stamp = begin("poll");
    try {
      return awaitReadable(timeoutMillis, calls(stamp));
    } finally {
      end(stamp);
    }
  }

  private boolean awaitReadable(int timeoutMillis, NativeCalls calls) {
    int events = poll.await(timeoutMillis, calls);
    if (events < 0) {
      throw io.error("poll", -events);
    }
    if ((events & DevicePoll.WOKEN) != 0 && closed) {
      throw Thread.currentThread() == ioThread ? detachClosed("poll") : closedError("poll");
    }
    if ((events & DevicePoll.FAILED) != 0) {
      throw new TunException("poll(" + name + ") reported an error on the tun fd: the interface "
          + name + " was deleted from outside (e.g. by 'ip link del') while the peer was running");
    }
    return (events & DevicePoll.READABLE) != 0;
  }

  /** Makes a thread waiting in {@link #awaitReadable} return false at once. Any thread may call it. */
  public void wakeup() {
    if (!closed) {
      poll.wake(Thread.currentThread() == ioThread ? ioCalls : CALLS.get());
    }
  }

  /**
   * Opens another queue of this multi-queue device ({@link Builder#multiQueue}): a device object
   * with its own fd on the same interface, so that another thread can read and write in parallel.
   * The kernel spreads flows over the queues by a hash of their addresses and ports and sends a
   * flow's packets to the queue that last wrote for it, so one thread per queue sees whole
   * conversations. The interface goes away when its last queue is closed.
   *
   * @throws IllegalStateException if the device was not built with {@link Builder#multiQueue}
   * @throws TunException when this device is closed or the kernel refuses another queue
   */
  public TunDevice addQueue() {
    if (!multiQueue) {
      throw new IllegalStateException(name + " has one queue: build it with TunDevice.builder().multiQueue(true)");
    }
    long stamp = enter("addQueue");
    try {
      TunDevice queue = DeviceSetup.open(name, subnet, subnet6, ipv4, mtu, 0, true, checksumOffload, false);
      queue.addedQueue = true;
      return queue;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Removes the interface (or, for a multi-queue device, this queue; the interface goes with the
   * last): wakes any thread waiting in {@link #awaitReadable} (it gets a {@link TunException}),
   * waits for calls in progress and for the attached thread's next call (at most 5 s), then closes
   * the fd, which makes the kernel delete the interface. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() == ioThread) {
      detach();
    }
    poll.wake(CALLS.get());
    long stamp = 0;
    try {
      stamp = lock.tryWriteLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (stamp == 0) {
      LOG.log(System.Logger.Level.WARNING, "{0}: the attached thread did not return to the device within {1} s;"
          + " closing anyway", name, CLOSE_WAIT_SECONDS);
    }
    try {
      if (subnet6 != null && !addedQueue) {
        DeviceSetup.removeAddress6Quietly(name, subnet6); // the route would take the prefix until the kernel is done
      }
      DeviceSetup.closeQuietly(io.fd());
      poll.close();
      LOG.log(System.Logger.Level.DEBUG, "closed {0}", name);
    } finally {
      if (stamp != 0) {
        lock.unlockWrite(stamp);
      }
    }
  }

  /** The attached thread's lease, released once (by that thread, or when it meets a closed device). */
  private void detach() {
    if (ioStamp != 0) {
      long stamp = ioStamp;
      ioStamp = 0;
      ioThread = null;
      ioCalls = null;
      synchronized (this) {
        attachedThread = null;
      }
      lock.unlockRead(stamp);
    }
  }

  private TunException detachClosed(String call) {
    detach();
    return closedError(call);
  }

  /**
   * The calling thread's claim on a device, from {@link TunDevice#attach()}; closing it makes the
   * thread an ordinary caller again. Close it on the thread that attached.
   */
  public final class Attachment implements AutoCloseable {
    private final Thread thread;

    private Attachment(Thread thread) {
      this.thread = thread;
    }

    /** Releases the claim; idempotent; a no-op once the device has been closed. */
    @Override
    public void close() {
      if (Thread.currentThread() != thread) {
        throw new IllegalStateException("close the attachment of " + name + " on the thread that attached ("
            + thread.getName() + "), not on " + Thread.currentThread().getName());
      }
      if (ioThread == thread) {
        detach();
      }
    }
  }

  @Override
  public String toString() {
    String v4 = ipv4 ? Subnet.format(subnet.hostAddressInt()) + "/" + subnet.prefixLength() : "";
    String v6 = subnet6 == null ? "" : Ipv6Packet.toText((Inet6Address) subnet6.host()) + "/" + subnet6.prefixLength();
    return name + " " + v4 + (!v4.isEmpty() && !v6.isEmpty() ? " " : "") + v6;
  }

  /** {@link DeviceAccess#withdrawAddress}: the kernel stops routing the subnet here at once. */
  void withdrawAddress() {
    long stamp = enter("withdrawAddress");
    try {
      DeviceSetup.withdrawAddress(name, ipv4, subnet6);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** {@link DeviceAccess#restoreAddress}. */
  void restoreAddress() {
    long stamp = enter("restoreAddress");
    try {
      DeviceSetup.restoreAddress(name, ipv4, subnet, subnet6);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Begins a call on the device: 0 for the attached thread (its lease holds the lock), else a stamp of
   * the shared lock; {@link #end(long)} it. Throws when the device is closed.
   */
  long begin(String call) {
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed(call);
      }
      return 0;
    }
    return enter(call);
  }

  /** The native calls of the call {@link #begin(String)} began. */
  NativeCalls calls(long stamp) {
    return stamp == 0 ? ioCalls : CALLS.get();
  }

  void end(long stamp) {
    if (stamp != 0) {
      lock.unlockRead(stamp);
    }
  }

  /** The packet system calls on the fd. */
  DeviceIo io() {
    return io;
  }

  private long enter(String call) {
    long stamp = lock.readLock();
    if (closed) {
      lock.unlockRead(stamp);
      throw closedError(call);
    }
    return stamp;
  }

  /** The native address of a direct buffer's first byte. */
  static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  private TunException closedError(String call) {
    return new TunException(call + "(" + name + ") on a closed tun device", LibC.EBADFD, null);
  }

  /**
   * Configures and {@linkplain #open() opens} a {@link TunDevice}.
   */
  public static final class Builder {
    private String name = "tun%d";
    /** The IPv4 subnet given, or null: the default, unless only an IPv6 one is given. */
    private Subnet subnet;
    private Subnet subnet6;
    private int mtu = 1500;
    private int txQueueLength = 4096;
    private boolean multiQueue;
    private boolean checksumOffload;

    private Builder() {}

    /**
     * The interface name, or a pattern with one {@code %d} the kernel fills with the first free
     * number ({@code tun%d}, the default). ASCII letters, digits, '-', '_', '.', shorter than 16 bytes.
     */
    public Builder name(String name) {
      this.name = DeviceSetup.validateName(name);
      return this;
    }

    /**
     * The IPv4 or the IPv6 subnet, by its family; the host gets its first address ({@code .1},
     * {@code ::1}), the peer plays every other. Give one of each for dual stack. Default
     * {@link Subnet#DEFAULT} alone; an IPv6 subnet given alone makes an IPv6-only device.
     */
    public Builder subnet(Subnet subnet) {
      if (subnet == null) {
        throw new IllegalArgumentException("subnet is null");
      }
      if (subnet.isIpv6()) {
        this.subnet6 = subnet;
      } else {
        this.subnet = subnet;
      }
      return this;
    }

    /** The interface MTU, 576 to 65535. Default 1500. */
    public Builder mtu(int mtu) {
      if (mtu < 576 || mtu > 65535) {
        throw new IllegalArgumentException("mtu " + mtu + " is out of range: expected 576 to 65535");
      }
      this.mtu = mtu;
      return this;
    }

    /**
     * How many packets the kernel queues for the peer before dropping (the interface's
     * txqueuelen), 1 to 1,000,000. Default 4096, eight times Linux's default for tun: bursts from
     * many busy connections or thousands of handshakes fit, so the kernel rarely has to retransmit.
     */
    public Builder txQueueLength(int packets) {
      if (packets < 1 || packets > 1_000_000) {
        throw new IllegalArgumentException("txQueueLength " + packets + " is out of range: expected 1 to 1000000");
      }
      this.txQueueLength = packets;
      return this;
    }

    /**
     * Whether the interface has several queues ({@code IFF_MULTI_QUEUE}): the device opened is the
     * first, {@link TunDevice#addQueue()} opens more, one thread each. Default false.
     */
    public Builder multiQueue(boolean multiQueue) {
      this.multiQueue = multiQueue;
      return this;
    }

    /**
     * Whether checksums are left to the reader, as to a network card that computes them
     * ({@code IFF_VNET_HDR} with {@code TUNSETOFFLOAD(TUN_F_CSUM)}): the host's stack then neither
     * computes the TCP and UDP checksums of the packets it sends here nor checks those of the packets
     * it receives from here, which at large MTUs is a good part of the CPU one connection costs.
     * Default false; IPv4 only ({@link #open()} refuses it with an IPv6 subnet).
     *
     * <p>With it, a TCP or UDP packet {@link TunDevice#read read} may carry a partial checksum (only the
     * pseudo-header's sum, not yet complemented, as the host leaves it for the card):
     * {@link TunDevice#checksumPending()} says so for the last packet read. Packets written with
     * {@link TunDevice#write} go as they are, checksums complete. A capture on the interface sees the
     * host's packets with their partial checksums, as on a card with offload.
     */
    public Builder checksumOffload(boolean checksumOffload) {
      this.checksumOffload = checksumOffload;
      return this;
    }

    /**
     * Creates the interface, gives the host the subnets' first addresses, sets the MTU, disables
     * IPv6 on it (or, with an IPv6 subnet, enables it quietly) and brings it up.
     *
     * @throws TunException naming the failed call, the error text and the fix
     */
    public TunDevice open() {
      return DeviceSetup.create(name, subnet, subnet6, mtu, txQueueLength, multiQueue, checksumOffload);
    }

  }
}
