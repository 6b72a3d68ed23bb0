package io.faketcp.assertj;

import io.faketcp.junit5.CapturedPacket;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.TcpConversation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
    for (TcpConversation c : actual.connections()) {
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
      fail("Expecting no packet to " + address.getHostAddress() + " but there were " + found.size() + ", the first: "
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

  private static String text(InetSocketAddress endpoint) {
    return endpoint.getAddress().getHostAddress() + ":" + endpoint.getPort();
  }

  /** A failure about TCP connections: the expectation, each connection in one line, then every packet. */
  private void failWithConnections(String expectation) {
    List<TcpConversation> connections = actual.connections();
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
    for (TcpConversation c : actual.connectionsWith(endpoint)) {
      if (c.handshakeCompleted()) {
        count++;
      }
    }
    return count;
  }

  /** Data bytes that went to {@code endpoint} ({@code toEndpoint}) or came from it, each byte once. */
  private long bytes(InetSocketAddress endpoint, boolean toEndpoint) {
    long sum = 0;
    for (TcpConversation c : actual.connections()) {
      if (c.server().equals(endpoint)) {
        sum += toEndpoint ? c.bytesFromClient() : c.bytesFromServer();
      } else if (c.client().equals(endpoint)) {
        sum += toEndpoint ? c.bytesFromServer() : c.bytesFromClient();
      }
    }
    return sum;
  }
}
