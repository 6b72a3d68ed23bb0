package io.faketcp.junit5.internal;

import io.faketcp.packet.Tcpdump;
import java.util.List;
import java.util.Locale;

/**
 * tcpdump-style lines for captured packets: seconds since the first packet, the interface and
 * direction as {@code tcpdump -i any} prints them ({@code Out}: host to the fake subnet, {@code In}:
 * from it), then the engine's packet line.
 *
 * <pre>
 *   0.000000 tun0 Out IP 192.168.0.1.41234 &gt; 192.168.0.5.80: Flags [S], seq 1, win 64240, length 0
 *   0.000071 tun0 In  IP 192.168.0.5.80 &gt; 192.168.0.1.41234: Flags [R.], seq 0, ack 2, win 0, length 0
 * </pre>
 */
public final class Transcript {
  private Transcript() {}

  /** One line for {@code record}, its time relative to {@code firstNanos}. */
  public static String line(CaptureRecord record, long firstNanos, String interfaceName) {
    double seconds = (record.epochNanos() - firstNanos) / 1e9;
    return String.format(Locale.ROOT, "%10.6f %s %s %s", seconds, interfaceName, record.toSubnet() ? "Out" : "In ",
        packetLine(record));
  }

  /**
   * The engine's tcpdump-style line for {@code record}; a packet the capture kept cut reads as on the
   * wire (its length), marked {@code [|captured 52 of 65535 bytes, capture budget]}.
   */
  public static String packetLine(CaptureRecord record) {
    return Tcpdump.format(Truncation.viewBytes(record)) + Truncation.mark(record);
  }

  /** Every record, one line each, each ending in a newline; a note when there are none. */
  public static String of(List<CaptureRecord> records, String interfaceName, String note) {
    return of(records, interfaceName, note, null);
  }

  /**
   * The transcript a failing test's {@code .txt} ends with, and {@code CapturedPackets.transcript()}
   * gives: {@code # faults} (the faults in force, their seed and what they did; no line without
   * faults), then the packets marked as {@link #of(List, String, String, FaultMarks)} marks them.
   */
  public static String of(String faultSummary, List<CaptureRecord> records, String interfaceName, String note,
      FaultMarks marks) {
    String header = faultSummary == null || faultSummary.isEmpty() ? "" : "# " + faultSummary + "\n";
    return header + of(records, interfaceName, note, marks);
  }

  /**
   * As {@link #of(List, String, String)}, each line marked with what a fault did to its packet
   * ({@code   <- dropped by loss=5%}), and the packets a fault kept off the wire listed after.
   */
  public static String of(List<CaptureRecord> records, String interfaceName, String note, FaultMarks marks) {
    if (marks == null || marks.isEmpty()) {
      return plain(records, interfaceName, note);
    }
    FaultMarks.Matcher matcher = marks.matcher();
    StringBuilder sb = new StringBuilder();
    long first = records.isEmpty() ? 0 : records.get(0).epochNanos();
    for (CaptureRecord r : records) {
      sb.append(line(r, first, interfaceName));
      String mark = matcher.markFor(r);
      if (mark != null) {
        sb.append("   <- ").append(mark);
      }
      sb.append('\n');
    }
    for (String unseen : matcher.unmatched()) {
      sb.append("  (not on the wire) ").append(unseen).append('\n');
    }
    if (note != null && !note.isEmpty()) {
      sb.append("(").append(note).append(")\n");
    }
    return sb.toString();
  }

  private static String plain(List<CaptureRecord> records, String interfaceName, String note) {
    StringBuilder sb = new StringBuilder();
    if (records.isEmpty()) {
      sb.append("(no packets captured on ").append(interfaceName).append(")\n");
    }
    long first = records.isEmpty() ? 0 : records.get(0).epochNanos();
    for (CaptureRecord r : records) {
      sb.append(line(r, first, interfaceName)).append('\n');
    }
    if (note != null && !note.isEmpty()) {
      sb.append("(").append(note).append(")\n");
    }
    return sb.toString();
  }
}
