package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.packet.TcpSegment.SYN;

import io.faketcp.packet.TcpSegment;

/**
 * The one place that builds the headers the fake hosts send: a connection's segments (addresses,
 * ports, SEQ, ACK, window and options from its state) and the RST of a segment that has no
 * connection. Options are chosen here: MSS on our SYNs; SACK-permitted, window scale and timestamps
 * on our SYN+ACK as the host offered them; timestamps and SACK blocks (while out-of-order data is
 * kept) on the segments after it.
 */
final class Headers {
  private Headers() {
  }

  /**
   * A segment of {@code e} with {@code flags} at sequence number {@code seq}: acknowledging RCV.NXT
   * when {@code flags} has ACK, advertising {@code window}; the caller adds the payload and emits it.
   */
  static TcpSegment.Builder of(TcpReceiver e, int flags, int seq, int window) {
    TcpSegment.Builder tcp = e.context().segment().source(e.fakeAddress()).destination(e.hostAddress())
        .sourcePort(e.fakePort()).destinationPort(e.hostPort())
        .sequenceNumber(Seq.field(seq)).acknowledgmentNumber((flags & ACK) != 0 ? Seq.field(e.rcvNxt) : 0)
        .flags(flags).window(window);
    if ((flags & SYN) != 0) {
      tcp.mss(e.context().mss());
      if ((flags & ACK) != 0) {
        int shift = e.windowShift();
        tcp.sackPermitted(e.sackPermitted).windowScale(shift > 0 ? shift : -1);
        if (e.timestampsOn()) {
          tcp.timestamps(e.tsValue(e.context().now()), e.tsRecent());
          e.timestampSent(e.rcvNxt);
        }
      }
    } else if ((flags & RST) == 0) {
      byte[] sack = e.sackOption();
      if (e.timestampsOn()) {
        long now = e.context().now();
        if (sack == null) {
          tcp.timestamps(e.tsValue(now), e.tsRecent()); // built by the builder: nothing allocated
        } else {
          tcp.options(e.timestampOption(now, sack, e.context().timestampOptions()));
        }
        e.timestampSent(e.rcvNxt);
      } else if (sack != null) {
        tcp.options(sack);
      }
    }
    return tcp;
  }

  /** The RST a closed port sends in reply to {@code segment} (RFC 9293 §3.10.7.1, "reset generation"). */
  static TcpSegment.Builder resetFor(TcpSegment.Builder tcp, TcpSegment segment) {
    tcp.source(segment.ip().destinationInt()).destination(segment.ip().sourceInt())
        .sourcePort(segment.destinationPort()).destinationPort(segment.sourcePort()).window(0);
    if (segment.ack()) {
      tcp.sequenceNumber(segment.acknowledgmentNumber()).flags(RST);
    } else {
      long length = segment.payloadLength() + (segment.syn() ? 1 : 0) + (segment.fin() ? 1 : 0);
      tcp.sequenceNumber(0).acknowledgmentNumber((segment.sequenceNumber() + length) & 0xffffffffL).flags(RST | ACK);
    }
    return tcp;
  }
}
