package io.faketcp.assertj;

import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.TcpConversation;
import io.faketcp.packet.TcpSegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on {@link CapturedPackets}; get one from {@link FakeNetworkAssertions#assertThat}.
 * Every failure message names what was expected and lists every captured packet.
 *
 * <pre>{@code
 * assertThat(capture)
 *     .hasSynWithoutAnswer(net.socketAddress(5, 80))
 *     .hasEchoRequests(3)
 *     .containsInOrder(PacketPattern.syn().to(net.address(7), 7), PacketPattern.data().from(net.address(7)));
 * }</pre>
 */
public final class CapturedPacketsAssert extends AbstractAssert<CapturedPacketsAssert, CapturedPackets> {
  private static final long SEQUENCE_SPACE = 1L << 32;

  CapturedPacketsAssert(CapturedPackets actual) {
    super(actual, CapturedPacketsAssert.class);
  }

  /** Exactly {@code count} packets were captured. */
  public CapturedPacketsAssert hasSize(int count) {
    isNotNull();
    if (actual.size() != count) {
      fail("Expecting " + count + " captured packet(s) but there were " + actual.size());
    }
    return this;
  }

  /** No packet was captured. */
  public CapturedPacketsAssert isEmpty() {
    return hasSize(0);
  }

  /** Every packet the fake peer read or wrote reached the capture. */
  public CapturedPacketsAssert isComplete() {
    isNotNull();
    if (!actual.isComplete()) {
      fail("Expecting a complete capture but " + actual.note());
    }
    return this;
  }

  /**
   * A TCP handshake completed with {@code endpoint} (a fake host's address and port, or the host's for
   * connect-many): SYN, SYN+ACK acknowledging it, ACK acknowledging that.
   */
  public CapturedPacketsAssert hasHandshakeWith(InetSocketAddress endpoint) {
    isNotNull();
    if (handshakes(endpoint) == 0) {
      failWithConnections("Expecting a completed TCP handshake (SYN, SYN+ACK, ACK) with " + text(endpoint) + " but there was none");
    }
    return this;
  }

  /** Exactly {@code count} TCP handshakes completed with {@code endpoint}. */
  public CapturedPacketsAssert hasHandshakesWith(InetSocketAddress endpoint, int count) {
    isNotNull();
    int found = handshakes(endpoint);
    if (found != count) {
      failWithConnections("Expecting " + count + " completed TCP handshake(s) with " + text(endpoint) + " but there were " + found);
    }
    return this;
  }

  /** A RST segment was sent to {@code address}. */
  public CapturedPacketsAssert hasResetTo(InetAddress address) {
    return contains(PacketPattern.rst().to(address));
  }

  /** A RST segment came from {@code address}. */
  public CapturedPacketsAssert hasResetFrom(InetAddress address) {
    return contains(PacketPattern.rst().from(address));
  }

  /**
   * A SYN went to {@code endpoint} and nothing came back from it to that SYN's source port (no
   * SYN+ACK, no RST): a connect that timed out.
   */
  public CapturedPacketsAssert hasSynWithoutAnswer(InetSocketAddress endpoint) {
    isNotNull();
    List<TcpConversation> attempts = new ArrayList<>();
    for (TcpConversation c : actual.conversations()) {
      if (c.server().equals(endpoint) && c.synSeen()) {
        attempts.add(c);
        if (!c.synAcknowledged() && !c.resetFromServer() && c.bytesFromServer() == 0 && !c.finFromServer()) {
          return this;
        }
      }
    }
    failWithConnections(attempts.isEmpty() ? "Expecting an unanswered SYN to " + text(endpoint) + " but no SYN went there"
        : "Expecting an unanswered SYN to " + text(endpoint) + " but every SYN to it was answered");
    return this;
  }

  /** Exactly {@code count} ICMP echo requests (pings) were sent. */
  public CapturedPacketsAssert hasEchoRequests(int count) {
    return hasCount(PacketPattern.echoRequest(), count);
  }

  /** Exactly {@code count} ICMP echo requests went to {@code address}. */
  public CapturedPacketsAssert hasEchoRequestsTo(InetAddress address, int count) {
    return hasCount(PacketPattern.echoRequest().to(address), count);
  }

  /** Exactly {@code count} ICMP echo replies were captured. */
  public CapturedPacketsAssert hasEchoReplies(int count) {
    return hasCount(PacketPattern.echoReply(), count);
  }

  /** Exactly {@code count} UDP datagrams went to {@code endpoint} (address and port). */
  public CapturedPacketsAssert hasDatagramsTo(InetSocketAddress endpoint, int count) {
    return hasCount(PacketPattern.udp().to(endpoint.getAddress(), endpoint.getPort()), count);
  }

  /**
   * The UDP datagrams to {@code endpoint} carried exactly these UTF-8 texts, in this order.
   *
   * <pre>{@code
   * assertThat(capture).hasDatagramTextsTo(net.socketAddress(5, 8125), "logins:1|c", "latency:12|ms");
   * }</pre>
   */
  public CapturedPacketsAssert hasDatagramTextsTo(InetSocketAddress endpoint, String... texts) {
    isNotNull();
    PacketPattern to = PacketPattern.udp().to(endpoint.getAddress(), endpoint.getPort());
    for (CapturedPacket p : actual) {
      if (p.isTruncated() && to.test(p)) {
        fail("Expecting the datagrams to " + text(endpoint) + " to be " + List.of(texts) + " but the capture was"
            + " truncated, so their data cannot be compared: " + p.truncation() + "\n  " + p);
      }
    }
    List<String> found = new ArrayList<>();
    for (byte[] data : actual.datagramsTo(endpoint)) {
      found.add(new String(data, StandardCharsets.UTF_8));
    }
    if (!found.equals(List.of(texts))) {
      fail("Expecting the datagrams to " + text(endpoint) + " to be " + List.of(texts) + " but they were " + found);
    }
    return this;
  }

  /**
   * The host sent exactly {@code bytes} bytes of TCP data to {@code endpoint}, over all connections
   * with it (a retransmitted segment counts once).
   */
  public CapturedPacketsAssert hasBytesSentTo(InetSocketAddress endpoint, long bytes) {
    isNotNull();
    long carried = bytes(endpoint, true);
    if (carried != bytes) {
      failWithConnections("Expecting " + bytes + " byte(s) of TCP data sent to " + text(endpoint) + " but there were " + carried);
    }
    return this;
  }

  /** The host received exactly {@code bytes} bytes of TCP data from {@code endpoint} (retransmissions once). */
  public CapturedPacketsAssert hasBytesReceivedFrom(InetSocketAddress endpoint, long bytes) {
    isNotNull();
    long carried = bytes(endpoint, false);
    if (carried != bytes) {
      failWithConnections("Expecting " + bytes + " byte(s) of TCP data received from " + text(endpoint)
          + " but there were " + carried);
    }
    return this;
  }

  /**
   * The host retransmitted at least one data segment to {@code endpoint} (a fake host's address and
   * port): a segment carrying bytes it had already sent, as a dropped or unacknowledged segment causes.
   *
   * <pre>{@code
   * assertThat(capture.packets()).hasRetransmissionsTo(net.socketAddress(5, 80));
   * }</pre>
   */
  public CapturedPacketsAssert hasRetransmissionsTo(InetSocketAddress endpoint) {
    isNotNull();
    if (retransmissions(endpoint, true) == 0) {
      failWithConnections("Expecting a retransmitted TCP data segment to " + text(endpoint) + " but there was none");
    }
    return this;
  }

  /**
   * The fake host at {@code endpoint} retransmitted at least one data segment to the host: a segment
   * carrying bytes it had already sent.
   *
   * <pre>{@code
   * assertThat(capture.packets()).hasRetransmissionsFrom(net.socketAddress(5, 80));
   * }</pre>
   */
  public CapturedPacketsAssert hasRetransmissionsFrom(InetSocketAddress endpoint) {
    isNotNull();
    if (retransmissions(endpoint, false) == 0) {
      failWithConnections("Expecting a retransmitted TCP data segment from " + text(endpoint) + " but there was none");
    }
    return this;
  }

  /**
   * The time from the first packet matching {@code first} to the first later packet matching
   * {@code second} is at least {@code atLeast} and at most {@code atMost}: a delay, a timeout, a
   * retransmission interval. Use {@link PacketPattern}s for readable failure messages.
   *
   * <pre>{@code
   * assertThat(capture.packets()).hasTimeBetween(
   *     PacketPattern.data().to(net.address(5), 80), PacketPattern.data().from(net.address(5), 80),
   *     Duration.ofMillis(200), Duration.ofMillis(400));
   * }</pre>
   *
   * @throws IllegalArgumentException if a bound is negative or {@code atLeast} is longer than {@code atMost}
   */
  public CapturedPacketsAssert hasTimeBetween(Predicate<? super CapturedPacket> first,
      Predicate<? super CapturedPacket> second, Duration atLeast, Duration atMost) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    Objects.requireNonNull(atLeast, "atLeast");
    Objects.requireNonNull(atMost, "atMost");
    if (atLeast.isNegative() || atLeast.compareTo(atMost) > 0) {
      throw new IllegalArgumentException("hasTimeBetween needs 0 <= atLeast <= atMost but atLeast was " + atLeast
          + " and atMost " + atMost + ": pass the shorter bound first");
    }
    isNotNull();
    String expected = "Expecting " + format(atLeast) + " to " + format(atMost) + " from the first packet matching "
        + describe(first, 0) + " to the next matching " + describe(second, 1);
    CapturedPacket start = null;
    for (CapturedPacket p : actual) {
      if (start == null) {
        if (first.test(p)) {
          start = p;
        }
      } else if (second.test(p)) {
        Duration took = Duration.between(start.timestamp(), p.timestamp());
        if (took.compareTo(atLeast) < 0 || took.compareTo(atMost) > 0) {
          fail(expected + " but it was " + format(took) + ":\n  " + start + "\n  " + p);
        }
        return this;
      }
    }
    fail(expected + (start == null ? " but nothing matched " + describe(first, 0)
        : " but nothing matched " + describe(second, 1) + " after " + start));
    return this;
  }

  /**
   * The fake host at {@code endpoint} reset its connection with the host once it had acknowledged
   * exactly {@code bytes} bytes of the host's data: the last acknowledgment it sent, up to and
   * including its RST, covers {@code bytes} bytes after the host's SYN. Bytes the host sent after that
   * (which the RST cut off) are not counted. Needs the connection's SYN in the capture.
   *
   * <pre>{@code
   * assertThat(capture.packets()).hasResetAfterBytes(net.socketAddress(5, 80), 1024);
   * }</pre>
   */
  public CapturedPacketsAssert hasResetAfterBytes(InetSocketAddress endpoint, long bytes) {
    isNotNull();
    List<Long> found = new ArrayList<>();
    for (TcpConversation c : actual.conversations()) {
      if (c.server().equals(endpoint) && c.resetFromServer()) {
        long acknowledged = acknowledgedBeforeReset(c);
        if (acknowledged == bytes) {
          return this;
        }
        found.add(acknowledged);
      }
    }
    StringBuilder sb = new StringBuilder("Expecting a RST from " + text(endpoint) + " after it acknowledged " + bytes
        + " byte(s) from the host but ");
    if (found.isEmpty()) {
      sb.append("it reset no connection");
    } else {
      sb.append("its RST(s) came after ");
      for (int i = 0; i < found.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(found.get(i) < 0 ? "an unknown count (SYN not captured)"
            : found.get(i) + " byte(s)");
      }
    }
    failWithConnections(sb.toString());
    return this;
  }

  /** No packet at all went to {@code address}. */
  public CapturedPacketsAssert hasNoPacketTo(InetAddress address) {
    isNotNull();
    PacketPattern to = PacketPattern.any().to(address);
    List<CapturedPacket> found = new ArrayList<>();
    for (CapturedPacket p : actual) {
      if (to.test(p)) {
        found.add(p);
      }
    }
    if (!found.isEmpty()) {
      fail("Expecting no packet to " + PacketPattern.text(address) + " but there were " + found.size() + ", the first: "
          + found.get(0));
    }
    return this;
  }

  /** At least one packet matches {@code pattern}. */
  public CapturedPacketsAssert contains(Predicate<? super CapturedPacket> pattern) {
    isNotNull();
    for (CapturedPacket p : actual) {
      if (pattern.test(p)) {
        return this;
      }
    }
    fail("Expecting a packet matching " + describe(pattern, 0) + " but there was none");
    return this;
  }

  /** Exactly {@code count} packets match {@code pattern}. */
  public CapturedPacketsAssert hasCount(Predicate<? super CapturedPacket> pattern, int count) {
    isNotNull();
    int found = 0;
    for (CapturedPacket p : actual) {
      if (pattern.test(p)) {
        found++;
      }
    }
    if (found != count) {
      fail("Expecting " + count + " packet(s) matching " + describe(pattern, 0) + " but there were " + found);
    }
    return this;
  }

  /**
   * Packets match the patterns in this order (other packets may come between them). Use
   * {@link PacketPattern}s for readable failure messages.
   */
  @SafeVarargs
  public final CapturedPacketsAssert containsInOrder(Predicate<? super CapturedPacket>... patterns) {
    isNotNull();
    int next = 0;
    for (CapturedPacket p : actual) {
      if (next < patterns.length && patterns[next].test(p)) {
        next++;
      }
    }
    if (next < patterns.length) {
      StringBuilder sb = new StringBuilder("Expecting packets in this order:\n");
      for (int i = 0; i < patterns.length; i++) {
        sb.append(i < next ? "  matched  " : i == next ? "  MISSING  " : "  not seen ").append(describe(patterns[i], i))
            .append('\n');
      }
      sb.append("but nothing matched ").append(describe(patterns[next], next))
          .append(next == 0 ? "" : " after the packet matching " + describe(patterns[next - 1], next - 1));
      fail(sb.toString());
    }
    return this;
  }

  // ---- helpers ----

  private void fail(String expectation) {
    failWithMessage("%s", expectation + "\n" + listing());
  }

  private String listing() {
    return "Captured packets on " + actual.interfaceName() + " (" + actual.size() + "):\n" + actual.transcript();
  }

  private static String describe(Predicate<?> pattern, int index) {
    return pattern instanceof PacketPattern ? pattern.toString() : "predicate #" + (index + 1);
  }

  /** {@code 250 ms}, or {@code 1.5 s} from a second up. */
  private static String format(Duration d) {
    long micros = d.toNanos() / 1000;
    if (micros < 1_000_000) {
      return micros % 1000 == 0 ? micros / 1000 + " ms" : micros / 1000.0 + " ms";
    }
    return micros / 1_000_000.0 + " s";
  }

  private static String text(InetSocketAddress endpoint) {
    return PacketPattern.text(endpoint);
  }

  /** A failure about TCP connections: the expectation, each connection in one line, then every packet. */
  private void failWithConnections(String expectation) {
    List<TcpConversation> connections = actual.conversations();
    StringBuilder sb = new StringBuilder(expectation).append("\nTCP connections (").append(connections.size())
        .append("):\n");
    for (TcpConversation c : connections) {
      sb.append("  ").append(c).append('\n');
    }
    fail(sb.toString().stripTrailing());
  }

  /** Completed handshakes in which {@code endpoint} is the client or the server. */
  private int handshakes(InetSocketAddress endpoint) {
    int count = 0;
    for (TcpConversation c : actual.conversationsWith(endpoint)) {
      if (c.handshakeCompleted()) {
        count++;
      }
    }
    return count;
  }

  /** Retransmitted data segments that went to {@code endpoint} ({@code toEndpoint}) or came from it. */
  private int retransmissions(InetSocketAddress endpoint, boolean toEndpoint) {
    int sum = 0;
    for (TcpConversation c : actual.conversations()) {
      if (c.server().equals(endpoint)) {
        sum += toEndpoint ? c.retransmissionsFromClient() : c.retransmissionsFromServer();
      } else if (c.client().equals(endpoint)) {
        sum += toEndpoint ? c.retransmissionsFromServer() : c.retransmissionsFromClient();
      }
    }
    return sum;
  }

  /**
   * Client bytes the server had acknowledged when it sent its first RST: its highest acknowledgment
   * number up to the RST, past the client's SYN; -1 without the SYN.
   */
  private static long acknowledgedBeforeReset(TcpConversation c) {
    long isn = -1;
    long acknowledged = 0;
    for (CapturedPacket p : c.packets()) {
      TcpSegment t = p.tcp().orElse(null);
      if (t == null) {
        continue;
      }
      boolean fromServer = t.sourcePort() == c.server().getPort()
          && p.packet().map(ip -> ip.source().equals(c.server().getAddress())).orElse(false);
      if (!fromServer) {
        if (t.syn() && !t.ack() && isn < 0) {
          isn = t.sequenceNumber();
        }
        continue;
      }
      if (isn < 0) {
        return -1;
      }
      if (t.ack()) {
        long offset = Math.floorMod(t.acknowledgmentNumber() - isn - 1, SEQUENCE_SPACE);
        if (offset < SEQUENCE_SPACE / 2) {
          acknowledged = Math.max(acknowledged, offset);
        }
      }
      if (t.rst()) {
        return acknowledged;
      }
    }
    return acknowledged;
  }

  /** Data bytes that went to {@code endpoint} ({@code toEndpoint}) or came from it, each byte once. */
  private long bytes(InetSocketAddress endpoint, boolean toEndpoint) {
    long sum = 0;
    for (TcpConversation c : actual.conversations()) {
      if (c.server().equals(endpoint)) {
        sum += toEndpoint ? c.bytesFromClient() : c.bytesFromServer();
      } else if (c.client().equals(endpoint)) {
        sum += toEndpoint ? c.bytesFromServer() : c.bytesFromClient();
      }
    }
    return sum;
  }
}
