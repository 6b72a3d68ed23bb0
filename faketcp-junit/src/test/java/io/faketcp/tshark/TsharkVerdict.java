package io.faketcp.tshark;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * tshark's analysis of one capture, for assertions: the frames, those from one address, those with an
 * analysis flag, the problems tshark found, and readable listings that name the pcap kept.
 */
final class TsharkVerdict {
  /** Analysis flags that tell of loss, reordering or a peer's mistake (notes and warnings alike). */
  static final List<String> TROUBLE = List.of(TsharkPacket.RETRANSMISSION, TsharkPacket.FAST_RETRANSMISSION,
      TsharkPacket.SPURIOUS_RETRANSMISSION, TsharkPacket.OUT_OF_ORDER, TsharkPacket.LOST_SEGMENT,
      TsharkPacket.ACK_LOST_SEGMENT, TsharkPacket.DUPLICATE_ACK, TsharkPacket.ZERO_WINDOW,
      TsharkPacket.ZERO_WINDOW_PROBE, TsharkPacket.ZERO_WINDOW_PROBE_ACK, TsharkPacket.WINDOW_FULL,
      TsharkPacket.KEEP_ALIVE, TsharkPacket.KEEP_ALIVE_ACK, TsharkPacket.REUSED_PORTS, TsharkPacket.MALFORMED);
  private static final int LISTED = 40;

  private final Path pcap;
  private final List<TsharkPacket> packets;

  TsharkVerdict(Path pcap, List<TsharkPacket> packets) {
    this.pcap = pcap;
    this.packets = List.copyOf(packets);
  }

  Path pcap() {
    return pcap;
  }

  List<TsharkPacket> packets() {
    return packets;
  }

  List<TsharkPacket> tcp() {
    return filter(TsharkPacket::isTcp);
  }

  List<TsharkPacket> filter(Predicate<TsharkPacket> which) {
    return packets.stream().filter(which).toList();
  }

  /** The frames {@code address} sent. */
  List<TsharkPacket> from(InetAddress address) {
    return filter(p -> p.source().equals(address.getHostAddress()));
  }

  /** The frames {@code address} sent that carry the analysis field {@code flag}. */
  List<TsharkPacket> flagged(String flag, InetAddress from) {
    return filter(p -> p.has(flag) && p.source().equals(from.getHostAddress()));
  }

  /**
   * What a clean conversation has none of: frames with a {@link #TROUBLE} flag, an expert item of
   * severity warning or error, or a bad checksum.
   */
  List<TsharkPacket> problems() {
    return filter(p -> p.badChecksum() || !p.warnings().isEmpty() || TROUBLE.stream().anyMatch(p::has));
  }

  /**
   * The data {@code sender} sent again by a timer (a tail-loss probe, RFC 8985 §7, or a retransmission
   * timeout), not after duplicate ACKs and not data already acknowledged: what a sender does when the
   * other end's ACK comes later than twice the smoothed round trip. The fake peer runs in the test's JVM:
   * a GC pause or a busy machine stops it that long, and the host probes.
   */
  List<TsharkPacket> timerRetransmissionsBy(InetAddress sender) {
    return filter(p -> p.source().equals(sender.getHostAddress()) && p.has(TsharkPacket.RETRANSMISSION)
        && !p.has(TsharkPacket.FAST_RETRANSMISSION) && !p.has(TsharkPacket.SPURIOUS_RETRANSMISSION) && p.length() > 0);
  }

  /** How many frames carry each analysis flag and warning, by sender: for messages and reports. */
  Map<String, Long> summary() {
    Map<String, Long> counts = new TreeMap<>();
    for (TsharkPacket p : packets) {
      p.analysis().stream().filter(TROUBLE::contains)
          .forEach(a -> counts.merge(p.source() + " " + a.replace("tcp.analysis.", ""), 1L, Long::sum));
      p.warnings().forEach(w -> counts.merge(p.source() + " " + w, 1L, Long::sum));
      if (p.badChecksum()) {
        counts.merge(p.source() + " bad checksum", 1L, Long::sum);
      }
    }
    return counts;
  }

  /** A listing of {@code frames} (the first 40) for an assertion's message, naming the pcap. */
  String describe(List<TsharkPacket> frames) {
    String listed = frames.stream().limit(LISTED).map(TsharkPacket::line).collect(Collectors.joining("\n  ", "  ", ""));
    String more = frames.size() > LISTED ? "\n  ... and " + (frames.size() - LISTED) + " more" : "";
    return frames.size() + " frame(s) of " + packets.size() + " in " + pcap.toAbsolutePath() + ", tshark's counts "
        + summary() + ":\n" + listed + more;
  }

  /** The whole analysis, as {@link #describe}. */
  @Override
  public String toString() {
    return describe(packets);
  }
}
