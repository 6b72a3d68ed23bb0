package io.faketcp.tun;

import io.faketcp.tun.internal.LibC;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One rtnetlink RTM_NEWADDR request: an IPv6 address with IFA_F_NODAD on an interface, acknowledged
 * by the kernel ({@code NLMSG_ERROR} with error 0) or refused with an errno; then the wait until the
 * address takes packets.
 *
 * <p>Linux adds the address and the prefix's route at once, but the address's local route (table
 * local, what makes a packet to it the host's) only from its address work queue a moment later,
 * after the work takes the rtnl lock that every namespace's interface changes share. A packet that
 * arrives in between is not the host's: it is forwarded, and with forwarding off, dropped. So the
 * request asks for the route to the address (RTM_GETROUTE, as {@code ip -6 route get}) until it is
 * local.
 */
final class AddressRequest {
  private static final int RTM_NEWROUTE = 24;
  private static final int RTM_NEWADDR = 20;
  private static final int RTM_GETROUTE = 26;
  private static final int NLM_F_EXCL = 0x200;
  private static final int NLM_F_CREATE = 0x400;
  private static final int IFA_ADDRESS = 1;
  private static final int IFA_F_NODAD = 0x02;
  private static final int RTA_DST = 1;
  private static final int RTN_LOCAL = 2;
  private static final int ENETUNREACH = 101;
  /** How long the local route may take: the work queue waits for the rtnl lock, shared by the machine. */
  private static final long LOCAL_ROUTE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private AddressRequest() {}

  /**
   * Adds {@code address}/{@code prefixLength} with IFA_F_NODAD to interface {@code index} and returns
   * once packets to it are the host's.
   */
  static void addNoDad(String name, int index, Inet6Address address, int prefixLength) {
    String what = "rtnetlink RTM_NEWADDR, " + name + ", " + address.getHostAddress() + "/" + prefixLength + " nodad";
    try (RouteSocket socket = RouteSocket.open(name)) {
      ByteBuffer request = socket.request(RouteSocket.HEADER_LENGTH + 8 + 4 + 16, RTM_NEWADDR,
          RouteSocket.NLM_F_REQUEST | RouteSocket.NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
      request.put(16, (byte) LibC.AF_INET6).put(17, (byte) prefixLength).put(18, (byte) IFA_F_NODAD).put(19, (byte) 0)
          .putInt(20, index);
      request.putShort(24, (short) 20).putShort(26, (short) IFA_ADDRESS).put(28, address.getAddress());
      ByteBuffer reply = socket.exchange(request, what);
      if (reply.getShort(4) != RouteSocket.NLMSG_ERROR) {
        throw new TunException(what + ": the kernel's answer is not an acknowledgment (type " + reply.getShort(4) + ")");
      }
      int errno = -reply.getInt(16);
      if (errno != 0) {
        String fix = errno == LibC.EPERM ? " - configuring an interface needs CAP_NET_ADMIN" : "";
        throw new TunException(what + " failed: " + LibC.strerror(errno) + fix, errno, null);
      }
      awaitLocalRoute(socket, name, address, LOCAL_ROUTE_TIMEOUT_NANOS);
    }
  }

  /** Asks for the route to {@code address} until it is local, pausing 20 µs doubling up to 1 ms. */
  private static void awaitLocalRoute(RouteSocket socket, String name, Inet6Address address, long timeoutNanos) {
    long start = System.nanoTime();
    long pause = 20_000;
    while (!isLocal(socket, name, address)) {
      long waited = System.nanoTime() - start;
      if (waited > timeoutNanos) {
        throw new TunException("the kernel has added " + address.getHostAddress() + " to " + name + " but not its"
            + " local route within " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms (ip -6 route get "
            + address.getHostAddress() + " is not 'local'), so packets to the host would be dropped: the kernel's"
            + " address work waits for the rtnl lock, which something holds for long; open the device again");
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 1_000_000);
    }
  }

  /** Whether the kernel's route to {@code address} is a local one (RTN_LOCAL): the host's own. */
  private static boolean isLocal(RouteSocket socket, String name, Inet6Address address) {
    String what = "rtnetlink RTM_GETROUTE, " + name + ", " + address.getHostAddress();
    ByteBuffer request = socket.request(RouteSocket.HEADER_LENGTH + 12 + 4 + 16, RTM_GETROUTE,
        RouteSocket.NLM_F_REQUEST);
    request.put(16, (byte) LibC.AF_INET6).put(17, (byte) 128); // rtmsg: family, destination length, the rest 0
    request.putShort(28, (short) 20).putShort(30, (short) RTA_DST).put(32, address.getAddress());
    ByteBuffer reply = socket.exchange(request, what);
    int type = reply.getShort(4);
    if (type == RTM_NEWROUTE) {
      return reply.get(RouteSocket.HEADER_LENGTH + 7) == RTN_LOCAL;
    }
    int errno = type == RouteSocket.NLMSG_ERROR ? -reply.getInt(16) : 0;
    if (errno == ENETUNREACH) {
      return false; // no route at all yet
    }
    throw new TunException(what + ": the kernel's answer is neither a route nor 'unreachable' (type " + type
        + (errno != 0 ? ", " + LibC.strerror(errno) : "") + ")", errno, null);
  }
}
