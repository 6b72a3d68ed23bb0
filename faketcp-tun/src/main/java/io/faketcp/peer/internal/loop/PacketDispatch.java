package io.faketcp.peer.internal.loop;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.PacketViews;
import io.faketcp.packet.TcpSegment;
import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.internal.Counters;
import io.faketcp.peer.internal.faults.FaultLayer;
import io.faketcp.peer.internal.ip.FamilyTranslator;
import io.faketcp.peer.internal.ip.FragmentReassembly;
import io.faketcp.peer.internal.ip.PendingChecksums;
import io.faketcp.peer.internal.relay.RelayGate;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.peer.internal.udp.UdpDemux;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import java.nio.ByteBuffer;

/**
 * Internal, not API. What a peer's thread does with each packet: counted and shown to the listener, an IPv6 one carried
 * into the engine's IPv4 form, then past the faults, fragments put together, the responder asked, and
 * handed to TCP (or a relay holding its SYN), ICMP echo or UDP; a TCP segment of a connection another
 * queue's peer holds goes to that peer ({@link QueueGroup}). A bad packet is counted and logged, never fatal.
 */
public final class PacketDispatch {
  private static final System.Logger LOG = System.getLogger(PeerThread.LOG_NAME);

  private final TunDevice device;
  private final Subnet subnet;
  private final Counters counters;
  private final Wire wire;
  /** Carries the IPv6 subnet through the IPv4 engine; null without one. */
  private final FamilyTranslator translator;
  private final FaultLayer faults;
  private final PacketTap listener;
  private final Respond responder;
  private final RelayGate relays;
  private final TcpDemux tcp;
  private final UdpDemux udp;
  private final PeerTasks tasks;
  private final PeerFailures failures;
  /** The peer thread's packet views, re-pointed at each packet: parsing allocates nothing. */
  private final PacketViews views = new PacketViews();
  /** The host's fragmented datagrams, put together before TCP and ICMP see them. */
  private final FragmentReassembly fragments = new FragmentReassembly(System::nanoTime);
  /** The device completes checksums ({@link TunDevice#checksumOffload()}). */
  private final boolean checksumOffload;
  /** The packet being dispatched came straight from the device with its TCP checksum pending; peer thread only. */
  private boolean checksumPending;
  /** The peers on the other queues of a multi-queue device ({@code FakePeer.Builder.queueOf}); null when alone. */
  volatile QueueGroup queues;
  /** How many queues' peers did not know the connection of the packet being handled; peer thread only. */
  private int missedBy;

  public PacketDispatch(TunDevice device, Counters counters, Wire wire, FamilyTranslator translator, FaultLayer faults,
      PacketTap listener, Respond responder, RelayGate relays, TcpDemux tcp, UdpDemux udp, PeerTasks tasks,
      PeerFailures failures) {
    this.device = device;
    this.subnet = device.subnet();
    this.checksumOffload = device.checksumOffload();
    this.counters = counters;
    this.wire = wire;
    this.translator = translator;
    this.faults = faults;
    this.listener = listener;
    this.responder = responder;
    this.relays = relays;
    this.tcp = tcp;
    this.udp = udp;
    this.tasks = tasks;
    this.failures = failures;
  }

  /** A packet read from the device, {@code length} bytes at the start of {@code in}. */
  void handle(ByteBuffer in, int length) {
    counters.increment(Counters.PACKETS_IN);
    counters.add(Counters.BYTES_IN, length);
    boolean pending = checksumOffload && device.checksumPending()
        && PendingChecksums.leavePending(in, length,
            listener != null || responder != null || faults.active || queues != null);
    if (listener != null) {
      listener.toPeer(in.duplicate());
    }
    if ((in.get(0) & 0xf0) != 0x40) {
      int at = translator != null && (in.get(0) & 0xf0) == 0x60 ? translator.toIpv4(in, length) : -1;
      if (at < 0) {
        counters.increment(Counters.IGNORED); // not for a fake host, or not IP at all
        return;
      }
      in.position(at); // the IPv6 packet, now IPv4 with the hosts' ids, ends where it ended
    }
    checksumPending = pending; // no try/finally: a failure here ends the peer
    dispatch(in, true);
    checksumPending = false;
  }

  /** A packet of the host's that a fault delayed: handled now, past the faults. */
  public void deliver(ByteBuffer packet) {
    dispatch(packet, false);
  }

  /** A segment of no connection known here: handed to the next queue's peer, if one is left to ask. */
  public boolean handOver(TcpSegment segment) {
    QueueGroup group = queues;
    Ipv4Packet ip = segment.ip();
    return group != null && group.handOver(this, ip.buffer(), ip.offset(), ip.totalLength(), missedBy + 1);
  }

