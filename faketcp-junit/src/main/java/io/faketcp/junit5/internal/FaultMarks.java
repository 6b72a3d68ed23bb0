package io.faketcp.junit5.internal;

import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.Direction;
import io.faketcp.peer.Fault;
import io.faketcp.peer.FaultListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the faults did, told by the peer ({@link FaultListener}) and matched to captured packets by
 * their bytes: the capture sees the host's dropped packets and the forged and delayed ones, never
 * the fake hosts' dropped ones, which the transcript lists apart. Thread-safe.
 *
 * <p>Bounded by count and so by bytes: a mark keeps no copy of its packet, only what the transcript
 * needs, a fingerprint of the bytes (length and a 64-bit hash) to find the packet in the capture, and
 * one of its headers for a packet the capture kept cut ({@link PacketHeaders}), or, for a packet kept off
 * the wire, its tcpdump line. Copies of every packet a {@code latency=} fault
 * delays, at an MTU of 65,535, would have held gigabytes.
 */
public final class FaultMarks {
  /** Marks kept at most; each is a few hundred bytes whatever the packet's size. */
  static final int LIMIT = 100_000;
  private final List<Mark> marks = new ArrayList<>();

  /** A {@link FaultListener}: keeps one mark (on the peer's thread). */
  public void record(FaultListener.Action action, Fault fault, Direction direction, ByteBuffer packet, long delay) {
    String text;
    switch (action) {
      case DROPPED:
        text = "dropped by " + fault;
        break;
      case DELAYED:
        text = "delayed " + delay / 1_000 + "us by " + fault;
        break;
      case DUPLICATED:
        text = "duplicated by " + fault;
        break;
      default:
        text = "forged by " + fault;
    }
    boolean offTheWire = action == FaultListener.Action.DROPPED && direction == Direction.FROM_PEER;
    synchronized (marks) {
      if (marks.size() >= LIMIT) {
        return;
      }
    }
    // The packet's line is made here, its buffer being the peer's to reuse; kept apart, it is rare.
    Mark mark = offTheWire ? new Mark(null, null, text, Tcpdump.format(packet.duplicate()))
        : new Mark(Key.of(packet), Key.ofHeaders(packet, packet.remaining()), text, null);
    synchronized (marks) {
      if (marks.size() < LIMIT) {
        marks.add(mark);
      }
    }
  }

  /** The marks kept so far, in a copy that later ones do not reach. */
  public FaultMarks frozen() {
    FaultMarks copy = new FaultMarks();
    synchronized (marks) {
      copy.marks.addAll(marks);
    }
    return copy;
  }

  void clear() {
    synchronized (marks) {
      marks.clear();
    }
  }

  boolean isEmpty() {
    synchronized (marks) {
      return marks.isEmpty();
    }
  }

  /** Matches the marks, in order, to the captured packets with the same bytes. */
  Matcher matcher() {
    synchronized (marks) {
      return new Matcher(new ArrayList<>(marks));
    }
  }

  /**
   * Hands out each mark once, to the first captured packet with its bytes, or, for a packet the capture
   * kept cut, with its headers and length on the wire.
   */
  static final class Matcher {
    private final Map<Key, ArrayDeque<Mark>> byBytes = new HashMap<>();
    private final Map<Key, ArrayDeque<Mark>> byHeaders = new HashMap<>();
    private final List<Mark> offTheWire = new ArrayList<>();
    /** The marks handed out: each stands in both maps. */
    private final Set<Mark> taken = Collections.newSetFromMap(new IdentityHashMap<>());

    Matcher(List<Mark> marks) {
      for (Mark m : marks) {
        if (m.key == null) {
          offTheWire.add(m);
        } else {
          byBytes.computeIfAbsent(m.key, k -> new ArrayDeque<>()).add(m);
          byHeaders.computeIfAbsent(m.headerKey, k -> new ArrayDeque<>()).add(m);
        }
      }
    }

    /** The mark of a whole packet with these bytes, or null. */
    String markFor(byte[] packet) {
      return take(byBytes.get(Key.of(ByteBuffer.wrap(packet))));
    }

