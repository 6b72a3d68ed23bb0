package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.faketcp.tun.internal.In6Ifreq;
import io.faketcp.tun.internal.Ifreq;
import io.faketcp.tun.internal.LibC;
import io.faketcp.tun.internal.Sockios;
import java.net.Inet4Address;

/**
 * Interface configuration ioctls (address, netmask, MTU, flags) through one AF_INET datagram
 * socket, the handle Linux wants for them, and an AF_INET6 one (opened when first needed) for IPv6
 * addresses. Errors name the call, the strerror text and the fix.
 */
final class InterfaceControl implements AutoCloseable {
  private final int socket;
  private int socket6 = -1;

  private InterfaceControl(int socket) {
    this.socket = socket;
  }

  static InterfaceControl open() {
    try {
      return new InterfaceControl(LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0));
    } catch (LastErrorException e) {
      throw DeviceSetup.failure("socket(AF_INET, SOCK_DGRAM)", "", e);
    }
  }

  void mtu(String name, int mtu) {
    ioctl(Sockios.SIOCSIFMTU, "SIOCSIFMTU, " + name + ", " + mtu, name, new Ifreq(name).mtu(mtu));
  }

  void txQueueLength(String name, int length) {
    ioctl(Sockios.SIOCSIFTXQLEN, "SIOCSIFTXQLEN, " + name + ", " + length, name, new Ifreq(name).queueLength(length));
  }

  void address(String name, Inet4Address address) {
    ioctl(Sockios.SIOCSIFADDR, "SIOCSIFADDR, " + name + ", " + address.getHostAddress(), name,
        new Ifreq(name).inetAddress(address.getAddress()));
  }

  void netmask(String name, Inet4Address netmask) {
    ioctl(Sockios.SIOCSIFNETMASK, "SIOCSIFNETMASK, " + name + ", " + netmask.getHostAddress(), name,
        new Ifreq(name).inetAddress(netmask.getAddress()));
  }

  /** Removes the interface's IPv4 address (SIOCSIFADDR 0.0.0.0); the routes through it go too. */
  void removeAddress(String name) {
    ioctl(Sockios.SIOCSIFADDR, "SIOCSIFADDR, " + name + ", 0.0.0.0", name, new Ifreq(name).inetAddress(new byte[4]));
  }

  /**
   * Adds the IPv6 address {@code address}/{@code prefixLength} with IFA_F_NODAD (an rtnetlink
   * RTM_NEWADDR: the ioctl cannot set the flag), so that it is never tentative: usable at once,
   * even before the kernel's link watch has seen the device up. The kernel adds the prefix's route;
   * returns once the address's local route is in place too, so that packets to it are the host's.
   */
  void address6(String name, java.net.Inet6Address address, int prefixLength) {
    AddressRequest.addNoDad(name, index(name), address, prefixLength);
  }

  /** Removes the IPv6 address {@code address}/{@code prefixLength} (SIOCDIFADDR); its route goes too. */
  void removeAddress6(String name, java.net.Inet6Address address, int prefixLength) {
    ioctl6(Sockios.SIOCDIFADDR, "SIOCDIFADDR, " + name + ", " + address.getHostAddress() + "/" + prefixLength, name,
        In6Ifreq.of(address.getAddress(), prefixLength, index(name)));
  }

  private int index(String name) {
    Ifreq request = new Ifreq(name);
    ioctl(Sockios.SIOCGIFINDEX, "SIOCGIFINDEX, " + name, name, request);
    return request.index();
  }

  private void ioctl6(long request, String what, String name, byte[] in6Ifreq) {
    if (socket6 < 0) {
      try {
        socket6 = LibC.socket(LibC.AF_INET6, LibC.SOCK_DGRAM, 0);
      } catch (LastErrorException e) {
        throw DeviceSetup.failure("socket(AF_INET6, SOCK_DGRAM)", name, e);
      }
    }
    try {
      LibC.ioctl(socket6, new NativeLong(request), in6Ifreq);
    } catch (LastErrorException e) {
      throw DeviceSetup.failure("ioctl(" + what + ")", name, e);
    }
  }

  void up(String name) {
    Ifreq flags = new Ifreq(name);
    ioctl(Sockios.SIOCGIFFLAGS, "SIOCGIFFLAGS, " + name, name, flags);
    flags.flags(flags.flags() | Sockios.IFF_UP | Sockios.IFF_RUNNING);
    ioctl(Sockios.SIOCSIFFLAGS, "SIOCSIFFLAGS, " + name + ", up", name, flags);
  }

  private void ioctl(long request, String what, String name, Ifreq ifreq) {
    try {
      LibC.ioctl(socket, new NativeLong(request), ifreq);
    } catch (LastErrorException e) {
      throw DeviceSetup.failure("ioctl(" + what + ")", name, e);
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
    if (socket6 >= 0) {
      closeQuietly(socket6);
    }
  }

  private static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // the socket is gone either way
    }
  }
}
