package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.FaultMarks;
import io.faketcp.junit5.internal.Transcript;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The packets of a capture at one moment, in the order the kernel saw them. Immutable.
 *
 * <pre>{@code
 * CapturedPackets packets = capture.packets();
 * long syns = packets.stream().filter(p -> p.tcp().map(TcpSegment::syn).orElse(false)).count();
 * System.out.println(packets.transcript());
 * }</pre>
 */
public final class CapturedPackets implements Iterable<CapturedPacket> {
  private final List<CapturedPacket> packets;
  private final String interfaceName;
  private final long missing;
  private final String note;
  /** The faults in force, their seed and actions, as the transcript's {@code # faults} line says; empty for none. */
  private final String faultSummary;
  /** What the faults did to these packets (a frozen copy), or null. */
  private final FaultMarks marks;
  private volatile List<TcpConversation> conversations;

  CapturedPackets(List<CapturedPacket> packets, String interfaceName, long missing, String note,
      String faultSummary, FaultMarks marks) {
    this.packets = Collections.unmodifiableList(packets);
    this.interfaceName = interfaceName;
    this.missing = missing;
    this.note = note;
    this.faultSummary = faultSummary;
    this.marks = marks;
  }

  /**
   * Packets as if captured on {@code interfaceName}, complete: for testing assertions and analysis
   * without a tun device. Build the packets with {@link CapturedPacket#of}.
   *
   * <pre>{@code
   * CapturedPackets packets = CapturedPackets.of("tun0", List.of(
   *     CapturedPacket.of(syn, t0, Direction.TO_PEER), CapturedPacket.of(rst, t1, Direction.FROM_PEER)));
   * assertThat(packets).hasResetFrom(peer);
   * }</pre>
   */
  public static CapturedPackets of(String interfaceName, List<CapturedPacket> packets) {
    if (interfaceName == null || packets == null || packets.contains(null)) {
      throw new IllegalArgumentException("CapturedPackets.of(interfaceName, packets): got "
          + (interfaceName == null ? "interfaceName = null" : packets == null ? "packets = null" : "a null packet")
          + "; give a name such as \"tun0\" and a list of CapturedPacket.of(...)");
    }
    return new CapturedPackets(new ArrayList<>(packets), interfaceName, 0, "", "", null);
  }

  static CapturedPackets of(List<CaptureRecord> records, String interfaceName, long missing, String note) {
    return of(records, interfaceName, missing, note, "", null);
  }

  /** With the faults' line and marks of the transcript ({@link #transcript()}). */
  static CapturedPackets of(List<CaptureRecord> records, String interfaceName, long missing, String note,
      String faultSummary, FaultMarks marks) {
    List<CapturedPacket> list = new ArrayList<>(records.size());
    for (CaptureRecord r : records) {
      list.add(new CapturedPacket(r));
    }
    return new CapturedPackets(list, interfaceName, missing, note, faultSummary, marks);
  }

  /** The packets, oldest first. */
  public List<CapturedPacket> list() {
    return packets;
  }

  /** The number of packets. */
  public int size() {
    return packets.size();
  }

  /** Whether no packet was captured. */
  public boolean isEmpty() {
    return packets.isEmpty();
  }

  /** The {@code index}th packet, oldest first. */
  public CapturedPacket get(int index) {
    return packets.get(index);
  }

  /** The packets as a stream. */
  public Stream<CapturedPacket> stream() {
    return packets.stream();
  }

  @Override
  public Iterator<CapturedPacket> iterator() {
    return packets.iterator();
  }

  /** The packets matching {@code predicate}, in order. */
  public CapturedPackets filter(Predicate<? super CapturedPacket> predicate) {
    List<CapturedPacket> kept = new ArrayList<>();
    for (CapturedPacket p : packets) {
      if (predicate.test(p)) {
        kept.add(p);
      }
    }
    return new CapturedPackets(kept, interfaceName, missing, note, faultSummary, marks);
  }