    /** The mark of {@code record}'s packet, whole or cut, or null. */
    String markFor(CaptureRecord record) {
      if (!record.truncated()) {
        return markFor(record.bytes());
      }
      return take(byHeaders.get(Key.ofHeaders(ByteBuffer.wrap(record.bytes()), record.originalLength())));
    }

    /** The first mark of {@code q} not handed out yet, or null. */
    private String take(ArrayDeque<Mark> q) {
      while (q != null && !q.isEmpty()) {
        Mark m = q.poll();
        if (taken.add(m)) {
          return m.text;
        }
      }
      return null;
    }

    List<String> unmatched() {
      List<String> lines = new ArrayList<>();
      for (Mark m : offTheWire) {
        lines.add(m.line + "   <- " + m.text);
      }
      return lines;
    }
  }

  /**
   * What a fault did ({@code text}) to a packet on the wire ({@code key}, {@code headerKey} for the packet
   * cut to its headers) or kept off it ({@code line}).
   */
  private static final class Mark {
    final Key key;
    final Key headerKey;
    final String text;
    final String line;

    Mark(Key key, Key headerKey, String text, String line) {
      this.key = key;
      this.headerKey = headerKey;
      this.text = text;
      this.line = line;
    }
  }

  /**
   * A packet's fingerprint: its length and a 64-bit hash of its bytes. Two of the at most 100,000
   * marks' packets and the capture's differ in it but for a chance of about one in 10^9.
   */
  private static final class Key {
    final int length;
    final long hash;

    private Key(int length, long hash) {
      this.length = length;
      this.hash = hash;
    }

    /** The fingerprint of {@code [position, limit)}; the buffer is not changed. */
    static Key of(ByteBuffer packet) {
      return of(packet, packet.remaining(), packet.remaining());
    }

    /**
     * The fingerprint of the headers of the packet in {@code [position, limit)} (the bytes a capture past
     * its budget keeps), with its length on the wire {@code length}.
     */
    static Key ofHeaders(ByteBuffer packet, int length) {
      return of(packet, PacketHeaders.length(packet), length);
    }

    /** The fingerprint of the first {@code n} bytes of {@code packet}, said to be {@code length} long. */
    private static Key of(ByteBuffer packet, int n, int length) {
      ByteBuffer b = packet.duplicate().order(ByteOrder.BIG_ENDIAN);
      int at = b.position();
      // four lanes of eight bytes, independent of each other so the CPU overlaps them (64 KB: about 10 us)
      long h0 = 0x9E3779B97F4A7C15L ^ n;
      long h1 = 0xC2B2AE3D27D4EB4FL;
      long h2 = 0x165667B19E3779F9L;
      long h3 = 0x85EBCA77C2B2AE63L;
      int i = 0;
      for (; i + 32 <= n; i += 32) {
        h0 = step(h0, b.getLong(at + i));
        h1 = step(h1, b.getLong(at + i + 8));
        h2 = step(h2, b.getLong(at + i + 16));
        h3 = step(h3, b.getLong(at + i + 24));
      }
      long h = h0 ^ Long.rotateLeft(h1, 16) ^ Long.rotateLeft(h2, 32) ^ Long.rotateLeft(h3, 48);
      for (; i + 8 <= n; i += 8) {
        h = step(h, b.getLong(at + i));
      }
      for (; i < n; i++) {
        h = step(h, b.get(at + i) & 0xff);
      }
      // MurmurHash3's finalizer: every input bit reaches every output bit
      h ^= h >>> 33;
      h *= 0xFF51AFD7ED558CCDL;
      h ^= h >>> 33;
      h *= 0xC4CEB9FE1A85EC53L;
      h ^= h >>> 33;
      return new Key(length, h);
    }

    private static long step(long h, long value) {
      return Long.rotateLeft(h ^ value * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B97F4A7C15L;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).length == length && ((Key) o).hash == hash;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hash);
    }
  }
}
