package io.faketcp.tshark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One frame as tshark dissected it: its addresses and TCP header fields, the TCP analysis flags it
 * set ({@code tcp.analysis.retransmission}, ...), and every expert item (severity, message).
 *
 * @param frame tshark's frame number (1 is the first packet of the pcap)
 * @param time seconds since the first frame
 * @param source the sender's address, or "" for a frame without IP
 * @param flags the TCP flags, as tshark's {@code tcp.flags} (0 for no TCP)
 * @param seq the relative sequence number
 * @param ack the relative acknowledgment number
 * @param length the TCP payload length
 * @param window the window in bytes, scaled where tshark saw the scale negotiated
 * @param analysis the analysis and option fields present (names from {@link #FLAGS})
 * @param experts the expert items, as {@code severity: message}
 * @param checksums tshark's verdict on the IP and TCP checksums: {@code good}, {@code bad}, or
 *     {@code unverified} (where the packet was cut or has no TCP)
 */
record TsharkPacket(int frame, double time, String source, int sourcePort, String destination,
    int destinationPort, int flags, long seq, long ack, int length, long window, Set<String> analysis,
    List<Expert> experts, String checksums) {

  static final String RETRANSMISSION = "tcp.analysis.retransmission";
  static final String FAST_RETRANSMISSION = "tcp.analysis.fast_retransmission";
  static final String SPURIOUS_RETRANSMISSION = "tcp.analysis.spurious_retransmission";
  static final String OUT_OF_ORDER = "tcp.analysis.out_of_order";
  static final String LOST_SEGMENT = "tcp.analysis.lost_segment";
  static final String ACK_LOST_SEGMENT = "tcp.analysis.ack_lost_segment";
  static final String DUPLICATE_ACK = "tcp.analysis.duplicate_ack";
  static final String ZERO_WINDOW = "tcp.analysis.zero_window";
  static final String ZERO_WINDOW_PROBE = "tcp.analysis.zero_window_probe";
  static final String ZERO_WINDOW_PROBE_ACK = "tcp.analysis.zero_window_probe_ack";
  static final String WINDOW_FULL = "tcp.analysis.window_full";
  static final String WINDOW_UPDATE = "tcp.analysis.window_update";
  static final String KEEP_ALIVE = "tcp.analysis.keep_alive";
  static final String KEEP_ALIVE_ACK = "tcp.analysis.keep_alive_ack";
  static final String REUSED_PORTS = "tcp.analysis.reused_ports";
  static final String WINDOW_SCALE = "tcp.options.wscale.shift";
  static final String TIMESTAMPS = "tcp.options.timestamp.tsval";
  static final String SACK_PERMITTED = "tcp.options.sack_perm";
  static final String SACK = "tcp.options.sack_le";
  static final String MALFORMED = "_ws.malformed";

  /** The presence fields asked for, in this order after the fixed ones. */
  static final List<String> FLAGS = List.of(RETRANSMISSION, FAST_RETRANSMISSION, SPURIOUS_RETRANSMISSION, OUT_OF_ORDER,
      LOST_SEGMENT, ACK_LOST_SEGMENT, DUPLICATE_ACK, ZERO_WINDOW, ZERO_WINDOW_PROBE, ZERO_WINDOW_PROBE_ACK, WINDOW_FULL,
      WINDOW_UPDATE, KEEP_ALIVE, KEEP_ALIVE_ACK, REUSED_PORTS, WINDOW_SCALE, TIMESTAMPS, SACK_PERMITTED, SACK,
      MALFORMED);

  private static final List<String> FIXED = List.of("frame.number", "frame.time_relative", "ip.src", "tcp.srcport",
      "ip.dst", "tcp.dstport", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len", "tcp.window_size", "ip.checksum.status",
      "tcp.checksum.status", "_ws.expert.severity", "_ws.expert.message");

  /** Every field asked of tshark, one column each. */
  static final List<String> FIELDS = concat(FIXED, FLAGS);

  /**
   * tshark's warning for a TCP checksum of 0xffff where it computes 0x0000: the same number in one's
   * complement (RFC 1624), which Linux sends (skb_checksum_help writes CSUM_MANGLED_0 for a zero sum).
   * Taken as a good checksum, not a warning.
   */
  private static final String NEGATIVE_ZERO = "instead of 0x0000 (see RFC 1624)";

  /** TCP flag bits, as in the header. */
  static final int FIN = 0x01;
  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int ACK = 0x10;

  /** An expert item: tshark's severity (chat, note, warning, error) and its message. */
  record Expert(String severity, String message) {
    boolean warningOrError() {
      return severity.equals("warning") || severity.equals("error");
    }

    @Override
    public String toString() {
      return severity + ": " + message;
    }
  }

  /** Parses one line of tshark's {@code -T fields} output for {@link #FIELDS}. */
  static TsharkPacket parse(String line, String aggregator) {
    String[] columns = Arrays.copyOf(line.split("\t", -1), FIELDS.size());
    for (int i = 0; i < columns.length; i++) {
      columns[i] = columns[i] == null ? "" : columns[i];
    }
    Set<String> present = new TreeSet<>();
    for (int i = 0; i < FLAGS.size(); i++) {
      if (!columns[FIXED.size() + i].isEmpty()) {
        present.add(FLAGS.get(i));
      }
    }
    List<Expert> experts = new ArrayList<>();
    String[] severities = split(columns[13], aggregator);
    String[] messages = split(columns[14], aggregator);
    boolean negativeZero = false;
    for (int i = 0; i < severities.length; i++) {
      String message = i < messages.length ? messages[i] : "";
      if (message.contains(NEGATIVE_ZERO)) {
        negativeZero = true;
      } else {
        experts.add(new Expert(severity(severities[i]), message));
      }
    }
    String[] tcpChecksum = split(columns[12], aggregator);
    if (negativeZero) {
      tcpChecksum = new String[] {"1"};
    }
    String checksums = checksums(split(columns[11], aggregator), tcpChecksum);
    return new TsharkPacket(Integer.parseInt(columns[0]), Double.parseDouble(columns[1]), first(columns[2], aggregator),
        (int) number(columns[3], aggregator), first(columns[4], aggregator), (int) number(columns[5], aggregator),
        (int) number(columns[6], aggregator), number(columns[7], aggregator), number(columns[8], aggregator),
        (int) number(columns[9], aggregator), number(columns[10], aggregator), present, experts, checksums);
  }

  boolean isTcp() {
    return sourcePort != 0;
  }

  boolean has(String flag) {
    return analysis.contains(flag);
  }

  boolean hasFlag(int bit) {
    return (flags & bit) != 0;
  }

  /** The expert items of severity warning or error. */
  List<Expert> warnings() {
    return experts.stream().filter(Expert::warningOrError).toList();
  }

  /** One line, as in Wireshark's list: frame, time, ends, flags, sequence numbers, and the analysis. */
  String line() {
    StringBuilder line = new StringBuilder(String.format("#%d %.6f %s:%d > %s:%d [%s] seq=%d ack=%d len=%d win=%d",
        frame, time, source, sourcePort, destination, destinationPort, flagNames(), seq, ack, length, window));
    Set<String> shown = new TreeSet<>(analysis);
    shown.removeAll(List.of(WINDOW_SCALE, TIMESTAMPS, SACK_PERMITTED, SACK));
    shown.forEach(a -> line.append(' ').append(a.replace("tcp.analysis.", "")));
    if (badChecksum()) {
      line.append(" BAD-CHECKSUM");
    }
    experts.stream().filter(e -> !e.severity().equals("chat")).forEach(e -> line.append(" {").append(e).append('}'));
    return line.toString();
  }

  private String flagNames() {
    StringBuilder names = new StringBuilder();
    String[] letters = {"F", "S", "R", "P", ".", "U"};
    for (int bit = 0; bit < letters.length; bit++) {
      if ((flags & (1 << bit)) != 0) {
        names.append(letters[bit]);
      }
    }
    return names.toString();
  }

  boolean badChecksum() {
    return checksums.equals("bad");
  }

  /** The IP and TCP checksums' verdict: bad if one is (0), good if both were checked (1), else unverified. */
  private static String checksums(String[] ip, String[] tcp) {
    List<String> all = new ArrayList<>(Arrays.asList(ip));
    all.addAll(Arrays.asList(tcp));
    if (all.contains("0")) {
      return "bad";
    }
    return ip.length > 0 && tcp.length > 0 && all.stream().allMatch("1"::equals) ? "good" : "unverified";
  }

  private static String severity(String value) {
    return switch ((int) Long.parseLong(value.strip())) {
      case 0x200000 -> "chat";
      case 0x400000 -> "note";
      case 0x600000 -> "warning";
      case 0x800000 -> "error";
      default -> "severity " + value;
    };
  }

  private static String[] split(String column, String aggregator) {
    return column.isEmpty() ? new String[0] : column.split(aggregator, -1);
  }

  private static String first(String column, String aggregator) {
    String[] values = split(column, aggregator);
    return values.length == 0 ? "" : values[0];
  }

  /** The first value of a numeric column (an ICMP error quoting a segment repeats the TCP fields), 0 if none. */
  private static long number(String column, String aggregator) {
    String value = first(column, aggregator);
    if (value.isEmpty()) {
      return 0;
    }
    return value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
