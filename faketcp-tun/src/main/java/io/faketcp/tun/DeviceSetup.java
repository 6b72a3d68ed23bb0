package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.faketcp.tun.internal.IfTun;
import io.faketcp.tun.internal.Ifreq;
import io.faketcp.tun.internal.LibC;
import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Making and configuring a {@link TunDevice}'s interface with ioctls and {@code /proc/sys} writes (no
 * {@code ip} or {@code ifconfig}): the clone device's fd attached to a name, then the MTU, transmit
 * queue, addresses and IPv6 settings; taking the host's addresses off and giving them back; and the
 * failures of these calls as {@link TunException}s that say the fix.
 */
final class DeviceSetup {
  private static final System.Logger LOG = System.getLogger(TunDevice.class.getName());
  private static final String CLONE_DEVICE = "/dev/net/tun";
  private static final AtomicBoolean TX_QUEUE_WARNED = new AtomicBoolean();

  private DeviceSetup() {}

  /**
   * A new interface as {@link TunDevice.Builder#open()} makes it: refused outside a private namespace
   * when the guard is on; the IPv4 subnet ({@code null}: the default one, unless only an IPv6 subnet is
   * given) and the IPv6 one ({@code null}: none) checked against the other settings.
   */
  static TunDevice create(String name, Subnet subnet, Subnet subnet6, int mtu, int txQueueLength, boolean multiQueue,
      boolean checksumOffload) {
    boolean required = Prerequisites.privateNamespaceRequired();
    java.util.Optional<String> refusal = Prerequisites.namespaceRefusal(required,
        required && Prerequisites.inPrivateNamespace()); // /proc is read only when the guard is on
    if (refusal.isPresent()) {
      throw new TunException(refusal.get());
    }
    boolean ipv4 = subnet != null || subnet6 == null;
    if (subnet6 != null && checksumOffload) {
      throw new IllegalArgumentException("checksumOffload(true) with the IPv6 subnet " + subnet6 + ": the device"
          + " leaves checksums to its reader for IPv4 only; drop checksumOffload, or the IPv6 subnet");
    }
    if (subnet6 != null && mtu < Ipv6Sysctls.MINIMUM_MTU) {
      throw new IllegalArgumentException("mtu " + mtu + " is below IPv6's minimum of " + Ipv6Sysctls.MINIMUM_MTU
          + ": the kernel turns IPv6 off on such a link; use an mtu of at least 1280 with an IPv6 subnet");
    }
    return open(name, subnet != null ? subnet : Subnet.DEFAULT, subnet6, ipv4, mtu, txQueueLength, multiQueue,
        checksumOffload, true);
  }

  /**
   * Opens a queue of the interface {@code name} (a pattern such as {@code tun%d} makes a new one) and,
   * when {@code configure}, sets the interface up ({@link #configure}); the device, with an eventfd to
   * wake its reader. Nothing stays open when a call fails.
   */
  static TunDevice open(String name, Subnet subnet, Subnet subnet6, boolean ipv4, int mtu, int txQueueLength,
      boolean multiQueue, boolean checksumOffload, boolean configure) {
    int fd = -1;
    try {
      String[] actual = {name};
      fd = openFd(actual, multiQueue, checksumOffload);
      if (configure) {
        configure(actual[0], mtu, txQueueLength, ipv4, subnet, subnet6);
      }
      int wakeFd = call("eventfd", actual[0], () -> LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC));
      TunDevice device = new TunDevice(fd, wakeFd, actual[0], subnet, subnet6, ipv4, mtu, multiQueue, checksumOffload);
      fd = -1;
      LOG.log(System.Logger.Level.DEBUG, "opened {0}", device);
      return device;
    } finally {
      if (fd >= 0) {
        closeQuietly(fd);
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

  /**
   * Configures the new interface {@code name}: disables IPv6 on it (or, with an IPv6 subnet, enables it
   * quietly), sets the MTU and the transmit queue, gives the host its addresses and brings it up.
   */
  private static void configure(String name, int mtu, int txQueueLength, boolean ipv4, Subnet subnet, Subnet subnet6) {
    if (subnet6 == null) {
      disableIpv6(name);
    } else {
      Ipv6Sysctls.enableQuietly(name);
    }
    try (InterfaceControl control = InterfaceControl.open()) {
      control.mtu(name, mtu);
      setTxQueueLength(control, name, txQueueLength);
      if (ipv4) {
        control.address(name, subnet.hostAddress());
        control.netmask(name, subnet.netmask());
      }
      control.up(name);
      if (subnet6 != null) {
        control.address6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
      }
    }
  }

  /**
   * The transmit queue is a tuning, not a requirement: the kernel refuses SIOCSIFTXQLEN with EPERM
   * to root in a user namespace (the rootless way), which may do everything else here. The device
   * then keeps the kernel's default queue length; said once per JVM.
   */
  private static void setTxQueueLength(InterfaceControl control, String name, int txQueueLength) {
    try {
      control.txQueueLength(name, txQueueLength);
    } catch (TunException e) {
      if (e.errno() != LibC.EPERM) {
        throw e;
      }
      if (!TX_QUEUE_WARNED.getAndSet(true)) {
        LOG.log(System.Logger.Level.INFO, "txqueuelen of {0} left at the kernel default: setting it to {1}"
            + " is not permitted here (root in a user namespace); very busy DISCARD flows may see"
            + " retransmissions", name, String.valueOf(txQueueLength));
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

  /** Takes the host's addresses off the interface {@code name} ({@link TunDevice}'s withdrawAddress). */
  static void withdrawAddress(String name, boolean ipv4, Subnet subnet6) {
    try (InterfaceControl control = InterfaceControl.open()) {
      if (ipv4) {
        control.removeAddress(name);
      }
      if (subnet6 != null) {
        control.removeAddress6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
      }
    }
  }

  /** Gives the host its addresses on the interface {@code name} again ({@link TunDevice}'s restoreAddress). */
  static void restoreAddress(String name, boolean ipv4, Subnet subnet, Subnet subnet6) {
    try (InterfaceControl control = InterfaceControl.open()) {
      if (ipv4) {
        control.address(name, subnet.hostAddress());
        control.netmask(name, subnet.netmask());
      }
      if (subnet6 != null) {
        control.address6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
      }
    }
  }

  /**
   * Takes the IPv6 address off before the fd closes: the kernel removes the interface later, and
   * until then its route would still take the prefix's packets from a device opened meanwhile.
   */
  static void removeAddress6Quietly(String name, Subnet subnet6) {
    try (InterfaceControl control = InterfaceControl.open()) {
      control.removeAddress6(name, (Inet6Address) subnet6.host(), subnet6.prefixLength());
    } catch (TunException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: removing the IPv6 address before closing failed: {1}", name,
          e.getMessage());
    }
  }

  /** Runs a set-up call; its failure as a {@link TunException} ({@link #failure}). */
  static int call(String what, String name, NativeCall call) {
    try {
      return call.run();
    } catch (LastErrorException e) {
      throw failure(what, name, e);
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

  static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException e) {
      LOG.log(System.Logger.Level.DEBUG, "close({0}) failed: {1}", fd, LibC.strerror(e.getErrorCode()));
    }
  }

  /** {@code name} if it is a valid interface name or pattern; else the exception says what to use. */
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

  /** A set-up system call. */
  @FunctionalInterface
  interface NativeCall {
    int run() throws LastErrorException;
  }
}
