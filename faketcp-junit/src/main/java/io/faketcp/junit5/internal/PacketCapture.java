package io.faketcp.junit5.internal;

import io.faketcp.peer.PacketListener;
import io.faketcp.tun.Subnet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a session needs from a capture on its tun device: {@link PcapCapture} (libpcap, the default) or
 * {@link PeerCapture} (what the fake peer reads and writes, where libpcap cannot be loaded).
 * {@link Captures#open} chooses.
 */
interface PacketCapture {
  /**
   * Starts keeping packets as {@code limits} allow, marked as to the subnet by {@code subnet}, IPv6 ones by
   * the IPv6 prefix {@code subnet6} (null for none; an IPv6 {@code subnet} serves as well).
   */
  void start(Subnet subnet, Subnet subnet6, String filter, CaptureLimits limits);

  /** Starts keeping packets: at most {@code limit}, with the default snap length and budget. */
  default void start(Subnet subnet, String filter, int limit) {
    start(subnet, null, filter, CaptureLimits.packets(limit));
  }

  /** The listener the fake peer must be given for this capture to see anything, or null. */
  PacketListener peerListener();

  /**
   * Packets that crossed the device since {@link #start} by an independent count (pcap's statistics):
   * what must have been read for the capture to be complete now; -1 when there is no such count.
   */
  long kernelDeliveredSinceStart();

  /**
   * Packets handed to the capture since {@link #start} by the same count, those it dropped included: what
   * the capture is complete with; by default {@link #kernelDeliveredSinceStart()} (a capture that cannot drop).
   */
  default long kernelReceivedSinceStart() {
    return kernelDeliveredSinceStart();
  }

  /** The packets this capture keeps and its counts, which the methods below read. */
  KeptPackets kept();

  /** Packets seen since the capture opened, kept or not. */
  default long total() {
    return kept().total();
  }

  /** Waits (bounded) until at least {@code count} packets have been seen in all; true if they have. */
  default boolean awaitTotal(long count, long timeoutNanos) {
    return kept().awaitTotal(count, timeoutNanos);
  }

  /** The packets kept so far (a copy). */
  default List<CaptureRecord> records() {
    return kept().records();
  }

  /** Packets not kept because the capture limit was reached. */
  default long overLimit() {
    return kept().overLimit();
  }

  /** Packets not kept because the capture's budget was used up. */
  default long overBudget() {
    return kept().overBudget();
  }

  /** Packets kept cut, by the snap length or by the budget. */
  default long truncated() {
    return kept().truncated();
  }

  /** Forgets the packets kept so far. */
  default void clear() {
    kept().clear();
  }

  /** What was lost on the way into the capture, or why that cannot be told. */
  String dropReport();

  /**
   * Whether this capture sees a packet of the host only once the peer has read it (the peer's own
   * view, without libpcap): then a snapshot first lets the peer read what is queued on the device.
   */
  default boolean seesOnlyWhatThePeerReads() {
    return false;
  }

  /** Stops seeing packets; idempotent. */
  void stop();

  /**
   * After {@link #stop}, on a device that has lost its address: makes the capture ready to
   * {@link #start} again for another test, none of this test's packets kept. False when it cannot be
   * reused; it must be closed then. Waits at most {@code timeoutNanos}.
   */
  boolean recycle(long timeoutNanos);

  /** Stops and releases what the capture holds. */
  void close();

  /**
   * Writes {@code packets} as a pcap file: nanosecond timestamps, link type RAW (IPv4 or IPv6 without a
   * link header), the snap length in force, and each packet's length on the wire beside the bytes kept.
   */
  default void write(Path file, List<CaptureRecord> packets) throws IOException {
    PcapFile.write(file, packets, kept().limits().snapLength());
  }
}
