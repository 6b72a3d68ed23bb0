package io.faketcp.junit5.internal;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpPacket;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the capture says about packets it kept cut: the mark on a transcript line, the advice in an
 * assertion's message, the note under a listing, and the bytes the packet views read. Internal: not part
 * of faketcp's API.
 */
public final class Truncation {
  private Truncation() {}

  /**
   * The mark after a cut packet's line, as tcpdump marks a packet it could not print whole:
   * {@code  [|captured 52 of 65535 bytes, capture budget]}; empty for a whole packet.
   */
  public static String mark(CaptureRecord r) {
    if (!r.truncated()) {
      return "";
    }
    return " [|captured " + r.bytes().length + " of " + r.originalLength() + " bytes, "
        + (r.cut() == CaptureRecord.Cut.BUDGET ? "capture budget" : "snap length") + "]";
  }

  /**
   * Why a cut packet's payload cannot be compared, and how to keep it whole: for assertion messages.
   * Empty for a whole packet.
   */
  public static String advice(CaptureRecord r) {
    if (!r.truncated()) {
      return "";
    }
    if (r.cut() == CaptureRecord.Cut.SNAP_LENGTH) {
      return "the capture kept " + r.bytes().length + " of its " + r.originalLength() + " bytes (the snap length):"
          + " keep whole packets with FakeNetworkExtension.newInstance().captureSnapLength("
          + Settings.DEFAULT_CAPTURE_SNAP_LENGTH + ")";
    }
    return "the capture kept only its headers, " + r.bytes().length + " of " + r.originalLength() + " bytes: whole"
        + " packets had used their three quarters of the capture budget; raise it with"
        + " FakeNetworkExtension.newInstance().captureBudget(bytes) (" + format(Settings.DEFAULT_CAPTURE_BUDGET)
        + " by default), or call capture.clear() before the traffic to check";
  }

  /**
   * The note under a listing about packets cut and packets not kept for the budget; empty when there
   * are none.
   */
  static String note(long truncated, long overBudget, Settings.Origin origin, int snapLength, long budget) {
    StringBuilder sb = new StringBuilder();
    if (truncated > 0) {
      sb.append(truncated).append(" packet(s) kept cut, marked [|captured ...]: each packet is kept up to the snap"
          + " length of ").append(format(snapLength)).append(", whole packets up to three quarters of the capture"
          + " budget of ").append(format(budget)).append(", then headers only");
    }
    if (overBudget > 0) {
      sb.append(sb.length() == 0 ? "" : "; ").append(overBudget).append(" packet(s) not kept: the capture budget of ")
          .append(format(budget)).append(" was used up");
    }
    if (sb.length() > 0) {
      sb.append(" (FakeNetworkExtension.newInstance().captureBudget(bytes) and .captureSnapLength(bytes) raise them")
          .append(origin == Settings.Origin.BUILDER ? "" : "; the annotations keep the defaults").append(')');
    }
    return sb.toString();
  }

  /** {@code 67,108,864 bytes}. */
  static String format(long bytes) {
    return String.format(Locale.ROOT, "%,d bytes", bytes);
  }

  /**
   * The bytes the packet views of {@code r} read: its bytes as kept when it is whole; for a cut packet
   * its bytes padded with zeros to its length on the wire, the transport checksum set to match, so that
   * its headers read as on the wire (lengths, sequence numbers, flags) and its payload reads as zeros past
   * what was kept.
   */
  public static byte[] viewBytes(CaptureRecord r) {
    if (!r.truncated()) {
      return r.bytes();
    }
    byte[] padded = Arrays.copyOf(r.bytes(), r.originalLength());
    ByteBuffer b = ByteBuffer.wrap(padded);
    IpPacket ip;
    try {
      ip = padded.length > 0 && (padded[0] & 0xF0) == 0x60 ? Ipv6Packet.wrap(b) : Ipv4Packet.wrap(b);
    } catch (MalformedPacketException e) {
      return padded; // the views will not read it either
    }
    int field = checksumField(ip.protocol());
    int at = ip.payloadOffset();
    int length = ip.payloadLength();
    if (field < 0 || ip.isFragment() || field + 2 > length || at + field + 2 > r.bytes().length) {
      return padded;
    }
    b.putShort(at + field, (short) 0);
    int sum;
    if (ip.protocol() == IpProtocol.ICMP) {
      sum = Checksum.compute(b, at, length);
    } else if (ip instanceof Ipv6Packet) {
      sum = Checksum.ipv6(b, ip.offset(), ip.protocol(), at, length);
    } else {
      sum = Checksum.tcpUdp(b, ip.offset(), ip.protocol(), at, length);
    }
    b.putShort(at + field, (short) (ip.protocol() == IpProtocol.UDP && sum == 0 ? 0xFFFF : sum));
    return padded;
  }

  private static int checksumField(int protocol) {
    switch (protocol) {
      case IpProtocol.TCP:
        return 16;
      case IpProtocol.UDP:
        return 6;
      case IpProtocol.ICMP:
      case IpProtocol.ICMPV6:
        return 2;
      default:
        return -1;
    }
  }
}
