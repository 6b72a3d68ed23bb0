package io.faketcp.peer.internal.tcp;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Timers;
import java.nio.ByteBuffer;

/**
 * Everything an endpoint reaches outside itself: the clock, the wire, the timers, the batch's owed
 * ACKs, the counters, and the demultiplexer it leaves when it closes. {@link TcpDemux} is the one
 * implementation; tests drive it through a list and a clock of their own. Peer thread only.
 */
interface EndpointContext {
  /** The clock (nanoTime). */
  long now();

  /** A reset builder for the next segment; {@link #emit} sends it. */
  TcpSegment.Builder segment();

  /** Sends the segment built with {@link #segment}. */
  void emit();

  /** {@link #emit()} of a segment whose payload sums to {@code payloadSum} (folded; -1: not known). */
  void emit(int payloadSum);

  /**
   * {@link #emit(int)} of a segment whose builder's payload is {@code payload} (set with
   * {@link TcpSegment.Builder#payload(ByteBuffer)}): the wire may write those bytes from where they are.
   */
  void emit(ByteBuffer payload, int payloadSum);

  /** Whether the segment being handled had its checksum verified (not left pending by the device). */
  boolean checksumVerified();

  /** The device completes the checksums of what is sent ({@link Link#completesChecksums}). */
  boolean checksumsCompleted();

  /** Arms {@code entry}'s timer for {@code at} (nanoTime), replacing any earlier setting. */
  void arm(Timers.Entry entry, long at);

  void cancel(Timers.Entry entry);

  /** {@code e} owes the host an ACK, sent at the end of the current batch unless a segment carries it first. */
  void ackLater(TcpEndpoint e);

  /** {@code e} closed: out of the table; its application is told now, or after the call it made when {@code later}. */
  void closed(TcpEndpoint e, String reason, boolean later);

  void count(int counter, long delta);

  /** The fake host's MSS (the device's MTU less the headers). */
  int mss();

  /** Whether fake host {@code fakeAddress}:{@code fakePort} has vanished now ({@link FakeHosts#vanished}). */
  boolean vanished(int fakeAddress, int fakePort);

  /** An identity that changes whenever the answer of {@link #vanished} may. */
  Object hostsVersion();

  /** Scratch room for one segment's payload on its way out, and a buffer over it (cleared by the caller). */
  byte[] chunk();

  ByteBuffer chunkView();

  /** The direct rings of send queues that were left, for new ones. */
  RingPool rings();

  /** Scratch SACK options with 1 to 4 blocks, by block count (index 0 unused). */
  byte[][] sackOptions();

  /** Scratch timestamps options, alone and with 1 to 3 SACK blocks after them, by block count ({@link Timestamps#option}). */
  byte[][] timestampOptions();

  /** {@code [offset, offset + length)} of the segment's packet, valid until the next packet; allocation-free. */
  ByteBuffer view(TcpSegment segment, int offset, int length);
}
