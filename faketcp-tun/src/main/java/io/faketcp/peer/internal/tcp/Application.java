package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * What a fake host does with the bytes of one TCP connection: the layer above the connection's
 * {@link Endpoint} (DISCARD, ECHO, a user's {@link Server}). The endpoint owns sequence numbers,
 * queues and timers; the application sees an ordered byte stream in each direction.
 *
 * <p>Called on the peer thread only, never re-entrantly from within an {@link Endpoint} call.
 */
public interface Application {
  /** The size of the blocks whose sums {@link #blockSum} may know: 4 KiB, at stream positions that are its multiples. */
  int SUM_BLOCK = 4096;

  /** The handshake completed; {@code endpoint} is this connection's until {@link #closed} is called. */
  void opened(Endpoint endpoint);

  /**
   * How many more bytes {@link #received} would take now. The endpoint advertises at most this as its
   * receive window (within what the window has grown to: see {@link ReceiveWindow}) and never passes
   * more.
   */
  int receiveWindow();

  /**
   * In-order bytes from the host, {@code [position, limit)} of {@code data}; the application takes
   * them all (the endpoint never passes more than {@link #receiveWindow()}). The buffer is only
   * valid during the call.
   */
  void received(ByteBuffer data);

  /**
   * False for ACCEPT: the endpoint then never acknowledges (nor passes on) the host's data, which
   * piles up in the host's send queue; the host's FIN is still answered, acknowledging everything.
   */
  default boolean acknowledgesData() {
    return true;
  }

  /**
   * The host sent FIN: every byte before it was {@link #received}; no more will come. {@code endpoint}
   * is the connection's, as {@link #opened} gave it (so a stateless application can close its side).
   */
  void inputShutdown(Endpoint endpoint);

  /**
   * The internet checksum's sum (RFC 1071, folded, 0..0xffff) of the {@link #SUM_BLOCK} bytes of this
   * application's output stream from stream position {@code block * SUM_BLOCK} (mod 2^32; position 0
   * is the first byte it sent), when it summed them as they were written; -1 when not known. The
   * endpoint then sums only the ends of a segment's payload.
   */
  default int blockSum(int block) {
    return -1;
  }

  /** Room opened in the endpoint's send queue (the host acknowledged data). */
  void writable();

  /**
   * The connection is gone: {@code reason} is null after an orderly close (both FINs acknowledged),
   * else what ended it ("reset by the host", "no answer after 8 retransmissions", ...). Called once.
   */
  void closed(String reason);
}
