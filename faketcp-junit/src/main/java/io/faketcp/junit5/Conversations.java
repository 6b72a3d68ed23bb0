package io.faketcp.junit5;

import io.faketcp.packet.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rebuilds the TCP connections of a capture (see {@link TcpConversation}): one pass over the packets,
 * one state per 4-tuple, sequence numbers made relative to each side's initial sequence number so that
 * wrapping past 2^32 does not matter.
 */
final class Conversations {
  private static final long MOD = 1L << 32;

  private Conversations() {}

  /**
   * The connections in {@code packets}; {@code loss} is the capture's note when it missed packets (null when
   * it is complete): a stream with a gap is then marked as lost there, not passed off as whole.
   */
  static List<TcpConversation> of(List<CapturedPacket> packets, String loss) {
    Map<List<InetSocketAddress>, State> open = new HashMap<>();
    List<State> all = new ArrayList<>();
    for (CapturedPacket p : packets) {
      Optional<TcpSegment> segment = p.tcp();
      if (segment.isEmpty()) {
        continue;
      }
      TcpSegment t = segment.get();
      InetSocketAddress source = new InetSocketAddress(t.packet().source(), t.sourcePort());
      InetSocketAddress destination = new InetSocketAddress(t.packet().destination(), t.destinationPort());
      List<InetSocketAddress> key = source.toString().compareTo(destination.toString()) < 0
          ? List.of(source, destination) : List.of(destination, source);
      State state = open.get(key);
      boolean syn = t.syn() && !t.ack();
      if (state == null || syn && !state.retransmittedSyn(source, t.sequenceNumber())) {
        state = new State(source, destination);
        open.put(key, state);
        all.add(state);
      }
      state.add(p, t, source.equals(state.client));
    }
    List<TcpConversation> result = new ArrayList<>(all.size());
    for (State s : all) {
      result.add(s.conversation(loss));
    }
    return result;
  }

  /** One connection being rebuilt. */
  private static final class State {
    final InetSocketAddress client;
    final InetSocketAddress server;
    final Side fromClient = new Side();
    final Side fromServer = new Side();
    final List<CapturedPacket> packets = new ArrayList<>();
    boolean synSeen;
    int synRetransmissions;
    boolean synAcknowledged;
    boolean handshakeCompleted;

    State(InetSocketAddress client, InetSocketAddress server) {
      this.client = client;
      this.server = server;
    }

    /** Whether a SYN from {@code source} with this sequence number repeats this connection's SYN. */
    boolean retransmittedSyn(InetSocketAddress source, long seq) {
      return synSeen && source.equals(client) && fromClient.isn == seq;
    }

    void add(CapturedPacket p, TcpSegment t, boolean byClient) {
      packets.add(p);
      Side side = byClient ? fromClient : fromServer;
      long seq = t.sequenceNumber();
      if (t.syn()) {
        if (byClient && !t.ack()) {
          if (synSeen) {
            synRetransmissions++;
          }
          synSeen = true;
        } else if (!byClient && t.ack() && synSeen && t.acknowledgmentNumber() == (fromClient.isn + 1) % MOD) {
          synAcknowledged = true;
        }
        side.isn = seq;
        seq = (seq + 1) % MOD; // the SYN takes one sequence number
      } else if (byClient && t.ack() && synAcknowledged && fromServer.isn >= 0
          && t.acknowledgmentNumber() == (fromServer.isn + 1) % MOD) {
        handshakeCompleted = true;
      }
      if (t.payloadLength() > 0) {
        ByteBuffer payload = t.payload();
        // A cut packet's view reads zeros past what was kept: take only the bytes kept.
        int payloadStart = t.packet().payloadOffset() + t.dataOffset();
        int kept = Math.max(0, Math.min(payload.remaining(), p.capturedLength() - payloadStart));
        byte[] data = new byte[kept];
        payload.duplicate().get(data);
        side.data(seq, t.payloadLength(), data, p.isTruncated() ? p.truncation() : null);
      }
      side.fin |= t.fin();
      side.reset |= t.rst();
    }

