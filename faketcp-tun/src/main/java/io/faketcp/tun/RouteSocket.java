package io.faketcp.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.faketcp.tun.internal.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An rtnetlink socket that sends one request at a time and reads the kernel's one answer: an
 * acknowledgment or error ({@code NLMSG_ERROR}) or the object asked for.
 */
final class RouteSocket implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int NETLINK_ROUTE = 0;
  static final int NLMSG_ERROR = 2;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_ACK = 0x4;
  /** The netlink message header: length, type, flags, sequence number, port id. */
  static final int HEADER_LENGTH = 16;

  private final int socket;
  private final ByteBuffer reply = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
  private int sequence;

  private RouteSocket(int socket) {
    this.socket = socket;
  }

  /** Opens the socket; {@code name} is the device the requests are about, for the error. */
  static RouteSocket open(String name) {
    try {
      return new RouteSocket(LibC.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    } catch (LastErrorException e) {
      throw TunDevice.failure("socket(AF_NETLINK, NETLINK_ROUTE)", name, e);
    }
  }

  /** A native-order direct buffer for a request of {@code length} bytes, its header filled in. */
  ByteBuffer request(int length, int type, int flags) {
    return ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder()).putInt(0, length)
        .putShort(4, (short) type).putShort(6, (short) flags).putInt(8, ++sequence).putInt(12, 0);
  }

  /**
   * Sends {@code request} and returns the answer (valid until the next call): its message type is at
   * 4, an {@code NLMSG_ERROR}'s negated errno at 16, another message's body from 16 on.
   */
  ByteBuffer exchange(ByteBuffer request, String what) {
    int length = request.capacity();
    if (LibC.write(socket, TunDevice.address(request), length) != length) {
      int errno = Native.getLastError();
      throw new TunException(what + " failed: " + LibC.strerror(errno), errno, null);
    }
    long n = LibC.read(socket, TunDevice.address(reply), reply.capacity());
    if (n < 0) {
      int errno = Native.getLastError();
      throw new TunException(what + ": reading the answer failed: " + LibC.strerror(errno), errno, null);
    }
    if (n < 20) {
      throw new TunException(what + ": the kernel's answer is " + n + " bytes, shorter than a netlink message");
    }
    return reply;
  }

  @Override
  public void close() {
    try {
      LibC.close(socket);
    } catch (LastErrorException ignored) {
      // the socket is gone either way
    }
  }
}
