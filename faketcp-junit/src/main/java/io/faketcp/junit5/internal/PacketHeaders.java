package io.faketcp.junit5.internal;

import io.faketcp.packet.IpProtocol;
import java.nio.ByteBuffer;

/**
 * How many leading bytes of a packet are its headers: what a capture past its budget keeps. The IP
 * header (IPv6 with its extension headers) and the transport header: TCP with its options, UDP's 8
 * bytes, and for ICMP and ICMPv6 the 8-byte header and up to 128 bytes after it (an error's quoted
 * packet). A fragment after the first keeps its IP header. Never more than the packet; malformed headers
 * keep what is there.
 */
final class PacketHeaders {
  /** Bytes of an ICMP message kept after its 8-byte header: an error's quoted IP and transport headers. */
  static final int ICMP_QUOTE = 128;

  private PacketHeaders() {}

  /** The length of the headers of the packet in {@code p[position, limit)}. */
  static int length(ByteBuffer p) {
    int n = p.remaining();
    int at = p.position();
    if (n < 1) {
      return 0;
    }
    int version = (p.get(at) >> 4) & 0xF;
    int ip;
    int protocol;
    if (version == 4 && n >= 20) {
      ip = (p.get(at) & 0xF) * 4;
      protocol = p.get(at + 9) & 0xFF;
      if ((p.getShort(at + 6) & 0x1FFF) != 0) {
        return Math.min(n, ip); // a later fragment: no transport header
      }
    } else if (version == 6 && n >= 40) {
      ip = 40;
      protocol = p.get(at + 6) & 0xFF;
      while (ip + 8 <= n && isExtension(protocol)) {
        int next = p.get(at + ip) & 0xFF;
        if (protocol == 44) { // fragment header: 8 bytes
          boolean later = (p.getShort(at + ip + 2) & 0xFFF8) != 0;
          ip += 8;
          if (later) {
            return Math.min(n, ip);
          }
        } else {
          ip += 8 + (p.get(at + ip + 1) & 0xFF) * 8;
        }
        protocol = next;
      }
    } else {
      return n; // not IP, or too short to be: kept as it is
    }
    return Math.min(n, ip + transport(p, at + ip, n - ip, protocol));
  }

  private static boolean isExtension(int nextHeader) {
    return nextHeader == 0 || nextHeader == 43 || nextHeader == 44 || nextHeader == 60;
  }

  private static int transport(ByteBuffer p, int at, int left, int protocol) {
    if (protocol == IpProtocol.TCP) {
      return left >= 13 ? Math.max(20, ((p.get(at + 12) >> 4) & 0xF) * 4) : 20;
    }
    if (protocol == IpProtocol.UDP) {
      return 8;
    }
    if (protocol == IpProtocol.ICMP || protocol == IpProtocol.ICMPV6) {
      return 8 + ICMP_QUOTE;
    }
    return 0;
  }
}
