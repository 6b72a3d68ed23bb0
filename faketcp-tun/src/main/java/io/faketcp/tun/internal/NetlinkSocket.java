package io.faketcp.tun.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A netlink socket of one protocol (rtnetlink, sock_diag) that sends one request at a time and reads
 * the kernel's one answer: an acknowledgment or error ({@code NLMSG_ERROR}) or the object asked for.
 * Not API: the device's address setup and the JUnit extension's socket cleanup share it.
 */
public final class NetlinkSocket implements AutoCloseable {
  /** {@code NETLINK_ROUTE}: addresses and routes. */
  public static final int NETLINK_ROUTE = 0;
  /** {@code NETLINK_SOCK_DIAG}: the kernel's sockets. */
  public static final int NETLINK_SOCK_DIAG = 4;
  /** The message type of an acknowledgment or error; its negated errno is at 16. */
  public static final int NLMSG_ERROR = 2;
  /** A request, in the header's flags. */
  public static final int NLM_F_REQUEST = 0x1;
  /** Asks for an acknowledgment, in the header's flags. */
  public static final int NLM_F_ACK = 0x4;
  /** The netlink message header: length, type, flags, sequence number, port id. */
  public static final int HEADER_LENGTH = 16;

  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;

  private final int socket;
  private final ByteBuffer reply = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
  private int sequence;

  private NetlinkSocket(int socket) {
    this.socket = socket;
  }

  /**
   * Opens a socket of {@code protocol}.
   *
   * @throws LastErrorException when the kernel refuses it
   */
  public static NetlinkSocket open(int protocol) {
    return new NetlinkSocket(LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
  }

  /** A native-order direct buffer, zeroed, for a request of {@code length} bytes, its header filled in. */
  public ByteBuffer request(int length, int type, int flags) {
    return ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder()).putInt(0, length)
        .putShort(4, (short) type).putShort(6, (short) flags).putInt(8, ++sequence).putInt(12, 0);
  }

  /**
   * Sends {@code request} and returns the answer (valid until the next call): its message type is at
   * 4, an {@code NLMSG_ERROR}'s negated errno at 16, another message's body from 16 on.
   *
   * @throws Failure when sending or reading fails, or the answer is shorter than a netlink message
   */
  public ByteBuffer exchange(ByteBuffer request) {
    int length = request.capacity();
    if (LibC.write(socket, address(request), length) != length) {
      throw new Failure(false, Native.getLastError(), -1);
    }
    long n = LibC.read(socket, address(reply), reply.capacity());
    if (n < 0) {
      throw new Failure(true, Native.getLastError(), -1);
    }
    if (n < 20) {
      throw new Failure(true, 0, n);
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

  private static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  /** A request that could not be sent or answered. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean reading;
    private final int errno;
    private final long answerLength;

    Failure(boolean reading, int errno, long answerLength) {
      super(answerLength >= 0 ? "the kernel's answer is " + answerLength + " bytes, shorter than a netlink message"
          : (reading ? "reading the answer failed: " : "sending failed: ") + LibC.strerror(errno));
      this.reading = reading;
      this.errno = errno;
      this.answerLength = answerLength;
    }

    /** Whether the request was sent and reading its answer failed. */
    public boolean reading() {
      return reading;
    }

    /** The errno of the failed call; 0 for an answer too short. */
    public int errno() {
      return errno;
    }

    /** The length of an answer too short to read, or -1. */
    public long answerLength() {
      return answerLength;
    }
  }
}
