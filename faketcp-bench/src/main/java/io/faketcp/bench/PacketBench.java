package io.faketcp.bench;

import io.faketcp.packet.Checksum;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.PacketViews;
import io.faketcp.packet.TcpSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Hot paths of the packet layer, on direct buffers as the peer uses them: a Linux-style SYN (60 bytes,
 * MSS, SACK-permitted, timestamps, window scale) and a full-size 1500-byte data segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PacketBench {
  private static final int HOST = 0xC0A80001;
  private static final int PEER = 0xC0A80005;

  ByteBuffer syn;
  ByteBuffer data;
  ByteBuffer out;
  TcpSegment.Builder builder;
  PacketViews views;

  @Setup
  public void setUp() {
    syn = ByteBuffer.allocateDirect(65536);
    int n = TcpSegment.builder().source(HOST).destination(PEER).sourcePort(41234).destinationPort(80)
        .sequenceNumber(123456789L).flags(TcpSegment.SYN).window(64240).mss(1460).sackPermitted(true)
        .timestamps(1000, 0).windowScale(7).writeTo(syn, 0);
    syn.limit(n);
    data = ByteBuffer.allocateDirect(65536);
    byte[] payload = new byte[1460];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    n = TcpSegment.builder().source(HOST).destination(PEER).sourcePort(41234).destinationPort(9)
        .sequenceNumber(1L).acknowledgmentNumber(2L).flags(TcpSegment.ACK | TcpSegment.PSH).window(502)
        .noTimestamps().payload(payload).writeTo(data, 0);
    data.limit(n);
    out = ByteBuffer.allocateDirect(65536);
    builder = TcpSegment.builder();
    views = new PacketViews();
  }

  /** IPv4 header checksum (20 bytes). */
  @Benchmark
  public int checksumIpHeader() {
    return Checksum.compute(syn, 0, 20);
  }

  /** TCP checksum with pseudo-header over a 1480-byte segment (1460 bytes of data). */
  @Benchmark
  public int checksumTcp1480() {
    return Checksum.tcpUdp(data, 0, IpProtocol.TCP, 20, data.limit() - 20);
  }

  /** Ipv4Packet.wrap of the SYN (validates version, lengths, header checksum). */
  @Benchmark
  public int parseIpv4() throws MalformedPacketException {
    return Ipv4Packet.wrap(syn).destinationInt();
  }

  /** Ipv4Packet.wrap + TcpSegment.wrap (TCP checksum verified) + the options the peer reads. */
  @Benchmark
  public int parseTcpSyn() throws MalformedPacketException {
    TcpSegment s = TcpSegment.wrap(Ipv4Packet.wrap(syn));
    return s.destinationPort() + s.options().mss() + s.options().windowScale();
  }

  /** Parse of the 1500-byte data segment (TCP checksum over 1480 bytes). */
  @Benchmark
  public int parseTcpData1500() throws MalformedPacketException {
    return TcpSegment.wrap(Ipv4Packet.wrap(data)).payloadLength();
  }

  /** The SYN's parse as the peer makes it: views re-pointed at each packet (no allocation; see -prof gc). */
  @Benchmark
  public int parseTcpSynReusedViews() throws MalformedPacketException {
    TcpSegment s = views.tcp(views.ipv4(syn));
    return s.destinationPort() + s.options().mss() + s.options().windowScale();
  }

  /** The data segment's parse as the peer makes it, with re-pointed views. */
  @Benchmark
  public int parseTcpData1500ReusedViews() throws MalformedPacketException {
    return views.tcp(views.ipv4(data)).payloadLength();
  }

  /** The SYN+ACK the peer sends: reused builder, MSS and window scale, written to a direct buffer. */
  @Benchmark
  public int buildSynAck() {
    return builder.reset().source(PEER).destination(HOST).sourcePort(80).destinationPort(41234)
        .sequenceNumber(987654321L).acknowledgmentNumber(123456790L).flags(TcpSegment.SYN | TcpSegment.ACK)
        .window(0xffff).mss(1460).windowScale(7).writeTo(out, 0);
  }

  /** A pure ACK (what DISCARD sends per data segment). */
  @Benchmark
  public int buildAck() {
    return builder.reset().source(PEER).destination(HOST).sourcePort(9).destinationPort(41234)
        .sequenceNumber(987654322L).acknowledgmentNumber(123456790L).flags(TcpSegment.ACK)
        .window(0xffff).writeTo(out, 0);
  }
}
