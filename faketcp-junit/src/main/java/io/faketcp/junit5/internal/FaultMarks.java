package io.faketcp.junit5.internal;

import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.Direction;
import io.faketcp.peer.Fault;
import io.faketcp.peer.FaultListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the faults did, told by the peer ({@link FaultListener}) and matched to captured packets by
 * their bytes: the capture sees the host's dropped packets and the forged and delayed ones, never
 * the fake hosts' dropped ones, which the transcript lists apart. Bounded; thread-safe.
 */
public final class FaultMarks {
  private static final int LIMIT = 100_000;
  private final List<Mark> marks = new ArrayList<>();

  /** A {@link FaultListener}: keeps one mark (on the peer's thread). */
  public void record(FaultListener.Action action, Fault fault, Direction direction, ByteBuffer packet, long delay) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
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
    synchronized (marks) {
      if (marks.size() < LIMIT) {
        marks.add(new Mark(bytes, text, action == FaultListener.Action.DROPPED && direction == Direction.FROM_PEER));
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

  /** Hands out each mark once, to the first captured packet with its bytes. */
  static final class Matcher {
    private final Map<Key, ArrayDeque<Mark>> byBytes = new HashMap<>();
    private final List<Mark> offTheWire = new ArrayList<>();

    Matcher(List<Mark> marks) {
      for (Mark m : marks) {
        if (m.offTheWire) {
          offTheWire.add(m);
        } else {
          byBytes.computeIfAbsent(new Key(m.bytes), k -> new ArrayDeque<>()).add(m);
        }
      }
    }

    String markFor(byte[] packet) {
      ArrayDeque<Mark> q = byBytes.get(new Key(packet));
      Mark m = q == null ? null : q.poll();
      return m == null ? null : m.text;
    }

    List<String> unmatched() {
      List<String> lines = new ArrayList<>();
      for (Mark m : offTheWire) {
        lines.add(Tcpdump.format(m.bytes) + "   <- " + m.text);
      }
      return lines;
    }
  }

  private static final class Mark {
    final byte[] bytes;
    final String text;
    final boolean offTheWire;

    Mark(byte[] bytes, String text, boolean offTheWire) {
      this.bytes = bytes;
      this.text = text;
      this.offTheWire = offTheWire;
    }
  }

  private static final class Key {
    final byte[] bytes;
    final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(((Key) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
