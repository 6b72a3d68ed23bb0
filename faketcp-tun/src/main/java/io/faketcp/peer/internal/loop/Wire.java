package io.faketcp.peer.internal.loop;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.faults.FaultWire;
import io.faketcp.peer.internal.ip.FamilyTranslator;
import io.faketcp.peer.internal.tcp.Link;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import io.faketcp.tun.internal.DeviceAccess;
import java.nio.ByteBuffer;

/**
 * Internal, not API. Writes the peer's packets to the device: one reusable native buffer and one reusable TCP
 * builder, counters and the listener. Peer thread only.
 */
public final class Wire implements Link, FaultWire {
  private static final System.Logger LOG = System.getLogger(PeerThread.LOG_NAME);
  /** Where a TCP header holds its checksum. */
  private static final int TCP_CHECKSUM = 16;
  /**
   * Payloads from this many bytes on leave by gather writes; a smaller one is copied behind its headers,
   * which costs less than the gather write's extra work (at MTU 1,500 a copy of 1,448 bytes is cheaper).
   */
  private static final int GATHER_FROM = 4096;
  /** The builder's payload while a gather write builds the headers alone. */
  private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

  private final TunDevice device;
  private final Counters counters;
  private final PacketTap listener;
  private final ByteBuffer out;
  private final TcpSegment.Builder tcp = TcpSegment.builder();
  private final FaultLayer faults;
  /** Packets a fault delayed or duplicated are written from here, so that {@link #out} stays free. */
  private final ByteBuffer later;
  /** Turns packets to the host's IPv6 id into IPv6; null without an IPv6 subnet. */
  private final FamilyTranslator translator;
  /**
   * The device completes checksums ({@link TunDevice#checksumOffload()}): segments go with only the
   * pseudo-header's sum, unless a listener or a fault is to see or keep them (both want whole packets).
   */
  private final boolean checksumOffload;
  private final DeviceAccess<TunDevice> access = DeviceAccess.get();

  public Wire(TunDevice device, Counters counters, PacketTap listener, FaultLayer faults, PeerBuffers buffers,
      FamilyTranslator translator) {
    this.translator = translator;
    this.out = buffers.out;
    this.later = buffers.later;
    this.device = device;
    this.counters = counters;
    this.listener = listener;
    this.faults = faults;
    this.checksumOffload = device.checksumOffload();
  }

  /** The output buffer; build a packet at index 0, then {@link #send(int)} it. */
  @Override
  public ByteBuffer buffer() {
    return out;
  }

  @Override
  public boolean completesChecksums() {
    return checksumOffload && listener == null; // a listener sees whole packets: their payload sums are used
  }

  /** A reset TCP builder for the next segment. */
  @Override
  public TcpSegment.Builder tcp() {
    tcp.reset();
    return tcp;
  }

  /**
   * Sends the segment built with {@link #tcp()}, its payload summing to {@code payloadSum}: the
   * checksum is completed from the header's sum and that, without summing the payload again.
   */
  @Override
  public void sendTcp(int payloadSum) {
    if (payloadSum < 0 || checksumOffload && listener == null && !faults.active) {
      sendTcp();
      return;
    }
    int length = tcp.checksumPending(true).writeTo(out, 0); // the checksum field: the pseudo-header's sum
    if ((out.get(0) & 0xf0) != 0x40) {
      send(length); // IPv6: the builder summed it all (a pending checksum is an IPv4 thing)
      return;
    }
    int header = (out.get(0) & 0x0f) * 4;
    int tcpHeader = (out.get(header + 12) >> 4 & 0x0f) * 4;
    long sum = (~Checksum.compute(out, header, tcpHeader) & 0xffff) + payloadSum;
    out.putShort(header + TCP_CHECKSUM, (short) ~fold(sum));
    send(length);
  }