    TcpConversation conversation(String loss) {
      return new TcpConversation(client, server, synSeen, synRetransmissions, synAcknowledged, handshakeCompleted,
          fromClient.direction(loss), fromServer.direction(loss), packets);
    }
  }

  /** What one side sent, by offset from its first data byte. */
  private static final class Side {
    long isn = -1;
    long base = -1;
    /** Data by relative offset; the longest segment at an offset is kept (only its bytes the capture kept). */
    final TreeMap<Long, byte[]> segments = new TreeMap<>();
    /** Byte ranges the capture cut off, start to end (exclusive), with why: where a stream cannot go on. */
    final TreeMap<Long, long[]> cutRanges = new TreeMap<>();
    final Map<Long, String> cutWhy = new HashMap<>();
    /** Covered byte ranges, start to end (exclusive), merged. */
    final TreeMap<Long, Long> covered = new TreeMap<>();
    long bytes;
    int retransmissions;
    boolean fin;
    boolean reset;

    /**
     * A segment's data at {@code seq}: {@code length} bytes on the wire, of which the capture kept
     * {@code data}; {@code cut} says why the rest is missing (null when kept whole).
     */
    void data(long seq, int length, byte[] data, String cut) {
      if (base < 0) {
        base = isn >= 0 ? (isn + 1) % MOD : seq;
      }
      long start = Math.floorMod(seq - base, MOD);
      if (start >= MOD / 2) {
        return; // before the first byte seen (sent before the capture began): not part of the stream
      }
      long end = start + length;
      long fresh = length - overlap(start, end);
      if (fresh < length) {
        retransmissions++;
      }
      if (data.length < length && !cutRanges.containsKey(start + data.length)) {
        cutRanges.put(start + data.length, new long[] {end});
        cutWhy.put(start + data.length, cut);
      }
      bytes += fresh;
      cover(start, end);
      byte[] kept = segments.get(start);
      if (kept == null || kept.length < data.length) {
        segments.put(start, data);
      }
    }

    private long overlap(long start, long end) {
      long sum = 0;
      Map.Entry<Long, Long> e = covered.floorEntry(start);
      Long from = e == null ? covered.ceilingKey(start) : e.getKey();
      for (Long s = from; s != null && s < end; s = covered.higherKey(s)) {
        long e2 = covered.get(s);
        sum += Math.max(0, Math.min(end, e2) - Math.max(start, s));
      }
      return sum;
    }

    private void cover(long start, long end) {
      Map.Entry<Long, Long> before = covered.floorEntry(start);
      if (before != null && before.getValue() >= start) {
        start = before.getKey();
        end = Math.max(end, before.getValue());
      }
      for (Long s = covered.ceilingKey(start); s != null && s <= end; s = covered.ceilingKey(start)) {
        end = Math.max(end, covered.remove(s));
      }
      covered.put(start, end);
    }

    TcpConversation.Direction direction(String loss) {
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      long position = 0;
      String lost = null;
      for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
        long start = e.getKey();
        byte[] data = e.getValue();
        if (start > position) {
          if (loss != null) {
            lost = "has a gap at byte " + position + " (bytes " + position + "-" + (start - 1) + " are missing), and the"
                + " capture is incomplete: " + loss;
          }
          break; // a gap: the stream ends here
        }
        int skip = (int) (position - start);
        if (skip < data.length) {
          stream.write(data, skip, data.length - skip);
          position = start + data.length;
        }
      }
      return new TcpConversation.Direction(bytes, stream.toByteArray(), retransmissions, fin, reset,
          cutAt(position), lost);
    }

    /**
     * Why the stream ends at {@code position} when the capture cut it there (a cut segment's missing
     * bytes that no other segment holds), or null for a whole stream or a real gap.
     */
    private String cutAt(long position) {
      for (Map.Entry<Long, long[]> e : cutRanges.headMap(position, true).entrySet()) {
        if (e.getValue()[0] > position) {
          return "cut at byte " + position + ": " + cutWhy.get(e.getKey());
        }
      }
      return null;
    }
  }
}
