package io.faketcp.peer.internal.ip;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The host's packets on a device with checksum offload ({@link io.faketcp.tun.TunDevice#checksumOffload()}):
 * those the host's stack leaves with a partial checksum (the pseudo-header's sum only) come from the
 * host's own stack, so a TCP segment is handled without summing it. Its bytes must then not reach
 * anyone who reads or keeps packets (a listener, a responder, a fault that delays or copies it, another
 * queue, a relay holding a SYN): for those the checksum is completed first.
 *
 * <p>Not API: public for {@code io.faketcp.peer} only.
 */
public final class PendingChecksums {
  private static final int TCP_CHECKSUM = 16;
  private static final int UDP_CHECKSUM = 6;

  private PendingChecksums() {}

  /**
   * Whether the packet in {@code in[0, length)}, read with its checksum pending, is handled so (a
   * TCP segment other than a SYN, nobody else to see it): true. Otherwise completes the checksum in
   * place and returns false; a packet too short to hold one is left as it is (its parse fails).
   */
  public static boolean leavePending(ByteBuffer in, int length, boolean seenOrKept) {
    if (length < 20 || (in.get(0) & 0xf0) != 0x40) {
      return false;
    }
    int header = (in.get(0) & 0x0f) * 4;
    int protocol = in.get(9) & 0xff;
    int total = Math.min(length, in.getShort(2) & 0xffff);
    int field = protocol == IpProtocol.TCP ? TCP_CHECKSUM : protocol == IpProtocol.UDP ? UDP_CHECKSUM : -1;
    if (field < 0 || total < header + field + 2) {
      return false;
    }
    if (!seenOrKept && protocol == IpProtocol.TCP && total >= header + 20
        && (in.get(header + 13) & TcpSegment.SYN) == 0) {
      return true;
    }
    int sum = Checksum.compute(in, header, total - header); // the field holds the pseudo-header's sum
    in.putShort(header + field, (short) (sum == 0 && protocol == IpProtocol.UDP ? 0xffff : sum));
    return false;
  }
}