  /**
   * A packet read on another queue of the device by a peer ({@code missedBy} peers, in fact) that did
   * not know its connection: handled on this peer's thread as if read here, past the faults.
   */
  boolean handedOver(byte[] packet, int missedBy) {
    return tasks.offer(() -> {
      this.missedBy = missedBy;
      try {
        dispatch(ByteBuffer.wrap(packet), false);
      } finally {
        this.missedBy = 0;
      }
    });
  }

  /** The group of the device's queues, with this peer first when it is new. */
  /** Joins the queue group of {@code first}, the peer on another queue of the device; before this peer starts. */
  public void joinQueues(PacketDispatch first) {
    QueueGroup group = first.queueGroup();
    group.join(this);
    queues = group;
  }

  synchronized QueueGroup queueGroup() {
    if (queues == null) {
      QueueGroup group = new QueueGroup();
      group.join(this);
      queues = group;
    }
    return queues;
  }

  private void dispatch(ByteBuffer in, boolean throughFaults) {
    Ipv4Packet ip;
    try {
      // A responder gets a view of its own, which it may keep as long as it keeps the bytes valid.
      ip = responder == null ? views.ipv4(in) : Ipv4Packet.wrap(in);
      int destination = ip.destinationInt();
      // an IPv6 id (240.0.0.0/4) comes only from the translation: the kernel routes no such IPv4 address here
      if (FamilyTranslator.isIpv6(destination) ? translator == null
          : !subnet.contains(destination) || destination == subnet.hostAddressInt() || !device.hasIpv4()) {
        counters.increment(Counters.IGNORED);
        return;
      }
      if (throughFaults && faults.active && faults.incoming(ip)) {
        return;
      }
      if (ip.isFragment()) {
        reassemble(ip); // each fragment met the faults on its own, as on a wire
        return;
      }
      if (responder != null && respond(ip)) {
        return;
      }
      switch (ip.protocol()) {
        case IpProtocol.TCP:
          TcpSegment segment = checksumPending ? views.tcpWithChecksumPending(ip) : views.tcp(ip);
          if (!relays.hold(segment)) {
            tcp.handle(segment, !checksumPending);
          }
          break;
        case IpProtocol.ICMP:
          icmp(ip);
          break;
        case IpProtocol.UDP:
          if (!udp.handle(views.udp(ip))) {
            counters.increment(Counters.IGNORED);
          }
          break;
        default:
          counters.increment(Counters.IGNORED);
      }
    } catch (MalformedPacketException e) {
      counters.increment(Counters.BAD);
      if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
        LOG.log(System.Logger.Level.DEBUG, "bad packet on {0} ({1}): {2}", device.name(), e.reason(),
            Tcpdump.hexDump(in, 128));
      }
    }
  }

  /** A fragment: held; the datagram it completes is handled whole; a bad one is counted and dropped. */
  private void reassemble(Ipv4Packet fragment) {
    ByteBuffer datagram = fragments.add(fragment);
    if (datagram != null) {
      if (translator != null) {
        FamilyTranslator.completeIcmp(datagram);
      }
      dispatch(datagram, false);
    } else if (fragments.outcome() == FragmentReassembly.Outcome.DISCARDED) {
      counters.increment(Counters.BAD);
      LOG.log(System.Logger.Level.DEBUG, "fragment dropped on {0} with its datagram: {1}", device.name(), fragment);
    }
  }

  private boolean respond(Ipv4Packet ip) {
    try {
      return responder.respond(ip);
    } catch (TunException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      failures.record(e);
      LOG.log(System.Logger.Level.WARNING, "responder failed on " + ip + ": " + e, e);
      return true;
    }
  }

  private void icmp(Ipv4Packet ip) throws MalformedPacketException {
    IcmpMessage message = views.icmp(ip);
    if (!message.isEchoRequest()) {
      counters.increment(Counters.IGNORED);
      return;
    }
    int length = IcmpMessage.writeEchoReply(ip, wire.buffer(), 0);
    counters.increment(Counters.ECHO_REPLIES);
    wire.send(length);
  }

  /** The user's responder, consulted before the mode on the peer's thread. */
  @FunctionalInterface
  public interface Respond {
    /**
     * Handles {@code packet}; true when handled (the mode is skipped).
     *
     * @throws Exception recorded as the peer's failure
     */
    boolean respond(Ipv4Packet packet) throws Exception;
  }
}
