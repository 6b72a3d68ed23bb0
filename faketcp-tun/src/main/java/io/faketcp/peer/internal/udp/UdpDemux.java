package io.faketcp.peer.internal.udp;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.UdpDatagram;
import io.faketcp.peer.internal.PacketOut;
import io.faketcp.tun.Subnet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.IntFunction;

/**
 * Internal, not API. The UDP demultiplexer: what the fake hosts do with the host's UDP datagrams (the
 * TCP side is {@link io.faketcp.peer.internal.tcp.TcpDemux}): the first rule matching the fake host's
 * address and port decides, else the default mode ({@link Hosts}). ECHO sends the datagram back, REJECT
 * answers ICMP port unreachable (a connected socket then sees {@code PortUnreachableException}),
 * DISCARD, ACCEPT and DROP say nothing; a rule's server gets the datagram on the {@link DatagramPool}'s
 * thread. Peer thread only.
 */
public final class UdpDemux {
  /** An ICMP error quotes as much of the datagram as fits in 576 bytes, as Linux does (RFC 1812). */
  private static final int MAX_QUOTE = 576 - 20 - 8;

  private final PacketOut wire;
  /** The subnet's network and broadcast addresses: no fake host has them, so datagrams to them are not answered. */
  private final int network;
  private final int broadcast;
  private final Hosts rules;
  private final DatagramPool pool;
  private final int mtu;
  private final UdpDatagram.Builder udp = UdpDatagram.builder();
  private final IcmpMessage.Builder icmp = IcmpMessage.builder();

  /** The address a 32-bit address of the engine stands for (an IPv6 id's IPv6 address). */
  private final IntFunction<InetAddress> addresses;

  /**
   * @param wire where answers go
   * @param rules what the fake hosts do with a datagram
   * @param pool serves the datagrams a rule's server takes
   * @param mtu the device's MTU: no reply may be larger
   * @param addresses the address a 32-bit address of the engine stands for
   */
  public UdpDemux(PacketOut wire, Subnet subnet, Hosts rules, DatagramPool pool, int mtu,
      IntFunction<InetAddress> addresses) {
    this.addresses = addresses;
    this.wire = wire;
    this.network = subnet.networkInt();
    this.broadcast = subnet.networkInt() + subnet.usableAddresses() + 1;
    this.rules = rules;
    this.pool = pool;
    this.mtu = mtu;
  }

  /** Answers {@code datagram}; false when it is not for a fake host (the subnet's broadcast or network address). */
  public boolean handle(UdpDatagram datagram) {
    Ipv4Packet ip = datagram.ip();
    if (ip.destinationInt() == broadcast || ip.destinationInt() == network) {
      return false;
    }
    UdpAnswer answer = rules.answer(ip.destinationInt(), datagram.destinationPort());
    if (answer.server() != null) {
      pool.serve(answer.server(), new Received(ip.destinationInt(), datagram.destinationPort(),
          ip.sourceInt(), datagram.sourcePort(), datagram.payloadBytes()));
      return true;
    }
    switch (answer.reply()) {
      case ECHO:
        int length = udp.reset().source(ip.destinationInt()).destination(ip.sourceInt())
            .sourcePort(datagram.destinationPort()).destinationPort(datagram.sourcePort())
            .payload(datagram.payload()).writeTo(wire.buffer(), 0);
        wire.send(length);
        break;
      case REJECT:
        int quote = Math.min(ip.totalLength(), MAX_QUOTE);
        int written = icmp.reset().source(ip.destinationInt()).destination(ip.sourceInt())
            .type(IcmpMessage.DEST_UNREACHABLE).code(3)
            .payload(ip.buffer().slice(ip.offset(), quote)).writeTo(wire.buffer(), 0);
        wire.send(written);
        break;
      default:
        break; // ACCEPT, DISCARD, DROP: a datagram needs no answer
    }
    return true;
  }

  /** What the fake hosts do with datagrams, as the rules in force say. Peer thread. */
  @FunctionalInterface
  public interface Hosts {
    /** What the fake host {@code fakeAddress:fakePort} does with a datagram. */
    UdpAnswer answer(int fakeAddress, int fakePort);
  }

  /** A datagram as its server sees it; replies are built here and sent from the peer's thread. */
  private final class Received implements ReceivedDatagram {
    private final int fakeAddress;
    private final int fakePort;
    private final int hostAddress;
    private final int hostPort;
    private final byte[] payload;

    Received(int fakeAddress, int fakePort, int hostAddress, int hostPort, byte[] payload) {
      this.fakeAddress = fakeAddress;
      this.fakePort = fakePort;
      this.hostAddress = hostAddress;
      this.hostPort = hostPort;
      this.payload = payload;
    }

    @Override
    public InetSocketAddress source() {
      return new InetSocketAddress(addresses.apply(hostAddress), hostPort);
    }

    @Override
    public InetSocketAddress destination() {
      return new InetSocketAddress(addresses.apply(fakeAddress), fakePort);
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public void reply(byte[] data) {
      if (data == null) {
        throw new IllegalArgumentException("reply to " + source() + ": the payload is null; give the bytes to send");
      }
      UdpDatagram.Builder reply = UdpDatagram.builder().source(fakeAddress).destination(hostAddress).sourcePort(fakePort)
          .destinationPort(hostPort).payload(data);
      if (reply.length() > mtu) {
        throw new IllegalArgumentException("reply of " + data.length + " bytes to " + source() + " makes a packet of "
            + reply.length() + " bytes, more than the MTU " + mtu + ": fake hosts do not fragment; send at most "
            + (mtu - 28) + " bytes per datagram");
      }
      pool.send(reply.build());
    }

    @Override
    public String toString() {
      return "datagram " + source() + " > " + destination() + " (" + payload.length + " bytes)";
    }
  }
}