  /**
   * Sends the segment built with {@link #tcp()}, whose payload is {@code payload}. A payload of
   * {@value #GATHER_FROM} bytes or more in a direct buffer (a bulk connection's send queue) is not
   * copied behind the headers: they are built alone, and the device writes them and the payload in one
   * gather write. Not while a listener or a fault is to see the whole packet, nor for a packet that
   * leaves as IPv6.
   */
  @Override
  public void sendTcp(ByteBuffer payload, int payloadSum) {
    if (payload.remaining() < GATHER_FROM || !payload.isDirect() || listener != null || faults.active) {
      sendTcp(payloadSum);
      return;
    }
    int payloadLength = payload.remaining();
    int headers = tcp.payload(NO_PAYLOAD).checksumPending(true).writeTo(out, 0);
    int ip = (out.get(0) & 0x0f) * 4;
    if ((out.get(0) & 0xf0) != 0x40 || ip != 20 || translator != null && (out.get(16) & 0xf0) == 0xf0
        || headers + payloadLength > 0xffff) {
      tcp.payload(payload).checksumPending(false); // built whole, as any other segment
      sendTcp(payloadSum);
      return;
    }
    int tcpHeader = headers - ip;
    out.putShort(2, (short) (headers + payloadLength)); // the IPv4 total length, with the payload
    out.putShort(10, (short) 0);
    out.putShort(10, (short) Checksum.compute(out, 0, ip));
    // The checksum field holds the pseudo-header's sum for a segment of the headers alone: add the payload's length.
    out.putShort(ip + TCP_CHECKSUM, (short) fold((out.getShort(ip + TCP_CHECKSUM) & 0xffff) + payloadLength));
    boolean pending = checksumOffload;
    if (!pending) {
      int sum = payloadSum >= 0 ? payloadSum
          : ~Checksum.compute(payload, payload.position(), payloadLength) & 0xffff;
      long total = (~Checksum.compute(out, ip, tcpHeader) & 0xffff) + sum;
      out.putShort(ip + TCP_CHECKSUM, (short) ~fold(total));
    }
    int length = headers + payloadLength;
    counters.increment(Counters.PACKETS_OUT);
    counters.add(Counters.BYTES_OUT, length);
    try {
      access.writeGather(device, out, headers, payload, pending ? ip : -1, TCP_CHECKSUM);
    } catch (TunException e) {
      dropped(e, length);
    }
  }

  /** Sends the segment built with {@link #tcp()}. */
  @Override
  public void sendTcp() {
    if (checksumOffload && listener == null && !faults.active) {
      write(out, tcp.checksumPending(true).writeTo(out, 0), true);
      return;
    }
    send(tcp.writeTo(out, 0));
  }

  /**
   * Sends the packet in out[0, length). Counters move before the write, so that whoever sees the
   * reply (a kernel socket, a capture) also sees it counted.
   */
  @Override
  public void send(int length) {
    if (faults.active && faults.outgoing(out, length)) {
      return;
    }
    write(out, length);
  }

  /**
   * Writes {@code packet} (a whole IPv4 packet) now, past the faults: for packets a fault delayed.
   * A packet to an IPv6 id leaves as IPv6 ({@link FamilyTranslator}).
   */
  @Override
  public void write(byte[] packet) {
    write(packet, packet.length);
  }

  /** Writes {@code packet[0, length)} now, past the faults. */
  @Override
  public void write(byte[] packet, int length) {
    later.put(0, packet, 0, length);
    write(later, length);
  }

  /** Writes {@code b[0, length)} now, past the faults. */
  @Override
  public void write(ByteBuffer b, int length) {
    write(b, length, false);
  }

  /** Writes {@code b[0, length)} now, past the faults; its TCP checksum for the device to complete when {@code pending}. */
  private void write(ByteBuffer b, int length, boolean pending) {
    if (b != later && b != out) {
      later.put(0, b, 0, length);
      b = later;
    }
    if (translator != null && length >= 20 && (b.get(16) & 0xf0) == 0xf0) { // to an IPv6 id
      length = translator.toIpv6(b, length);
      if (length < 0) {
        counters.increment(Counters.IGNORED);
        return;
      }
      b = translator.buffer();
    }
    counters.increment(Counters.PACKETS_OUT);
    counters.add(Counters.BYTES_OUT, length);
    try {
      if (pending) {
        access.writeChecksumPending(device, b, length, (b.get(0) & 0x0f) * 4, TCP_CHECKSUM);
      } else {
        device.write(b, length);
      }
    } catch (TunException e) {
      dropped(e, length);
      return;
    }
    if (listener != null) {
      listener.fromPeer(b.duplicate().position(0).limit(length));
    }
  }

  /** {@code sum} folded to 16 bits with end-around carries (RFC 1071). */
  private static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  /** A write of {@code length} bytes failed: uncounted, and rethrown when the device is gone. */
  private void dropped(TunException e, int length) {
    counters.add(Counters.PACKETS_OUT, -1);
    counters.add(Counters.BYTES_OUT, -length);
    if (!device.isOpen()) {
      throw e;
    }
    counters.increment(Counters.WRITE_ERRORS);
    LOG.log(System.Logger.Level.WARNING, "dropped a reply: {0}", e.getMessage());
  }

  /** For responders: copies {@code packet} (an IPv4 packet in [position, limit)) and sends it. */
  public void send(ByteBuffer packet) {
    int length = packet.remaining();
    if (length > out.capacity()) {
      throw new IllegalArgumentException("packet of " + length + " bytes is larger than " + out.capacity());
    }
    out.put(0, packet, packet.position(), length);
    send(length);
  }
}
