package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.LastErrorException;
import io.faketcp.packet.HostilePackets;
import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.IpProtocol;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.internal.ip.FragmentReassembly;
import io.faketcp.tun.Prerequisites;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.From;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the running peer through a real tun device: hostile packets are transmitted on the
 * interface with an AF_PACKET socket, so they reach the peer byte for byte (a raw IP socket would
 * have the kernel fix them first). After every batch the peer must still run, have no failure, and
 * its counters must account for every packet it read: as many packets in as were read, and exactly
 * the malformed ones counted bad, the ones not for it (IPv6, fragments, other protocols, other addresses) counted
 * ignored — judged independently by parsing each packet again. Also counted: packets the kernel itself
 * sends (a RST for a stray SYN+ACK), which the listener sees too.
 */
class PeerDispatchFuzzTest {
  private static final int BATCH = 40;
  private static TunDevice device;
  private static FakePeer peer;
  private static PacketSocket socket;
  /** A kernel connection whose echo the test never reads: the peer holds data in flight throughout and at the end. */
  private static java.net.Socket inFlight;
  private static final ConcurrentLinkedQueue<byte[]> read = new ConcurrentLinkedQueue<>();
  private static final Map<ByteBuffer, Integer> unseen = new HashMap<>();
  private static final Expected expected = new Expected();
  private static long injected;
  private static long refusedByKernel;
  private static final Map<String, Integer> refusals = new java.util.TreeMap<>();

  @BeforeContainer
  static void open() throws IOException {
    Prerequisites.missing().ifPresent(why -> {
      throw new IllegalStateException("tun fuzzing cannot run: " + why);
    });
    device = TunDevice.builder().subnet(Subnet.DEFAULT).mtu(65535).open();
    Rules rules = Rules.of(Mode.ECHO)
        .with(Rule.of("192.168.0.2-192.168.0.40", "*", Mode.REJECT))
        .with(Rule.of("192.168.0.41-192.168.0.80", "*", Mode.DROP))
        .with(Rule.of("192.168.0.81-192.168.0.120", "*", Mode.ACCEPT))
        .with(Rule.of("*", "0-1023", Mode.DISCARD));
    peer = FakePeer.builder(device).rules(rules).listener((direction, packet) -> {
      if (direction == Direction.TO_PEER) {
        byte[] bytes = new byte[packet.remaining()];
        packet.duplicate().get(bytes);
        read.add(bytes);
      }
    }).start();
    socket = new PacketSocket(device.name());
    inFlight = new java.net.Socket();
    inFlight.connect(new java.net.InetSocketAddress(device.subnet().address(200), 7007), 2000);
    inFlight.getOutputStream().write(new byte[256 * 1024]);
  }

  @AfterContainer
  static void close() throws IOException {
    if (device == null) {
      return;
    }
    PeerCounters c = peer.counters();
    String line = "peer dispatch fuzz: " + injected + " packets injected (" + refusedByKernel
        + " refused by the kernel: " + refusals + "), peer counters " + c + "\n";
    System.out.print(line);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/fuzz-counts.txt"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    socket.close();
    peer.close(); // with the in-flight connection's data unacknowledged and its timers armed
    assertThat(peer.isRunning()).isFalse();
    assertThat(peer.failure()).isEmpty();
    inFlight.close();
    device.close();
  }

  @Property
  void everyHostilePacketIsAccountedForAndThePeerKeepsRunning(@ForAll @Size(BATCH) List<@From("hostile") byte[]> batch)
      throws InterruptedException {
    for (byte[] packet : batch) {
      try {
        socket.send(packet);
      } catch (LastErrorException e) {
        refusedByKernel++; // e.g. a zero-length frame: the kernel's refusal, not the peer's business
        refusals.merge("errno " + e.getErrorCode() + (packet.length == 0 ? " (0 bytes)" : packet.length > 65535 ? " (> 64 KiB)" : ""), 1, Integer::sum);
        continue;
      }
      injected++;
      unseen.merge(ByteBuffer.wrap(packet), 1, Integer::sum);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      byte[] bytes;
      while ((bytes = read.poll()) != null) {
        expected.account(bytes, device.subnet());
        unseen.computeIfPresent(ByteBuffer.wrap(bytes), (k, n) -> n == 1 ? null : n - 1);
      }
      PeerCounters c = peer.counters();
      if (unseen.isEmpty() && expected.matches(c)) {
        break;
      }
      assertThat(peer.failure()).isEmpty();
      if (System.nanoTime() > deadline) {
        assertThat(unseen).as("injected packets the peer never read").isEmpty();
        assertThat(c.toString()).as("counters vs. expected").isEqualTo(expected.toString());
      }
      Thread.sleep(1);
    }
    assertThat(peer.isRunning()).isTrue();
    assertThat(peer.failure()).isEmpty();
    assertThat(peer.counters().failures()).isZero();
  }

  @Provide
  Arbitrary<byte[]> hostile() {
    return HostilePackets.arbitrary(65535);
  }

  /** What the counters must say, from parsing every packet the peer read once more. */
  private static final class Expected {
    long in;
    long bad;
    long ignored;
    long echoReplies;

    /** Fragments are put together as the peer does; what a completed datagram makes is counted for it. */
    private final FragmentReassembly fragments = new FragmentReassembly(System::nanoTime);

    void account(byte[] p, Subnet subnet) {
      in++;
      if (p.length == 0 || (p[0] & 0xF0) != 0x40) {
        ignored++;
        return;
      }
      datagram(java.nio.ByteBuffer.wrap(p), subnet);
    }

    private void datagram(java.nio.ByteBuffer p, Subnet subnet) {
      try {
        Ipv4Packet ip = Ipv4Packet.wrap(p);
        if (!subnet.contains(ip.destinationInt()) || ip.destinationInt() == subnet.hostAddressInt()) {
          ignored++;
        } else if (ip.isFragment()) {
          java.nio.ByteBuffer whole = fragments.add(ip);
          if (whole != null) {
            datagram(whole, subnet);
          } else if (fragments.outcome() == FragmentReassembly.Outcome.DISCARDED) {
            bad++;
          }
        } else if (ip.protocol() == IpProtocol.TCP) {
          TcpSegment.wrap(ip);
        } else if (ip.protocol() == IpProtocol.UDP) {
          io.faketcp.packet.UdpDatagram.wrap(ip);
        } else if (ip.protocol() == IpProtocol.ICMP) {
          if (IcmpMessage.wrap(ip).isEchoRequest()) {
            echoReplies++;
          } else {
            ignored++;
          }
        } else {
          ignored++;
        }
      } catch (MalformedPacketException e) {
        bad++;
      }
    }

    boolean matches(PeerCounters c) {
      return c.packetsIn() == in && c.badPackets() == bad && c.ignoredPackets() == ignored
          && c.echoReplies() == echoReplies;
    }

    @Override
    public String toString() {
      return "in " + in + ", bad " + bad + ", ignored " + ignored + ", echo replies " + echoReplies;
    }
  }
}
