package io.faketcp.junit5;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.Direction;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Captured packets made with the engine's packet builders, for tests of the analysis and the
 * assertions without a tun: the host (192.168.0.1) and fake hosts of 192.168.0.0/24, one millisecond
 * apart.
 */
public final class Traffic {
  public static final Inet4Address HOST = address("192.168.0.1");
  private final List<CapturedPacket> packets = new ArrayList<>();
  private Instant time = Instant.parse("2026-01-01T00:00:00Z");

  public static Inet4Address peer(int n) {
    return address("192.168.0." + n);
  }

  public static InetSocketAddress peer(int n, int port) {
    return new InetSocketAddress(peer(n), port);
  }

  /** A segment from the host's {@code port} to fake host {@code n}'s {@code fakePort}. */
  public Traffic out(int port, int n, int fakePort, int flags, long seq, long ack, String data) {
    return add(segment(HOST, port, peer(n), fakePort, flags, seq, ack, data), Direction.TO_PEER);
  }

  /** A segment from fake host {@code n}'s {@code fakePort} to the host's {@code port}. */
  public Traffic in(int port, int n, int fakePort, int flags, long seq, long ack, String data) {
    return add(segment(peer(n), fakePort, HOST, port, flags, seq, ack, data), Direction.FROM_PEER);
  }

  /** A ping from the host to fake host {@code n}, or ({@code reply}) its answer. */
  public Traffic ping(int n, boolean reply) {
    byte[] bytes = IcmpMessage.builder().type(reply ? IcmpMessage.ECHO_REPLY : IcmpMessage.ECHO_REQUEST)
        .identifier(1).source(reply ? peer(n) : HOST).destination(reply ? HOST : peer(n)).build();
    return add(bytes, reply ? Direction.FROM_PEER : Direction.TO_PEER);
  }

  /** A UDP datagram from the host's {@code port} to fake host {@code n}'s {@code fakePort}. */
  public Traffic datagram(int port, int n, int fakePort, String data) {
    return add(io.faketcp.packet.UdpDatagram.builder().source(HOST).destination(peer(n)).sourcePort(port)
        .destinationPort(fakePort).payload(data.getBytes(StandardCharsets.UTF_8)).build(), Direction.TO_PEER);
  }

  /** Fake host {@code n} refusing the datagram {@code quoted} with ICMP port unreachable. */
  public Traffic portUnreachable(int n, byte[] quoted) {
    return add(IcmpMessage.builder().type(IcmpMessage.DEST_UNREACHABLE).code(3).source(peer(n)).destination(HOST)
        .payload(quoted).build(), Direction.FROM_PEER);
  }

  public CapturedPackets packets() {
    return CapturedPackets.of("tun0", packets);
  }

  private Traffic add(byte[] bytes, Direction direction) {
    packets.add(CapturedPacket.of(bytes, time, direction));
    time = time.plusMillis(1);
    return this;
  }

  private static byte[] segment(Inet4Address from, int fromPort, Inet4Address to, int toPort, int flags, long seq,
      long ack, String data) {
    return TcpSegment.builder().source(from).destination(to).sourcePort(fromPort).destinationPort(toPort)
        .flags(flags).sequenceNumber(seq).acknowledgmentNumber(ack).window(64240).noTimestamps()
        .payload(data.getBytes(StandardCharsets.US_ASCII)).build();
  }

  private static Inet4Address address(String text) {
    try {
      return (Inet4Address) InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
