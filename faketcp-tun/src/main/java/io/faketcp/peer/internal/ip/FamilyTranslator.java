package io.faketcp.peer.internal.ip;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.tun.Subnet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Carries the IPv6 subnet through the peer's IPv4 engine by stateless translation at the device
 * (the mapping of RFC 7915, SIIT): each IPv6 address of the subnet stands in the engine as a
 * 32-bit {@linkplain #isIpv6 IPv6 id} from 240.0.0.0/4, a range no IPv4 subnet can hold, so that
 * the TCP endpoint, UDP, modes, rules, servers, connect-many and faults serve both families with
 * one code path, and the IPv4 packets pay one byte compare.
 *
 * <p>The id of an address is {@code 0xf0000000} plus the address's low 28 bits; the other 100 bits
 * are the prefix's (with zeros after a prefix shorter than /100), so the fake hosts of an IPv6
 * subnet are all of a /100 or longer, and {@code prefix::2} to {@code prefix::fff:ffff} of a /64.
 * Packets to the others are not answered.
 *
 * <p>The host's IPv6 packets become IPv4 in place ({@link #toIpv4}): the IPv4 header is written
 * over the end of the IPv6 one, the TCP and UDP checksums are adjusted for the addresses (RFC 1624),
 * ICMPv6 echo requests become ICMP ones, a fragment header becomes IPv4 fragment fields (the
 * identification's low 16 bits; a first fragment must hold the whole TCP, UDP or ICMPv6 header, as
 * RFC 7112 asks and Linux checks), and an unfragmented packet gets DF (IPv6 routers never
 * fragment); the engine's IPv4 reassembly then puts the fragments together, and
 * {@link #completeIcmp} finishes the checksum of a fragmented echo request. The fake hosts' IPv4 packets to an
 * IPv6 id become IPv6 ({@link #toIpv6}): ICMP echo replies, destination unreachable (net, host,
 * port and admin as codes 0, 3, 4 and 1, so a Linux socket sees ENETUNREACH, EHOSTUNREACH,
 * ECONNREFUSED and EACCES) and fragmentation-needed as Packet Too Big carrying the same MTU, with
 * the quoted packet translated too. Peer thread only.
 *
 * <p>Not API: public for {@code io.faketcp.peer} only.
 */
public final class FamilyTranslator {
  /** The ids' range, 240.0.0.0/4. */
  static final int ID_BASE = 0xf000_0000;
  private static final int ID_BITS = 0x0fff_ffff;
  private static final int V4 = 20;
  private static final int V6 = 40;
  private static final int FRAGMENT_HEADER = 44;
  private static final int HOP_BY_HOP = 0;
  private static final int ROUTING = 43;
  private static final int DESTINATION_OPTIONS = 60;
  private static final int ICMPV6 = 58;

  private final Subnet prefix;
  private final ByteBuffer out = ByteBuffer.allocateDirect(65_535 + V6 + 8).order(ByteOrder.BIG_ENDIAN);

  public FamilyTranslator(Subnet prefix) {
    this.prefix = prefix;
  }

  /** Whether {@code address} is an IPv6 id (240.0.0.0/4), not an IPv4 address. */
  public static boolean isIpv6(int address) {
    return (address & ID_BASE) == ID_BASE;
  }

  /** The id of the address whose last 64 bits are {@code low}. */
  static int id(long low) {
    return ID_BASE | (int) (low & ID_BITS);
  }

  /** The id of the prefix's {@code n}th address. */
  public int idAt(long n) {
    return id(prefix.networkLow() + n);
  }

  /** The host's id (the prefix's {@code ::1}). */
  public int hostId() {
    return idAt(1);
  }

  /** The IPv6 subnet translated. */
  public Subnet prefix() {
    return prefix;
  }

  /** The address an id stands for. */
  public java.net.Inet6Address address(int id) {
    return Ipv6Packet.toInet6Address(prefix.networkHigh(), low(id));
  }

  /**
   * Rewrites the host's IPv6 packet in {@code b[0, length)} as IPv4 in place; returns the IPv4
   * packet's offset (it ends at the IPv6 packet's end), or -1 when it is nothing to answer: not for
   * a fake host of the subnet, an ICMPv6 message other than an echo request, or malformed.
   */
  public int toIpv4(ByteBuffer b, int length) {
    if (length < V6) {
      return -1;
    }
    int end = V6 + (b.getShort(4) & 0xffff);
    if (end > length) {
      return -1;
    }
    int destination = idOf(b.getLong(24), b.getLong(32));
    int source = idOf(b.getLong(8), b.getLong(16));
    if (destination == 0 || source == 0 || destination == hostId()) {
      return -1;
    }
    int protocol = b.get(6) & 0xff;
    int t = V6;
    int fragment = -1;
    while (protocol == HOP_BY_HOP || protocol == DESTINATION_OPTIONS || protocol == ROUTING
        || protocol == FRAGMENT_HEADER) {
      if (t + 8 > end || protocol == ROUTING && b.get(t + 3) != 0) {
        return -1; // a routing header with segments left is not for this host to answer
      }
      int next = b.get(t) & 0xff;
      if (protocol == FRAGMENT_HEADER) {
        if (fragment >= 0) {
          return -1;
        }
        fragment = t;
        t += 8;
      } else {
        t += 8 + 8 * (b.get(t + 1) & 0xff);
      }
      protocol = next;
    }
    if (t > end) {
      return -1;
    }
    int flagsOffset = 0x4000; // DF
    int identification = 0;
    boolean first = true;
    if (fragment >= 0) {
      int field = b.getShort(fragment + 2) & 0xffff;
      flagsOffset = (field >>> 3) | ((field & 1) != 0 ? 0x2000 : 0);
      identification = b.getInt(fragment + 4) & 0xffff;
      first = (field >>> 3) == 0;
      if (flagsOffset == 0) {
        fragment = -1; // an atomic fragment: whole
        flagsOffset = 0x4000;
      }
    }
    int upperLength = end - t;
    if (protocol == ICMPV6 && first) {
      if (upperLength < 8 || (b.get(t) & 0xff) != 128) {
        return -1;
      }
      // ICMPv6 echo request -> ICMP echo request: the type word and the pseudo-header leave the sum;
      // a first fragment keeps the length in it, which completeIcmp takes out of the whole datagram
      long remove = addressSum(b, 8) + (fragment >= 0 ? 0 : upperLength) + ICMPV6 + (128 << 8);
      adjust(b, t + 2, remove, 8 << 8);
      b.put(t, (byte) 8);
      protocol = IpProtocol.ICMP;
    } else if (protocol == ICMPV6) {
      protocol = IpProtocol.ICMP; // a later fragment of an echo request: data only
    } else if ((protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && first) {
      // RFC 7112: a first fragment holds the whole upper-layer header, or it is dropped, as Linux does
      if (t + (protocol == IpProtocol.TCP ? 20 : 8) > end) {
        return -1;
      }
      int field = t + (protocol == IpProtocol.TCP ? 16 : 6);
      adjust(b, field, addressSum(b, 8), ids(source, destination));
      if (protocol == IpProtocol.UDP && b.getShort(field) == 0) {
        b.putShort(field, (short) 0xffff);
      }
    }
    int h = t - V4;
    int trafficClass = (b.getInt(0) >>> 20) & 0xff;
    int hopLimit = b.get(7) & 0xff;
    b.put(h, (byte) 0x45).put(h + 1, (byte) trafficClass).putShort(h + 2, (short) (V4 + upperLength))
        .putShort(h + 4, (short) identification).putShort(h + 6, (short) flagsOffset).put(h + 8, (byte) hopLimit)
        .put(h + 9, (byte) protocol).putShort(h + 10, (short) 0).putInt(h + 12, source).putInt(h + 16, destination);
    b.putShort(h + 10, (short) Checksum.compute(b, h, V4));
    return h;
  }

  /**
   * Finishes an ICMP datagram of the engine's put together from the fragments {@link #toIpv4} made of
   * an ICMPv6 echo request: the first fragment could not take the ICMPv6 pseudo-header's length out
   * of the checksum, as it did not know it; this takes it out. Other datagrams are left as they are.
   */
  public static void completeIcmp(ByteBuffer datagram) {
    int header = (datagram.get(0) & 0x0f) * 4;
    if ((datagram.get(9) & 0xff) != IpProtocol.ICMP || !isIpv6(datagram.getInt(16))
        || datagram.limit() < header + 8) {
      return;
    }
    adjust(datagram, header + 2, (datagram.getShort(2) & 0xffff) - header, 0);
  }

  /**
   * The fake host's IPv4 packet {@code b[0, length)}, whose destination is an IPv6 id, as IPv6 in
   * this translator's buffer; its length, or -1 when it has no IPv6 form (then it is not sent).
   */
  public int toIpv6(ByteBuffer b, int length) {
    int header = (b.get(0) & 0x0f) * 4;
    int total = b.getShort(2) & 0xffff;
    if (header < V4 || total > length || total < header) {
      return -1;
    }
    int protocol = b.get(9) & 0xff;
    int flagsOffset = b.getShort(6) & 0xffff;
    boolean fragmented = (flagsOffset & 0x3fff) != 0;
    boolean first = (flagsOffset & 0x1fff) == 0;
    int t = V6 + (fragmented ? 8 : 0);
    int payload = total - header;
    if (protocol == IpProtocol.ICMP) {
      if (fragmented) {
        return -1;
      }
      return icmpToIpv6(b, header, total);
    }
    out.put(t, b, header, payload);
    writeHeader(b, 0, fragmented ? FRAGMENT_HEADER : protocol, t - V6 + payload, out, 0);
    if (fragmented) {
      out.put(V6, (byte) protocol).put(V6 + 1, (byte) 0)
          .putShort(V6 + 2, (short) (((flagsOffset & 0x1fff) << 3) | ((flagsOffset & 0x2000) != 0 ? 1 : 0)))
          .putInt(V6 + 4, b.getShort(4) & 0xffff);
    }
    if ((protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) && first) {
      int field = t + (protocol == IpProtocol.TCP ? 16 : 6);
      if (field + 2 > t + payload) {
        return -1;
      }
      if (protocol == IpProtocol.UDP && out.getShort(field) == 0) {
        if (fragmented) {
          return -1; // no checksum, and the datagram is not whole here to compute one
        }
        out.putShort(field, (short) upperChecksum(t, payload, protocol));
      } else {
        adjust(out, field, ids(b.getInt(12), b.getInt(16)), addressSum(out, 8));
        if (protocol == IpProtocol.UDP && out.getShort(field) == 0) {
          out.putShort(field, (short) 0xffff);
        }
      }
    }
    return t + payload;
  }

  /** This translator's output buffer, holding what {@link #toIpv6} returned the length of. */
  public ByteBuffer buffer() {
    return out;
  }

  private int icmpToIpv6(ByteBuffer b, int header, int total) {
    int type = b.get(header) & 0xff;
    int code = b.get(header + 1) & 0xff;
    int t = V6;
    int length;
    if (type == 0 || type == 8) { // echo reply (or request)
      length = total - header;
      out.put(t, b, header, length);
      out.put(t, (byte) (type == 0 ? 129 : 128));
    } else if (type == 3 || type == 11) {
      int v6type;
      int v6code;
      int mtu = 0;
      if (type == 11) {
        v6type = 3;
        v6code = code;
      } else if (code == 4) {
        v6type = 2;
        v6code = 0;
        mtu = b.getShort(header + 6) & 0xffff;
      } else {
        v6type = 1;
        v6code = unreachableCode(code);
        if (v6code < 0) {
          return -1;
        }
      }
      int quoted = header + 8;
      int quotedLength = total - quoted;
      if (quotedLength < V4 || (b.get(quoted) >>> 4) != 4) {
        return -1;
      }
      int inner = quotedLength + (V6 - (b.get(quoted) & 0x0f) * 4);
      out.put(t, (byte) v6type).put(t + 1, (byte) v6code).putShort(t + 2, (short) 0).putInt(t + 4, mtu);
      if (!quote(b, quoted, quotedLength, t + 8)) {
        return -1;
      }
      length = 8 + inner;
    } else {
      return -1;
    }
    writeHeader(b, 0, ICMPV6, length, out, 0);
    out.putShort(t + 2, (short) 0);
    out.putShort(t + 2, (short) upperChecksum(t, length, ICMPV6));
    return t + length;
  }

  /** The host's packet an ICMP error quotes, {@code b[at, at + length)}, as IPv6 at {@code out[to]}. */
  private boolean quote(ByteBuffer b, int at, int length, int to) {
    int header = (b.get(at) & 0x0f) * 4;
    if (header < V4 || header > length || !isIpv6(b.getInt(at + 12)) || !isIpv6(b.getInt(at + 16))) {
      return false;
    }
    int protocol = b.get(at + 9) & 0xff;
    int originalPayload = (b.getShort(at + 2) & 0xffff) - header;
    out.put(to + V6, b, at + header, length - header);
    out.putInt(to, 6 << 28 | (b.get(at + 1) & 0xff) << 20).putShort(to + 4, (short) originalPayload)
        .put(to + 6, (byte) (protocol == IpProtocol.ICMP ? ICMPV6 : protocol)).put(to + 7, b.get(at + 8));
    putAddress(out, to + 8, b.getInt(at + 12));
    putAddress(out, to + 24, b.getInt(at + 16));
    if (protocol == IpProtocol.ICMP && length - header >= 1) {
      int type = out.get(to + V6) & 0xff;
      out.put(to + V6, (byte) (type == 8 ? 128 : type == 0 ? 129 : type));
    }
    return true;
  }

  /** ICMP destination-unreachable code to ICMPv6's (net 0, host 3, port 4, admin 1), or -1. */
  private static int unreachableCode(int code) {
    switch (code) {
      case 0:
      case 6:
        return 0;
      case 1:
      case 7:
        return 3;
      case 3:
        return 4;
      case 9:
      case 10:
      case 13:
        return 1;
      default:
        return -1;
    }
  }

  private void writeHeader(ByteBuffer b, int at, int nextHeader, int payloadLength, ByteBuffer to, int offset) {
    to.putInt(offset, 6 << 28 | (b.get(at + 1) & 0xff) << 20).putShort(offset + 4, (short) payloadLength)
        .put(offset + 6, (byte) nextHeader).put(offset + 7, b.get(at + 8));
    putAddress(to, offset + 8, b.getInt(at + 12));
    putAddress(to, offset + 24, b.getInt(at + 16));
  }

  private void putAddress(ByteBuffer to, int at, int id) {
    to.putLong(at, prefix.networkHigh()).putLong(at + 8, low(id));
  }

  /** The last 64 bits of the address {@code id} stands for. */
  private long low(int id) {
    return (prefix.networkLow() & ~(long) ID_BITS) | (id & ID_BITS);
  }

  /** The id of an address of the subnet, or 0 when it has none. */
  private int idOf(long high, long low) {
    if (!prefix.contains(high, low)) {
      return 0;
    }
    return (low & ~(long) ID_BITS) == (prefix.networkLow() & ~(long) ID_BITS) ? id(low) : 0;
  }

  /** The checksum of {@code out[t, t + length)} with the IPv6 pseudo-header of the packet at 0. */
  private int upperChecksum(int t, int length, int nextHeader) {
    long sum = addressSum(out, 8) + (length >>> 16) + (length & 0xffff) + nextHeader;
    sum += ~Checksum.compute(out, t, length) & 0xffff;
    return finish(sum);
  }

  /** The 16-bit words of the two addresses at {@code b[at, at + 32)}, summed (not folded). */
  private static long addressSum(ByteBuffer b, int at) {
    long sum = 0;
    for (int i = 0; i < 32; i += 4) {
      int word = b.getInt(at + i);
      sum += (word >>> 16) + (word & 0xffff);
    }
    return sum;
  }

  private static long ids(int source, int destination) {
    return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff);
  }

  /** RFC 1624 eqn. 3: the checksum at {@code b[field]} with words summing to {@code removed} replaced by {@code added}. */
  private static void adjust(ByteBuffer b, int field, long removed, long added) {
    long sum = (~b.getShort(field) & 0xffff) + fold(added) + (~fold(removed) & 0xffff);
    b.putShort(field, (short) finish(sum));
  }

  private static long fold(long s) {
    while ((s >>> 16) != 0) {
      s = (s & 0xffff) + (s >>> 16);
    }
    return s;
  }

  private static int finish(long s) {
    return (int) ~fold(s) & 0xffff;
  }
}