  /**
   * The TCP conversations (connections) in these packets, one per 4-tuple (a new SYN with a new initial sequence
   * number on the same 4-tuple starts another), in the order of their first packet: handshake, bytes
   * each way with retransmissions counted once, the reassembled streams, FIN and RST.
   *
   * <pre>{@code
   * TcpConversation c = capture.packets().conversationsWith(net.socketAddress(7, 7)).get(0);
   * assertThat(c.streamFromServer()).isEqualTo("hello".getBytes(US_ASCII));
   * }</pre>
   */
  public List<TcpConversation> conversations() {
    List<TcpConversation> result = conversations;
    if (result == null) {
      result = Collections.unmodifiableList(Conversations.of(packets, missing == 0 ? null : note));
      conversations = result;
    }
    return result;
  }

  /** The {@link #conversations()} in which {@code endpoint} (address and port) is the client or the server. */
  public List<TcpConversation> conversationsWith(InetSocketAddress endpoint) {
    List<TcpConversation> with = new ArrayList<>();
    for (TcpConversation c : conversations()) {
      if (c.client().equals(endpoint) || c.server().equals(endpoint)) {
        with.add(c);
      }
    }
    return with;
  }

  /**
   * The data of every UDP datagram sent to {@code endpoint} (address and port), in order: what a fake
   * StatsD or syslog server would have received, before any fault dropped some.
   *
   * <pre>{@code
   * assertThat(capture.packets().datagramsTo(net.socketAddress(5, 8125))).hasSize(100);
   * }</pre>
   *
   * @throws IllegalStateException when the capture kept one of them cut ({@link CapturedPacket#isTruncated()}):
   *     the message names it and says how to keep it whole
   */
  public List<byte[]> datagramsTo(InetSocketAddress endpoint) {
    List<byte[]> data = new ArrayList<>();
    for (CapturedPacket p : packets) {
      p.udp().filter(u -> u.destinationPort() == endpoint.getPort() && u.packet().destination().equals(endpoint.getAddress()))
          .ifPresent(u -> {
            if (p.isTruncated()) {
              throw new IllegalStateException("The datagrams to " + TcpConversation.text(endpoint) + " cannot be"
                  + " compared: the capture was truncated, " + p.truncation() + ": " + p.line());
            }
            data.add(u.payloadBytes());
          });
    }
    return data;
  }

  /** The tun device the packets were captured on. */
  public String interfaceName() {
    return interfaceName;
  }

  /** Packets that crossed the device but did not reach the capture in time (0 when complete). */
  public long missing() {
    return missing;
  }

  /** Whether every packet the fake peer read or wrote is here. */
  public boolean isComplete() {
    return missing == 0;
  }

  /** Empty when complete; else what is missing and why (pcap drops, the capture limit). */
  public String note() {
    return note;
  }

  /**
   * One tcpdump-style line per packet: seconds since the first, interface, {@code Out} (to the fake
   * subnet) or {@code In} (from it), and the packet; with faults in force, as a failing test's
   * {@code .txt} after its header: first a line {@code # faults [loss=5%] seed 42 (-Dfaketcp.seed=42
   * replays it), actions {loss=5%=3}}, each packet a fault touched marked ({@code <- dropped by
   * loss=5%}, {@code <- delayed 100000us by latency=100ms}), and the fake hosts' packets a fault kept
   * off the wire listed after the others ({@code (not on the wire) ... <- dropped by loss=5%}).
   *
   * <pre>{@code
   * // @FakeNetwork(faults = "loss=20%", seed = 7): the same packets are dropped on every run
   * assertThat(capture.packets().transcript()).contains("<- dropped by loss=20%");
   * }</pre>
   */
  public String transcript() {
    List<CaptureRecord> records = new ArrayList<>(packets.size());
    for (CapturedPacket p : packets) {
      records.add(p.record());
    }
    return Transcript.of(faultSummary, records, interfaceName, note, marks);
  }

  /** The {@link #transcript()}. */
  @Override
  public String toString() {
    return transcript();
  }
}
