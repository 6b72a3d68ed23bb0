package io.faketcp.junit5.internal;

import com.sun.jna.LastErrorException;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.internal.LibC;
import io.faketcp.tun.internal.NetlinkSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the host's sockets to a closing network whose FIN is still unacknowledged after the fixture's
 * grace ({@link HostFins}), with the kernel's sock_diag {@code SOCK_DESTROY} (what {@code ss -K} does):
 * otherwise the kernel retransmits that FIN from 200 ms on, into whatever network holds the subnet
 * next, whose peer answers it with a reset that test did not cause. The application has closed these
 * sockets already, so ending them is invisible to it; open (ESTABLISHED) sockets are never touched.
 *
 * <p>The kernel needs {@code CONFIG_INET_DIAG_DESTROY} and the caller {@code CAP_NET_ADMIN} in the
 * namespace. Where it refuses, the sockets are left as before and this is said once per JVM, at INFO:
 * never a failure of the test.
 */
final class HostSocketEnd {
  private static final System.Logger LOG = System.getLogger(HostSocketEnd.class.getName());
  private static final int SOCK_DESTROY = 21;
  private static final int IPPROTO_TCP = 6;
  private static final int ENOENT = 2;
  /** nlmsghdr (16 bytes) and inet_diag_req_v2 (56: family, protocol, ext, pad, states, inet_diag_sockid). */
  private static final int REQUEST_LENGTH = 72;
  private static final AtomicBoolean REFUSAL_SAID = new AtomicBoolean();

  private HostSocketEnd() {}

  /**
   * Ends every socket of the host to {@code subnets} (null ones skipped) whose FIN is in flight.
   *
   * @return how many the kernel ended
   */
  static int endFinsInFlight(List<Subnet> subnets) {
    List<String> lines = HostFins.inFlight(subnets);
    if (lines.isEmpty()) {
      return 0;
    }
    NetlinkSocket socket;
    try {
      socket = NetlinkSocket.open(NetlinkSocket.NETLINK_SOCK_DIAG);
    } catch (LastErrorException e) {
      refused(lines, "socket(AF_NETLINK, NETLINK_SOCK_DIAG): " + LibC.strerror(e.getErrorCode()));
      return 0;
    }
    try (socket) {
      ByteBuffer request = ByteBuffer.allocateDirect(REQUEST_LENGTH).order(ByteOrder.nativeOrder());
      int ended = 0;
      for (int i = 0; i < lines.size(); i++) {
        if (!fill(request, lines.get(i), i + 1)) {
          continue;
        }
        int errno = destroy(socket, request);
        if (errno == 0) {
          ended++;
          LOG.log(System.Logger.Level.DEBUG, "ended the host''s socket with its FIN unacknowledged: {0}",
              lines.get(i).trim());
        } else if (errno != ENOENT) { // ENOENT: it has ended meanwhile
          refused(lines.subList(i, lines.size()), "SOCK_DESTROY: " + LibC.strerror(errno)
              + (errno == LibC.EPERM ? " (needs CAP_NET_ADMIN in the network namespace)"
                  : " (needs a kernel with CONFIG_INET_DIAG_DESTROY)"));
          break;
        }
      }
      return ended;
    }
  }

  /**
   * Fills {@code request} with a SOCK_DESTROY naming the socket of one /proc/net/tcp or tcp6 line
   * exactly ({@code sl local:port remote:port ...}, addresses as 32-bit words in host order, ports as
   * 16-bit numbers); false for a line it cannot read.
   */
  static boolean fill(ByteBuffer request, String line, int sequence) {
    String[] f = line.trim().split("\\s+", 4);
    if (f.length < 3) {
      return false;
    }
    int localColon = f[1].indexOf(':');
    int remoteColon = f[2].indexOf(':');
    if (localColon < 0 || localColon != remoteColon || (localColon != 8 && localColon != 32)) {
      return false;
    }
    request.clear();
    for (int i = 0; i < REQUEST_LENGTH; i += 4) {
      request.putInt(i, 0);
    }
    request.putInt(0, REQUEST_LENGTH).putShort(4, (short) SOCK_DESTROY).putShort(6, (short) (NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK))
        .putInt(8, sequence);
    request.put(16, (byte) (localColon == 8 ? LibC.AF_INET : LibC.AF_INET6)).put(17, (byte) IPPROTO_TCP);
    request.putInt(20, -1); // every state: the socket is named exactly
    // inet_diag_sockid: sport, dport (network order), src[4], dst[4] (as the kernel keeps them), if, cookie[2]
    request.order(ByteOrder.BIG_ENDIAN);
    request.putShort(24, (short) Integer.parseInt(f[1].substring(localColon + 1), 16));
    request.putShort(26, (short) Integer.parseInt(f[2].substring(remoteColon + 1), 16));
    request.order(ByteOrder.nativeOrder());
    for (int w = 0; w < localColon / 8; w++) {
      request.putInt(28 + 4 * w, Integer.parseUnsignedInt(f[1], 8 * w, 8 * w + 8, 16));
      request.putInt(44 + 4 * w, Integer.parseUnsignedInt(f[2], 8 * w, 8 * w + 8, 16));
    }
    request.putInt(64, -1).putInt(68, -1); // INET_DIAG_NOCOOKIE
    return true;
  }

  /** Sends {@code request}; returns the kernel's answer as an errno (0: done). */
  private static int destroy(NetlinkSocket socket, ByteBuffer request) {
    ByteBuffer reply;
    try {
      reply = socket.exchange(request);
    } catch (NetlinkSocket.Failure f) {
      if (f.answerLength() >= 0) {
        throw new IllegalStateException("the kernel's answer to SOCK_DESTROY is " + f.answerLength()
            + " bytes, not an acknowledgment");
      }
      return f.errno();
    }
    if (reply.getShort(4) != NetlinkSocket.NLMSG_ERROR) {
      throw new IllegalStateException("the kernel's answer to SOCK_DESTROY is of message type " + reply.getShort(4)
          + ", not an acknowledgment");
    }
    return -reply.getInt(16);
  }

  private static void refused(List<String> left, String why) {
    if (REFUSAL_SAID.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.INFO, "cannot end the host''s {0} socket(s) to a closed fake network whose FIN is"
          + " unacknowledged ({1}): their retransmitted FINs may reach the next network on the subnet, whose"
          + " peer answers with a reset; said once. Left: {2}", left.size(), why,
          String.join("; ", left.stream().map(String::trim).toList()));
    } else {
      LOG.log(System.Logger.Level.DEBUG, "cannot end {0} socket(s) whose FIN is unacknowledged ({1})", left.size(),
          why);
    }
  }
}
