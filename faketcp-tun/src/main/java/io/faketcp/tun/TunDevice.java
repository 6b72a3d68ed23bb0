package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.faketcp.tun.jna.IfTun;
import io.faketcp.tun.jna.Ifreq;
import io.faketcp.tun.jna.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code ifconfig}), with IPv6 disabled on it so router solicitations do not pollute captures. The
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
  private static final NativeLong TWO_FDS = new NativeLong(2);
  private static final AtomicBoolean TX_QUEUE_WARNED = new AtomicBoolean();

  private final int fd;
  private final int wakeFd;
  private final String name;
  private final Subnet subnet;
  private final int mtu;
  private final StampedLock lock = new StampedLock();
  private final Memory pollFds = new Memory(2 * POLLFD_SIZE);
  private final Memory wakeValue = new Memory(8);
  private final Memory drain = new Memory(8);
  private volatile boolean closed;

  private ByteBuffer readBuffer;
  private Pointer readPointer;

  private TunDevice(int fd, int wakeFd, String name, Subnet subnet, int mtu) {
    this.fd = fd;
    this.wakeFd = wakeFd;
    this.name = name;
    this.subnet = subnet;
    this.mtu = mtu;
    wakeValue.setLong(0, 1L);
    pollFds.setInt(0, fd);
    pollFds.setShort(4, LibC.POLLIN);
    pollFds.setInt(POLLFD_SIZE, wakeFd);
    pollFds.setShort(POLLFD_SIZE + 4, LibC.POLLIN);
  }

  /** A builder for a device named {@code tun%d} on {@link Subnet#DEFAULT} with MTU 1500. */
  public static Builder builder() {
    return new Builder();
  }

  /** The interface name the kernel gave the device, e.g. {@code tun0}. */
  public String name() {
    return name;
  }

  /** The subnet routed to this device; the host holds {@link Subnet#hostAddress()}. */
  public Subnet subnet() {
    return subnet;
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
   * Reads one packet, if one is waiting, into {@code buffer} (a direct buffer of at least
   * {@link #mtu()} bytes), from index 0; sets position 0 and limit to the packet's length.
   *
   * @return the packet's length, or 0 when no packet is waiting
   * @throws TunException when the device is closed or the kernel reports an error
   */
  public int read(ByteBuffer buffer) {
    Pointer pointer = pointer(buffer);
    long stamp = enter("read");
    try {
      while (true) {
        long n = LibC.read(fd, pointer, buffer.capacity());
        if (n >= 0) {
          buffer.limit((int) n).position(0);
          return (int) n;
        }
        int errno = Native.getLastError();
        if (errno == LibC.EAGAIN) {
          return 0;
        }
        if (errno != LibC.EINTR) {
          throw ioError("read", errno);
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Writes the packet in {@code buffer}'s [position, limit) to the kernel; the position is not
   * moved. {@code buffer} should be direct; a heap buffer is copied first.
   *
   * @throws TunException when the device is closed or the kernel refuses the packet
   */
  public void write(ByteBuffer buffer) {
    int length = buffer.remaining();
    Pointer pointer;
    if (buffer.isDirect()) {
      pointer = Native.getDirectBufferPointer(buffer).share(buffer.position());
    } else {
      Memory copy = new Memory(Math.max(1, length));
      byte[] bytes = new byte[length];
      buffer.duplicate().get(bytes);
      copy.write(0, bytes, 0, length);
      pointer = copy;
    }
    write(pointer, length);
  }

  /** Writes {@code length} bytes at {@code packet} (native memory) as one packet. */
  public void write(Pointer packet, int length) {
    long stamp = enter("write");
    try {
      while (true) {
        long n = LibC.write(fd, packet, length);
        if (n >= 0) {
          return;
        }
        int errno = Native.getLastError();
        if (errno != LibC.EINTR) {
          throw ioError("write", errno);
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Waits until a packet can be read, the timeout passes or {@link #wakeup()} is called.
   *
   * @param timeoutMillis how long to wait at most; 0 checks without waiting, -1 waits forever
   * @return true when a packet is waiting; false on timeout or wake-up
   * @throws TunException when the device is closed (also while waiting) or was deleted from outside
   */
  public boolean awaitReadable(int timeoutMillis) {
    long stamp = enter("poll");
    try {
      pollFds.setShort(6, (short) 0);
      pollFds.setShort(POLLFD_SIZE + 6, (short) 0);
      int n = LibC.poll(pollFds, TWO_FDS, timeoutMillis);
      if (n < 0) {
        int errno = Native.getLastError();
        if (errno == LibC.EINTR) {
          return false;
        }
        throw ioError("poll", errno);
      }
      short wake = pollFds.getShort(POLLFD_SIZE + 6);
      if (wake != 0) {
        LibC.read(wakeFd, drain, 8);
        if (closed) {
          throw closedError("poll");
        }
      }
      short events = pollFds.getShort(6);
      if ((events & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0) {
        throw new TunException("poll(" + name + ") reported an error on the tun fd: the interface "
            + name + " was deleted from outside (e.g. by 'ip link del') while the peer was running");
      }
      return (events & LibC.POLLIN) != 0;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Makes a thread waiting in {@link #awaitReadable} return false at once. Any thread may call it. */
  public void wakeup() {
    if (!closed) {
      LibC.write(wakeFd, wakeValue, 8);
    }
  }

  /**
   * Removes the interface: wakes any thread waiting in {@link #awaitReadable} (it gets a
   * {@link TunException}), waits for calls in progress to return, then closes the fd, which makes
   * the kernel delete the interface. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LibC.write(wakeFd, wakeValue, 8);
    long stamp = lock.writeLock();
    try {
      closeQuietly(fd);
      closeQuietly(wakeFd);
      LOG.log(System.Logger.Level.DEBUG, "closed {0}", name);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  @Override
  public String toString() {
    return name + " " + Subnet.format(subnet.hostAddressInt()) + "/" + subnet.prefixLength();
  }

  /**
   * Takes the host's address (and so the subnet's routes) off the interface, leaving it up and
   * open: the kernel stops sending the subnet's traffic here at once. Closing a tun device waits
   * for the kernel (tens of milliseconds); withdrawing first lets a fixture close it in the
   * background while the next test's device already owns the subnet.
   *
   * @throws TunException when the device is closed or the ioctl fails
   */
  public void withdrawAddress() {
    long stamp = enter("withdrawAddress");
    try (InterfaceControl control = InterfaceControl.open()) {
      control.removeAddress(name);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Gives the host its address and netmask on the interface again after {@link #withdrawAddress()}.
   *
   * @throws TunException when the device is closed or the ioctl fails
   */
  public void restoreAddress() {
    long stamp = enter("restoreAddress");
    try (InterfaceControl control = InterfaceControl.open()) {
      control.address(name, subnet.hostAddress());
      control.netmask(name, subnet.netmask());
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

  private Pointer pointer(ByteBuffer buffer) {
    if (buffer != readBuffer) {
      if (!buffer.isDirect()) {
        throw new IllegalArgumentException("read needs a direct ByteBuffer (ByteBuffer.allocateDirect)");
      }
      readPointer = Native.getDirectBufferPointer(buffer);
      readBuffer = buffer;
    }
    return readPointer;
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
    private Subnet subnet = Subnet.DEFAULT;
    private int mtu = 1500;
    private int txQueueLength = 4096;

    private Builder() {}

    /**
     * The interface name, or a pattern with one {@code %d} the kernel fills with the first free
     * number ({@code tun%d}, the default). ASCII letters, digits, '-', '_', '.', shorter than 16 bytes.
     */
    public Builder name(String name) {
      this.name = validateName(name);
      return this;
    }

    /** The subnet; the host gets its first address. Default {@link Subnet#DEFAULT}. */
    public Builder subnet(Subnet subnet) {
      if (subnet == null) {
        throw new IllegalArgumentException("subnet is null");
      }
      this.subnet = subnet;
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
     * Creates the interface, gives the host the subnet's first address, sets the MTU, disables IPv6
     * on it and brings it up.
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
      int fd = -1;
      int wakeFd = -1;
      try {
        fd = call("open(" + CLONE_DEVICE + ")", () -> LibC.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC));
        Ifreq request = new Ifreq(name).flags(IfTun.IFF_TUN | IfTun.IFF_NO_PI);
        final int tunFd = fd;
        call("ioctl(TUNSETIFF, " + name + ")", () -> LibC.ioctl(tunFd, new NativeLong(IfTun.TUNSETIFF), request));
        String actual = request.name();
        disableIpv6(actual);
        try (InterfaceControl control = InterfaceControl.open()) {
          control.mtu(actual, mtu);
          setTxQueueLength(control, actual);
          control.address(actual, subnet.hostAddress());
          control.netmask(actual, subnet.netmask());
          control.up(actual);
        }
        wakeFd = call("eventfd", () -> LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC));
        TunDevice device = new TunDevice(fd, wakeFd, actual, subnet, mtu);
        LOG.log(System.Logger.Level.DEBUG, "opened {0}", device);
        fd = -1;
        wakeFd = -1;
        return device;
      } finally {
        if (wakeFd >= 0) {
          closeQuietly(wakeFd);
        }
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

    private int call(String what, NativeCall call) {
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
