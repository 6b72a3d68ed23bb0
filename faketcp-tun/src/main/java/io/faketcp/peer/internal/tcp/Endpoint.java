package io.faketcp.peer.internal.tcp;

import java.nio.ByteBuffer;

/**
 * One TCP connection's endpoint as its {@link Application} sees it: a send queue the endpoint
 * delivers reliably (retransmission, window, FIN), and controls for the receive side.
 * Peer thread only.
 */
public interface Endpoint {
  /**
   * Copies as much of {@code [position, limit)} of {@code data} as fits into the send queue
   * (advancing position) and returns the count; the endpoint sends it within the host's window.
   */
  int send(ByteBuffer data);

  /**
   * {@link #send} of {@code first}, then of {@code second} if all of {@code first} fit, sending
   * segments only once both are queued: a ring's two parts go out in full segments, not in a short
   * one where the ring wraps. Returns the count.
   */
  default int send(ByteBuffer first, ByteBuffer second) {
    int n = send(first);
    return first.hasRemaining() ? n : n + send(second);
  }

  /** Free bytes in the send queue now. */
  int sendRoom();

  /**
   * Whether the sums of the application's blocks ({@link Application#blockSum}) are of use: not when
   * the device completes the checksums (checksum offload), where the endpoint sums a payload itself
   * in the rare case it needs its sum (a listener or a fault set meanwhile).
   */
  default boolean blockSumsUsed() {
    return true;
  }

  /**
   * The payload of a full segment on this connection, either way: the smaller of the two MSS values,
   * less the timestamps option when it is in use.
   */
  int segmentPayload();

  /** Sends FIN after every queued byte (half-close); idempotent. */
  void shutdownOutput();

  /** Aborts: RST to the host now; the connection is gone ({@link Application#closed} follows). */
  void reset();

  /** The application freed receive room: the endpoint sends a window update if the window grew enough. */
  void receiveWindowOpened();

  /** The host's address (32-bit) and port, and the fake host's. */
  int hostAddress();

  int hostPort();

  int fakeAddress();

  int fakePort();
}
