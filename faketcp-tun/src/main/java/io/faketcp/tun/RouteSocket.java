package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import io.faketcp.tun.internal.LibC;
import io.faketcp.tun.internal.NetlinkSocket;
import java.nio.ByteBuffer;

/**
 * An rtnetlink socket ({@link NetlinkSocket}) whose failures are the device's: {@link TunException}s
 * naming the request.
 */
final class RouteSocket implements AutoCloseable {
  static final int NLMSG_ERROR = NetlinkSocket.NLMSG_ERROR;
  static final int NLM_F_REQUEST = NetlinkSocket.NLM_F_REQUEST;
  static final int NLM_F_ACK = NetlinkSocket.NLM_F_ACK;
  static final int HEADER_LENGTH = NetlinkSocket.HEADER_LENGTH;

  private final NetlinkSocket socket;

  private RouteSocket(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens the socket; {@code name} is the device the requests are about, for the error. */
  static RouteSocket open(String name) {
    try {
      return new RouteSocket(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    } catch (LastErrorException e) {
      throw DeviceSetup.failure("socket(AF_NETLINK, NETLINK_ROUTE)", name, e);
    }
  }

  /** A native-order direct buffer for a request of {@code length} bytes, its header filled in. */
  ByteBuffer request(int length, int type, int flags) {
    return socket.request(length, type, flags);
  }

  /** {@link NetlinkSocket#exchange}, a failure said as {@code what}'s. */
  ByteBuffer exchange(ByteBuffer request, String what) {
    try {
      return socket.exchange(request);
    } catch (NetlinkSocket.Failure f) {
      if (f.answerLength() >= 0) {
        throw new TunException(what + ": " + f.getMessage());
      }
      String message = f.reading() ? what + ": " + f.getMessage() : what + " failed: " + LibC.strerror(f.errno());
      throw new TunException(message, f.errno(), null);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
