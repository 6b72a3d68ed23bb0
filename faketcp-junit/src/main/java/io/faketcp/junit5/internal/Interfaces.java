package io.faketcp.junit5.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.jna.Ifreq;
import io.faketcp.tun.jna.LibC;
import io.faketcp.tun.jna.Sockios;

/**
 * Adds and removes the host's IPv4 address on an open tun device. Removing it takes the subnet's
 * routes off the device at once (microseconds), so the slow part of closing — the kernel's RCU wait
 * when the fd is closed — can run in the background without a dying device still attracting the
 * subnet's traffic.
 */
final class Interfaces {
  private Interfaces() {}

  /** Removes the device's IPv4 address (SIOCSIFADDR 0.0.0.0): its routes go with it. */
  static void removeAddress(String name) {
    ioctl(name, "SIOCSIFADDR " + name + " 0.0.0.0", Sockios.SIOCSIFADDR, new Ifreq(name).inetAddress(new byte[4]));
  }

  /** Gives the device the subnet's host address and netmask again. */
  static void assignAddress(String name, Subnet subnet) {
    ioctl(name, "SIOCSIFADDR " + name + " " + subnet.hostAddress().getHostAddress(), Sockios.SIOCSIFADDR,
        new Ifreq(name).inetAddress(subnet.hostAddress().getAddress()));
    ioctl(name, "SIOCSIFNETMASK " + name + " " + subnet.netmask().getHostAddress(), Sockios.SIOCSIFNETMASK,
        new Ifreq(name).inetAddress(subnet.netmask().getAddress()));
  }

  private static void ioctl(String name, String what, long request, Ifreq ifreq) {
    int socket = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
    try {
      LibC.ioctl(socket, new NativeLong(request), ifreq);
    } catch (LastErrorException e) {
      throw new IllegalStateException("ioctl(" + what + ") failed: " + LibC.strerror(e.getErrorCode()), e);
    } finally {
      try {
        LibC.close(socket);
      } catch (LastErrorException ignored) {
        // nothing to do: the socket is gone either way
      }
    }
  }
}
