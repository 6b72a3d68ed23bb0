package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.faketcp.tun.internal.LibC;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One rtnetlink RTM_NEWADDR request: an IPv6 address with IFA_F_NODAD on an interface, acknowledged
 * by the kernel ({@code NLMSG_ERROR} with error 0) or refused with an errno.
 */
final class AddressRequest {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int NETLINK_ROUTE = 0;
  private static final int RTM_NEWADDR = 20;
  private static final int NLMSG_ERROR = 2;
  private static final int NLM_F_REQUEST = 0x1;
  private static final int NLM_F_ACK = 0x4;
  private static final int NLM_F_EXCL = 0x200;
  private static final int NLM_F_CREATE = 0x400;
  private static final int IFA_ADDRESS = 1;
  private static final int IFA_F_NODAD = 0x02;
  private static final int LENGTH = 16 + 8 + 4 + 16;

  private AddressRequest() {}

  /** Adds {@code address}/{@code prefixLength} with IFA_F_NODAD to interface {@code index}. */
  static void addNoDad(String name, int index, Inet6Address address, int prefixLength) {
    String what = "rtnetlink RTM_NEWADDR, " + name + ", " + address.getHostAddress() + "/" + prefixLength + " nodad";
    int socket;
    try {
      socket = LibC.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    } catch (LastErrorException e) {
      throw TunDevice.failure("socket(AF_NETLINK, NETLINK_ROUTE)", name, e);
    }
    try {
      ByteBuffer request = ByteBuffer.allocateDirect(LENGTH).order(ByteOrder.nativeOrder());
      request.putInt(0, LENGTH).putShort(4, (short) RTM_NEWADDR)
          .putShort(6, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)).putInt(8, 1).putInt(12, 0);
      request.put(16, (byte) LibC.AF_INET6).put(17, (byte) prefixLength).put(18, (byte) IFA_F_NODAD).put(19, (byte) 0)
          .putInt(20, index);
      request.putShort(24, (short) 20).putShort(26, (short) IFA_ADDRESS).put(28, address.getAddress());
      if (LibC.write(socket, TunDevice.address(request), LENGTH) != LENGTH) {
        throw new TunException(what + " failed: " + LibC.strerror(Native.getLastError()), Native.getLastError(), null);
      }
      ByteBuffer reply = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
      long n = LibC.read(socket, TunDevice.address(reply), reply.capacity());
      if (n < 0) {
        throw new TunException(what + ": reading the answer failed: " + LibC.strerror(Native.getLastError()),
            Native.getLastError(), null);
      }
      if (n < 20 || reply.getShort(4) != NLMSG_ERROR) {
        throw new TunException(what + ": the kernel's answer is not an acknowledgment (" + n + " bytes, type "
            + reply.getShort(4) + ")");
      }
      int errno = -reply.getInt(16);
      if (errno != 0) {
        String fix = errno == LibC.EPERM ? " - configuring an interface needs CAP_NET_ADMIN" : "";
        throw new TunException(what + " failed: " + LibC.strerror(errno) + fix, errno, null);
      }
    } finally {
      try {
        LibC.close(socket);
      } catch (LastErrorException ignored) {
        // the socket is gone either way
      }
    }
  }
}
