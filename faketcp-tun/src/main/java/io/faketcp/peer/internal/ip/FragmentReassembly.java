package io.faketcp.peer.internal.ip;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.Ipv4Packet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * IPv4 reassembly (RFC 791, RFC 1122 §3.3.2) of the host's fragmented datagrams before TCP and ICMP
 * see them, bounded as a host must be: at most {@value #MAX_DATAGRAMS} datagrams and
 * {@value #MAX_BYTES} bytes in reassembly at once (a new datagram evicts the oldest), each given up
 * {@link #TIMEOUT_NANOS} after its first fragment ({@link #TIMEOUT6_NANOS} for the IPv6 hosts'
 * datagrams, which {@link FamilyTranslator} hands over as IPv4 fragments). Fragments are checked as Linux does since it
 * stopped trusting them: a fragment that overlaps another one of its datagram other than as an exact
 * duplicate discards the whole datagram (RFC 5722's rule, which Linux applies to IPv4 too), as do a
 * fragment other than the last whose length is not a multiple of 8, and a datagram that would exceed
 * 65,535 bytes. Peer thread only.
 *
 * <p>Not API: public for {@code io.faketcp.peer} only.
 */
public final class FragmentReassembly {
  static final int MAX_DATAGRAMS = 64;
  static final int MAX_BYTES = 1 << 20;
  /** Linux's ipfrag_time. */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** RFC 8200 §4.5's 60 seconds (Linux's ip6frag_time), for the datagrams of IPv6 hosts. */
  static final long TIMEOUT6_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** Fragments one datagram may arrive in; 65,535 bytes in 8-byte pieces would be 8,192. */
  static final int MAX_FRAGMENTS = 128;
  private static final int MAX_DATAGRAM = 0xffff;

  /** What {@link #add} did with a fragment that completed nothing. */
  public enum Outcome {
    /** Kept until the rest of its datagram arrives. */
    HELD,
    /** An exact copy of a fragment already held: dropped. */
    DUPLICATE,
    /** Overlapping, oversized or misaligned: dropped, with the datagram it belonged to. */
    DISCARDED
  }

  private final LongSupplier clock;
  private final List<Datagram> pending = new ArrayList<>();
  private int bytes;
  private Outcome last;

  public FragmentReassembly(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Takes one fragment ({@link Ipv4Packet#isFragment()}); returns the whole datagram, a new packet
   * without fragmentation, when this fragment completed it, else null and {@link #outcome()} says why.
   */
  public ByteBuffer add(Ipv4Packet fragment) {
    long now = clock.getAsLong();
    expire(now);
    int start = fragment.fragmentOffset();
    int length = fragment.payloadLength();
    int end = start + length;
    boolean lastFragment = !fragment.moreFragments();
    Datagram d = find(fragment);
    if (length == 0 || !lastFragment && length % 8 != 0 || end + fragment.headerLength() > MAX_DATAGRAM) {
      return discard(d);
    }
    if (d == null) {
      d = open(fragment, now);
    }
    int overlap = d.overlap(start, end);
    if (overlap < 0) {
      return discard(d);
    }
    if (overlap > 0) {
      last = Outcome.DUPLICATE;
      return null;
    }
    if (lastFragment ? d.total >= 0 && d.total != end || d.highest > end : d.total >= 0 && end > d.total) {
      return discard(d); // two different ends, or data beyond the end
    }
    if (d.count == MAX_FRAGMENTS) {
      return discard(d);
    }
    if (lastFragment) {
      d.total = end;
    }
    if (start == 0) {
      d.header = new byte[fragment.headerLength()];
      fragment.buffer().get(fragment.offset(), d.header);
    }
    grow(d, end);
    fragment.buffer().get(fragment.payloadOffset(), d.data, start, length);
    d.add(start, end);
    if (d.total < 0 || d.header == null || d.received != d.total) {
      last = Outcome.HELD;
      return null;
    }
    remove(d);
    return d.packet();
  }

  /** Why the last {@link #add} returned null. */
  public Outcome outcome() {
    return last;
  }

  /** Datagrams in reassembly now. */
  int pending() {
    return pending.size();
  }

  /** Bytes held for them. */
  int bytesHeld() {
    return bytes;
  }

  private ByteBuffer discard(Datagram d) {
    if (d != null) {
      remove(d);
    }
    last = Outcome.DISCARDED;
    return null;
  }

  private Datagram find(Ipv4Packet f) {
    int id = f.identification();
    for (int i = 0; i < pending.size(); i++) {
      Datagram d = pending.get(i);
      if (d.id == id && d.source == f.sourceInt() && d.destination == f.destinationInt()
          && d.protocol == f.protocol()) {
        return d;
      }
    }
    return null;
  }

  private Datagram open(Ipv4Packet f, long now) {
    if (pending.size() == MAX_DATAGRAMS) {
      remove(pending.get(0));
    }
    Datagram d = new Datagram(f.sourceInt(), f.destinationInt(), f.protocol(), f.identification(), now);
    pending.add(d);
    return d;
  }

  /** Makes room for {@code end} bytes, evicting the oldest other datagrams while over the budget. */
  private void grow(Datagram d, int end) {
    if (end <= d.data.length) {
      return;
    }
    int capacity = Math.min(MAX_DATAGRAM, Math.max(end, 2 * d.data.length));
    while (bytes + capacity - d.data.length > MAX_BYTES) {
      Datagram oldest = pending.get(0) != d ? pending.get(0) : pending.size() > 1 ? pending.get(1) : null;
      if (oldest == null) {
        break; // alone, and within MAX_BYTES: a datagram is at most 64 KiB
      }
      remove(oldest);
    }
    bytes += capacity - d.data.length;
    d.data = Arrays.copyOf(d.data, capacity);
  }

  private void expire(long now) {
    for (int i = pending.size() - 1; i >= 0; i--) {
      Datagram d = pending.get(i);
      if (now - d.firstSeen >= (FamilyTranslator.isIpv6(d.destination) ? TIMEOUT6_NANOS : TIMEOUT_NANOS)) {
        remove(d);
      }
    }
  }

  private void remove(Datagram d) {
    pending.remove(d);
    bytes -= d.data.length;
  }

  /** One datagram in reassembly: its key, the bytes so far and the ranges they cover. */
  private static final class Datagram {
    final int source;
    final int destination;
    final int protocol;
    final int id;
    final long firstSeen;
    byte[] header;
    byte[] data = new byte[0];
    /** The payload's length, known from the last fragment; -1 before. */
    int total = -1;
    /** Payload bytes received, and the end of the highest fragment. */
    int received;
    int highest;
    /** The fragments' [start, end) ranges, unordered. */
    int[] starts = new int[4];
    int[] ends = new int[4];
    int count;

    Datagram(int source, int destination, int protocol, int id, long firstSeen) {
      this.source = source;
      this.destination = destination;
      this.protocol = protocol;
      this.id = id;
      this.firstSeen = firstSeen;
    }

    /** 0: no overlap; 1: an exact duplicate of a fragment held; -1: any other overlap. */
    int overlap(int start, int end) {
      for (int i = 0; i < count; i++) {
        if (start < ends[i] && starts[i] < end) {
          return starts[i] == start && ends[i] == end ? 1 : -1;
        }
      }
      return 0;
    }

    void add(int start, int end) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, 2 * count);
        ends = Arrays.copyOf(ends, 2 * count);
      }
      starts[count] = start;
      ends[count] = end;
      count++;
      received += end - start;
      highest = Math.max(highest, end);
    }

    /** The reassembled packet: the first fragment's header, unfragmented, with its new length and checksum. */
    ByteBuffer packet() {
      int headerLength = header.length;
      ByteBuffer p = ByteBuffer.allocate(headerLength + total);
      p.put(header).put(data, 0, total).flip();
      p.putShort(2, (short) (headerLength + total));
      p.putShort(6, (short) (p.getShort(6) & 0x4000)); // MF and the offset cleared; DF as it was
      p.putShort(10, (short) 0);
      p.putShort(10, (short) Checksum.compute(p, 0, headerLength));
      return p;
    }
  }
}
