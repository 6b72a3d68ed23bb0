package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.faketcp.tun.internal.DeviceAccess;
import io.faketcp.tun.internal.IfTun;
import io.faketcp.tun.internal.Ifreq;
import io.faketcp.tun.internal.LibC;
import io.faketcp.packet.Ipv6Packet;
import java.io.IOException;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private static final String CLONE_DEVICE = "/dev/net/tun";
  private static final int POLLFD_SIZE = 8;
  private static final int REVENTS = 6;
  private static final long CLOSE_WAIT_SECONDS = 5;
  /** Native calls of threads that are not attached (a wakeup, a test reading by hand). */
  private static final ThreadLocal<NativeCalls> CALLS = ThreadLocal.withInitial(NativeCalls::create);
  private static final AtomicBoolean TX_QUEUE_WARNED = new AtomicBoolean();

  static {
    DeviceAccess.install(new DeviceAccess<TunDevice>() {
      @Override
      public void withdrawAddress(TunDevice device) {
        device.withdrawAddress();
      }

      @Override
      public void restoreAddress(TunDevice device) {
        device.restoreAddress();
      }

      @Override
      public void writeChecksumPending(TunDevice device, ByteBuffer buffer, int length, int checksumStart,
          int checksumOffset) {
        device.writeChecksumPending(buffer, length, checksumStart, checksumOffset);
      }

      @Override
      public void writeGather(TunDevice device, ByteBuffer header, int headerLength, ByteBuffer payload,
          int checksumStart, int checksumOffset) {
        device.writeGather(header, headerLength, payload, checksumStart, checksumOffset);
      }
    });
  }

  private final int fd;
  private final int wakeFd;
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
  private final ByteBuffer pollFds = directBuffer(2 * POLLFD_SIZE);
  private final long pollFdsAddress = address(pollFds);
  private final ByteBuffer wakeValue = directBuffer(8).putLong(0, 1L);
  private final long wakeValueAddress = address(wakeValue);
  private final ByteBuffer drain = directBuffer(8);
  private final long drainAddress = address(drain);
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

  private TunDevice(int fd, int wakeFd, String name, Subnet subnet, Subnet subnet6, boolean ipv4, int mtu,
      boolean multiQueue, boolean checksumOffload) {
    this.fd = fd;
    this.checksumOffload = checksumOffload;
    this.wakeFd = wakeFd;
    this.name = name;
    this.subnet = subnet;
    this.subnet6 = subnet6;
    this.ipv4 = ipv4;
    this.mtu = mtu;
    this.multiQueue = multiQueue;
    pollFds.putInt(0, fd);
    pollFds.putShort(4, LibC.POLLIN);
    pollFds.putInt(POLLFD_SIZE, wakeFd);
    pollFds.putShort(POLLFD_SIZE + 4, LibC.POLLIN);
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
      long n = checksumOffload ? ioCalls.readWithHeader(fd, ioCalls.address(buffer), buffer.capacity())
          : ioCalls.readWithoutErrno(fd, ioCalls.address(buffer), buffer.capacity());
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
    long address = calls.address(buffer);
    while (true) {
      long n = checksumOffload ? calls.readWithHeader(fd, address, buffer.capacity())
          : calls.read(fd, address, buffer.capacity());
      if (n >= 0) {
        buffer.limit((int) n).position(0);
        return (int) n;
      }
      int errno = calls.errno();
      if (errno == LibC.EAGAIN) {
        return 0;
      }
      if (errno != LibC.EINTR) {
        throw ioError("read", errno);
      }
    }
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
   * Writes {@code buffer[0, length)}, a TCP or UDP packet whose checksum field at {@code checksumStart +
   * checksumOffset} holds the pseudo-header's sum (folded, not complemented): the kernel completes it
   * over {@code [checksumStart, length)}. Only with {@link Builder#checksumOffload}.
   */
  void writeChecksumPending(ByteBuffer buffer, int length, int checksumStart, int checksumOffset) {
    if (!checksumOffload) {
      throw new IllegalStateException(name + " was opened without checksum offload: write complete checksums");
    }
    if (!buffer.isDirect() || length < 0 || length > buffer.capacity()) {
      throw new IllegalArgumentException("packet of " + length + " bytes in a buffer of " + buffer.capacity()
          + (buffer.isDirect() ? "" : " (not direct)"));
    }
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed("write");
      }
      write(ioCalls.address(buffer), length, ioCalls, checksumStart, checksumOffset);
      return;
    }
    long stamp = enter("write");
    try {
      NativeCalls calls = CALLS.get();
      write(calls.address(buffer), length, calls, checksumStart, checksumOffset);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** {@link io.faketcp.tun.internal.DeviceAccess#writeGather}. */
  void writeGather(ByteBuffer header, int headerLength, ByteBuffer payload, int checksumStart, int checksumOffset) {
    if (checksumStart >= 0 && !checksumOffload) {
      throw new IllegalStateException(name + " was opened without checksum offload: write complete checksums");
    }
    if (!header.isDirect() || !payload.isDirect() || headerLength < 0 || headerLength > header.capacity()) {
      throw new IllegalArgumentException("headers of " + headerLength + " bytes in a buffer of " + header.capacity()
          + (header.isDirect() ? "" : " (not direct)") + ", payload " + (payload.isDirect() ? "direct" : "not direct"));
    }
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed("write");
      }
      writeGather(ioCalls, header, headerLength, payload, checksumStart, checksumOffset);
      return;
    }
    long stamp = enter("write");
    try {
      writeGather(CALLS.get(), header, headerLength, payload, checksumStart, checksumOffset);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private void writeGather(NativeCalls calls, ByteBuffer header, int headerLength, ByteBuffer payload,
      int checksumStart, int checksumOffset) {
    long headerAddress = calls.address(header);
    // Looked up each time (a JNI call, once per segment of 4 KiB or more): remembering a send queue's
    // buffer here would keep it, and its megabytes, for as long as the device.
    long payloadAddress = address(payload) + payload.position();
    while (true) {
      long n = calls.writeGather(fd, headerAddress, headerLength, payloadAddress, payload.remaining(), checksumOffload,
          checksumStart, checksumOffset);
      if (n >= 0) {
        return;
      }
      int errno = calls.errno();
      if (errno != LibC.EINTR) {
        throw ioError("write", errno);
      }
    }
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
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed("write");
      }
      write(ioCalls.address(buffer) + offset, length, ioCalls, -1, 0);
      return;
    }
    long stamp = enter("write");
    try {
      NativeCalls calls = CALLS.get();
      write(calls.address(buffer) + offset, length, calls, -1, 0);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Writes one packet; with checksum offload, behind a header that leaves its checksum at
   * {@code checksumStart + checksumOffset} to the kernel when {@code checksumStart} is not negative.
   */
  private void write(long address, int length, NativeCalls calls, int checksumStart, int checksumOffset) {
    while (true) {
      long n = checksumOffload ? calls.writeWithHeader(fd, address, length, checksumStart, checksumOffset)
          : calls.write(fd, address, length);
      if (n >= 0) {
        return;
      }
      int errno = calls.errno();
      if (errno != LibC.EINTR) {
        throw ioError("write", errno);
      }
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
    if (Thread.currentThread() == ioThread) {
      if (closed) {
        throw detachClosed("poll");
      }
      return awaitReadable(timeoutMillis, ioCalls);
    }
    long stamp = enter("poll");
    try {
      return awaitReadable(timeoutMillis, CALLS.get());
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private boolean awaitReadable(int timeoutMillis, NativeCalls calls) {
    pollFds.putShort(REVENTS, (short) 0);
    pollFds.putShort(POLLFD_SIZE + REVENTS, (short) 0);
    int n = calls.poll(pollFdsAddress, 2, timeoutMillis);
    if (n < 0) {
      int errno = calls.errno();
      if (errno == LibC.EINTR) {
        return false;
      }
      throw ioError("poll", errno);
    }
    if (n == 0) {
      return false;
    }
    if (pollFds.getShort(POLLFD_SIZE + REVENTS) != 0) {
      calls.read(wakeFd, drainAddress, 8);
      if (closed) {
        throw Thread.currentThread() == ioThread ? detachClosed("poll") : closedError("poll");
      }
    }
    short events = pollFds.getShort(REVENTS);
    if ((events & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0) {
      throw new TunException("poll(" + name + ") reported an error on the tun fd: the interface "
          + name + " was deleted from outside (e.g. by 'ip link del') while the peer was running");
    }
    return (events & LibC.POLLIN) != 0;
  }

  /** Makes a thread waiting in {@link #awaitReadable} return false at once. Any thread may call it. */
  public void wakeup() {
    if (!closed) {
      NativeCalls calls = Thread.currentThread() == ioThread ? ioCalls : CALLS.get();
      calls.write(wakeFd, wakeValueAddress, 8);
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
      TunDevice queue = Builder.openQueue(name, subnet, subnet6, ipv4, mtu, true, checksumOffload);
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
    CALLS.get().write(wakeFd, wakeValueAddress, 8);
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
        removeAddress6Quietly();
      }
      closeQuietly(fd);
      closeQuietly(wakeFd);
      LOG.log(System.Logger.Level.DEBUG, "closed {0}", name);
    } finally {
      if (stamp != 0) {
        lock.unlockWrite(stamp);
      }
    }
  }

  /**
   * Takes the IPv6 address off before the fd closes: the kernel removes the interface later, and
   * until then its route would still take the prefix's packets from a device opened meanwhile.
   */
  private void removeAddress6Quietly() {
    try (InterfaceControl control = InterfaceControl.open()) {
      control.removeAddress6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
    } catch (TunException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: removing the IPv6 address before closing failed: {1}", name,
          e.getMessage());
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

  /**
   * Takes the host's address (and so the subnet's routes) off the interface, leaving it up and
   * open: the kernel stops sending the subnet's traffic here at once. Closing a tun device waits
   * for the kernel (tens of milliseconds); withdrawing first lets a fixture close it in the
   * background while the next test's device already owns the subnet.
   *
   * @throws TunException when the device is closed or the ioctl fails
   */
  void withdrawAddress() {
    long stamp = enter("withdrawAddress");
    try (InterfaceControl control = InterfaceControl.open()) {
      if (ipv4) {
        control.removeAddress(name);
      }
      if (subnet6 != null) {
        control.removeAddress6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Gives the host its address and netmask on the interface again after {@link #withdrawAddress()}.
   *
   * @throws TunException when the device is closed or the ioctl fails
   */
  void restoreAddress() {
    long stamp = enter("restoreAddress");
    try (InterfaceControl control = InterfaceControl.open()) {
      if (ipv4) {
        control.address(name, subnet.hostAddress());
        control.netmask(name, subnet.netmask());
      }
      if (subnet6 != null) {
        control.address6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** A failed set-up call as a {@link TunException}: the call, the strerror text and the fix. */
  static TunException failure(String what, String name, LastErrorException e) {
    int errno = e.getErrorCode();
    return new TunException(what + " failed: " + LibC.strerror(errno) + fix(what, name, errno), errno, e);
  }

  private static String fix(String what, String name, int errno) {
    if (what.startsWith("open(") && errno == 2) {
      return " - the tun driver is missing: load it with 'modprobe tun' (in a container, pass --device /dev/net/tun)";
    }
    if (errno == LibC.EPERM || errno == 13) {
      return " - creating and configuring a tun device needs CAP_NET_ADMIN: run as root, or in a user+network"
          + " namespace: bin/faketcp-netns <command> (unshare --user --map-root-user --net)";
    }
    if (errno == 16) {
      return " - an interface named " + name + " already exists: choose another name or a pattern like tun%d";
    }
    if (what.startsWith("ioctl(SIOCSIFMTU")) {
      return " - the kernel refused that MTU";
    }
    return "";
  }

  private long enter(String call) {
    long stamp = lock.readLock();
    if (closed) {
      lock.unlockRead(stamp);
      throw closedError(call);
    }
    return stamp;
  }

  private static ByteBuffer directBuffer(int size) {
    return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
  }

  /** The native address of a direct buffer's first byte. */
  static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  private TunException closedError(String call) {
    return new TunException(call + "(" + name + ") on a closed tun device", LibC.EBADFD, null);
  }

  private TunException ioError(String call, int errno) {
    String text = call + "(" + name + ") failed: " + LibC.strerror(errno);
    if (errno == LibC.EBADFD || errno == LibC.ENODEV) {
      text += " - the interface " + name + " was deleted from outside (e.g. by 'ip link del')";
    } else if (errno == LibC.EIO) {
      text += " - the interface " + name + " is down";
    } else if (errno == LibC.EINVAL && call.equals("write")) {
      text += " - the kernel refused the packet as malformed";
    }
    return new TunException(text, errno, null);
  }

  private static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException e) {
      LOG.log(System.Logger.Level.DEBUG, "close({0}) failed: {1}", fd, LibC.strerror(e.getErrorCode()));
    }
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
      this.name = validateName(name);
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
      boolean required = Prerequisites.privateNamespaceRequired();
      java.util.Optional<String> refusal = Prerequisites.namespaceRefusal(required,
          required && Prerequisites.inPrivateNamespace()); // /proc is read only when the guard is on
      if (refusal.isPresent()) {
        throw new TunException(refusal.get());
      }
      boolean ipv4 = subnet != null || subnet6 == null;
      Subnet subnet = this.subnet != null ? this.subnet : Subnet.DEFAULT;
      if (subnet6 != null && checksumOffload) {
        throw new IllegalArgumentException("checksumOffload(true) with the IPv6 subnet " + subnet6 + ": the device"
            + " leaves checksums to its reader for IPv4 only; drop checksumOffload, or the IPv6 subnet");
      }
      if (subnet6 != null && mtu < Ipv6Sysctls.MINIMUM_MTU) {
        throw new IllegalArgumentException("mtu " + mtu + " is below IPv6's minimum of " + Ipv6Sysctls.MINIMUM_MTU
            + ": the kernel turns IPv6 off on such a link; use an mtu of at least 1280 with an IPv6 subnet");
      }
      int fd = -1;
      try {
        String[] actual = {name};
        fd = openFd(actual, multiQueue, checksumOffload);
        if (subnet6 == null) {
          disableIpv6(actual[0]);
        } else {
          Ipv6Sysctls.enableQuietly(actual[0]);
        }
        try (InterfaceControl control = InterfaceControl.open()) {
          control.mtu(actual[0], mtu);
          setTxQueueLength(control, actual[0]);
          if (ipv4) {
            control.address(actual[0], subnet.hostAddress());
            control.netmask(actual[0], subnet.netmask());
          }
          control.up(actual[0]);
          if (subnet6 != null) {
            control.address6(actual[0], (Inet6Address) subnet6.host(), subnet6.prefixLength());
          }
        }
        TunDevice device = withWakeFd(fd, actual[0], subnet, subnet6, ipv4, mtu, multiQueue, checksumOffload);
        fd = -1;
        return device;
      } finally {
        if (fd >= 0) {
          closeQuietly(fd);
        }
      }
    }

    /** Another queue of the multi-queue interface {@code name}, already configured. */
    static TunDevice openQueue(String name, Subnet subnet, Subnet subnet6, boolean ipv4, int mtu,
        boolean multiQueue, boolean checksumOffload) {
      int fd = -1;
      try {
        fd = openFd(new String[] {name}, multiQueue, checksumOffload);
        TunDevice device = withWakeFd(fd, name, subnet, subnet6, ipv4, mtu, multiQueue, checksumOffload);
        fd = -1;
        return device;
      } finally {
        if (fd >= 0) {
          closeQuietly(fd);
        }
      }
    }

    /**
     * The transmit queue is a tuning, not a requirement: the kernel refuses SIOCSIFTXQLEN with EPERM
     * to root in a user namespace (the rootless way), which may do everything else here. The device
     * then keeps the kernel's default queue length; said once per JVM.
     */
    private void setTxQueueLength(InterfaceControl control, String actual) {
      try {
        control.txQueueLength(actual, txQueueLength);
      } catch (TunException e) {
        if (e.errno() != LibC.EPERM) {
          throw e;
        }
        if (!TX_QUEUE_WARNED.getAndSet(true)) {
          LOG.log(System.Logger.Level.INFO, "txqueuelen of {0} left at the kernel default: setting it to {1}"
              + " is not permitted here (root in a user namespace); very busy DISCARD flows may see"
              + " retransmissions", actual, String.valueOf(txQueueLength));
        }
      }
    }

    /** Opens the clone device and attaches it to {@code name[0]}, which becomes the actual name. */
    private static int openFd(String[] name, boolean multiQueue, boolean checksumOffload) {
      int fd = call("open(" + CLONE_DEVICE + ")", name[0],
          () -> LibC.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
      try {
        int flags = IfTun.IFF_TUN | IfTun.IFF_NO_PI | (multiQueue ? IfTun.IFF_MULTI_QUEUE : 0)
            | (checksumOffload ? IfTun.IFF_VNET_HDR : 0);
        Ifreq request = new Ifreq(name[0]).flags(flags);
        call("ioctl(TUNSETIFF, " + name[0] + ")", name[0], () -> LibC.ioctl(fd, new NativeLong(IfTun.TUNSETIFF), request));
        name[0] = request.name();
        if (checksumOffload) {
          call("ioctl(TUNSETOFFLOAD, TUN_F_CSUM)", name[0],
              () -> LibC.ioctl(fd, new NativeLong(IfTun.TUNSETOFFLOAD), new NativeLong(IfTun.TUN_F_CSUM)));
        }
        return fd;
      } catch (RuntimeException e) {
        closeQuietly(fd);
        throw e;
      }
    }

    private static TunDevice withWakeFd(int fd, String name, Subnet subnet, Subnet subnet6, boolean ipv4, int mtu,
        boolean multiQueue, boolean checksumOffload) {
      int wakeFd = call("eventfd", name, () -> LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC));
      TunDevice device = new TunDevice(fd, wakeFd, name, subnet, subnet6, ipv4, mtu, multiQueue, checksumOffload);
      LOG.log(System.Logger.Level.DEBUG, "opened {0}", device);
      return device;
    }

    private static void disableIpv6(String name) {
      Path knob = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
      if (!Files.exists(knob)) {
        return; // kernel without IPv6: nothing to silence
      }
      try {
        Files.write(knob, "1".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // Not fatal: the device works, captures may only see router solicitations.
        LOG.log(System.Logger.Level.WARNING, "could not disable IPv6 on {0} ({1}): {2}", name, knob, e);
      }
    }

    private static int call(String what, String name, NativeCall call) {
      try {
        return call.run();
      } catch (LastErrorException e) {
        throw failure(what, name, e);
      }
    }

    static String validateName(String name) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("device name is empty: use a name like faketcp0 or a pattern like tun%d");
      }
      if (name.length() >= Ifreq.IFNAMSIZ) {
        throw new IllegalArgumentException("device name '" + name + "' is " + name.length()
            + " characters: it must be shorter than " + Ifreq.IFNAMSIZ);
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '%');
        if (!ok) {
          throw new IllegalArgumentException("device name '" + name + "' has character '" + c
              + "': use ASCII letters, digits, '-', '_', '.' and at most one %d");
        }
      }
      int percent = name.indexOf('%');
      if (percent >= 0 && (!name.startsWith("%d", percent) || name.indexOf('%', percent + 1) >= 0)) {
        throw new IllegalArgumentException("device name '" + name
            + "' may hold only one '%d' (the number the kernel chooses), no other '%'");
      }
      if (name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException("device name '" + name + "' is not a valid interface name");
      }
      return name;
    }
  }

  @FunctionalInterface
  private interface NativeCall {
    int run() throws LastErrorException;
  }
}
