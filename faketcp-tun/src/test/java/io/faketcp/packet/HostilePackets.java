package io.faketcp.packet;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Hostile IPv4 input for the fuzz properties: legal packets of every kind the peer meets (TCP with
 * options, ICMP, UDP, other protocols, IP options, fragments), then lied about — IHL, total length and
 * data offset, checksums, TCP option lists that overrun, truncation — plus pure noise, zero-length and
 * 64 KiB packets. Half the lies are re-checksummed so they reach the layers behind the IP checksum.
 */
public final class HostilePackets {
  /** Addresses of the fuzzed subnet 192.168.0.0/24 and of a host outside it. */
  public static final int HOST = 0xC0A80001;
  private static final int SUBNET = 0xC0A80000;
  private static final int OUTSIDE = 0x0A4D0001; // 10.77.0.1: the namespace drops replies to it

  private HostilePackets() {}

  /** Hostile packets, each at most {@code maxLength} bytes. */
  public static Arbitrary<byte[]> arbitrary(int maxLength) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(Math.min(maxLength, 120))),
        net.jqwik.api.Tuple.of(6, Arbitraries.randomValue(r -> generate(r, maxLength))));
  }

  /** One hostile packet drawn with {@code random}, at most {@code maxLength} bytes. */
  public static byte[] generate(Random random, int maxLength) {
    int kind = random.nextInt(100);
    if (kind < 2) {
      return new byte[0];
    }
    if (kind < 4 && maxLength >= 65535) {
      return bigTcp(random);
    }
    if (kind < 10) {
      byte[] noise = new byte[random.nextInt(Math.min(maxLength, 100) + 1)];
      random.nextBytes(noise);
      if (noise.length > 0) {
        noise[0] = (byte) ((random.nextInt(4) == 0 ? 0x60 : 0x40) | (noise[0] & 0x0F));
      }
      return noise;
    }
    byte[] packet = legal(random);
    if (packet.length > maxLength) {
      packet = Arrays.copyOf(packet, maxLength);
    }
    int lies = random.nextInt(3);
    for (int i = 0; i < lies; i++) {
      packet = lie(random, packet);
    }
    if (random.nextBoolean()) {
      fixChecksums(packet);
    }
    return packet.length > maxLength ? Arrays.copyOf(packet, maxLength) : packet;
  }

  private static byte[] legal(Random random) {
    int source = random.nextInt(5) == 0 ? HOST : OUTSIDE + random.nextInt(4);
    int destination = random.nextInt(20) == 0 ? randomAddress(random) : SUBNET | (1 + random.nextInt(255));
    byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(1400) : random.nextInt(40)];
    random.nextBytes(payload);
    byte[] packet;
    switch (random.nextInt(6)) {
      case 0:
      case 1:
      case 2:
        TcpSegment.Builder tcp = TcpSegment.builder().source(source).destination(destination)
            .sourcePort(random.nextInt(65536)).destinationPort(random.nextInt(65536))
            .sequenceNumber(random.nextInt() & 0xffffffffL).acknowledgmentNumber(random.nextInt() & 0xffffffffL)
            .flags(random.nextInt(256)).window(random.nextInt(65536)).payload(payload);
        if (random.nextBoolean()) {
          tcp.mss(random.nextInt(65536)).windowScale(random.nextInt(15)).sackPermitted(random.nextBoolean());
        }
        if (random.nextInt(4) == 0) {
          tcp.options(tcpOptions(random));
        }
        packet = tcp.build();
        break;
      case 3:
        packet = IcmpMessage.builder().source(source).destination(destination)
            .type(random.nextInt(4) == 0 ? random.nextInt(256) : 8).code(random.nextInt(3) == 0 ? random.nextInt(256) : 0)
            .identifier(random.nextInt(65536)).sequenceNumber(random.nextInt(65536)).payload(payload).build();
        break;
      default:
        packet = Ipv4Packet.builder().source(source).destination(destination)
            .protocol(random.nextBoolean() ? IpProtocol.UDP : random.nextInt(256)).payload(payload).build();
    }
    if (random.nextInt(5) == 0) {
      packet = withIpOptions(random, packet);
    }
    if (random.nextInt(8) == 0) {
      fragment(random, packet);
    }
    return packet;
  }

  /** TCP option lists: legal ones, and ones whose lengths are 0, 1 or run past the header. */
  private static byte[] tcpOptions(Random random) {
    byte[] options = new byte[4 * (1 + random.nextInt(10))];
    int at = 0;
    while (at < options.length) {
      int kind = new int[] {0, 1, 2, 3, 4, 5, 8, 30, 254, random.nextInt(256)}[random.nextInt(10)];
      options[at++] = (byte) kind;
      if (kind <= 1 || at >= options.length) {
        continue;
      }
      int length = random.nextInt(3) == 0 ? random.nextInt(256) : new int[] {0, 1, 2, 4, 3, 10, 18}[random.nextInt(7)];
      options[at++] = (byte) length;
      int body = Math.max(0, Math.min(length - 2, options.length - at));
      for (int i = 0; i < body; i++) {
        options[at++] = (byte) random.nextInt(256);
      }
    }
    return options;
  }

  private static byte[] withIpOptions(Random random, byte[] packet) {
    int optionsLength = 4 * (1 + random.nextInt(10));
    byte[] options = new byte[optionsLength];
    if (random.nextBoolean()) {
      Arrays.fill(options, (byte) 1); // NOPs
      options[optionsLength - 1] = 0; // EOL
    } else {
      random.nextBytes(options);
    }
    byte[] out = new byte[packet.length + optionsLength];
    System.arraycopy(packet, 0, out, 0, 20);
    System.arraycopy(options, 0, out, 20, optionsLength);
    System.arraycopy(packet, 20, out, 20 + optionsLength, packet.length - 20);
    out[0] = (byte) (0x40 | (5 + optionsLength / 4));
    ByteBuffer.wrap(out).putShort(2, (short) out.length);
    fixChecksums(out);
    return out;
  }

  private static void fragment(Random random, byte[] packet) {
    int flags = random.nextBoolean() ? 0x2000 : 0;
    int offset = random.nextInt(3) == 0 ? 0 : random.nextInt(0x2000);
    ByteBuffer.wrap(packet).putShort(6, (short) (flags | offset));
    ipChecksum(packet);
  }

  private static byte[] bigTcp(Random random) {
    byte[] payload = new byte[65535 - 40];
    random.nextBytes(payload);
    return TcpSegment.builder().source(OUTSIDE).destination(SUBNET | 9).sourcePort(40000).destinationPort(80)
        .sequenceNumber(random.nextInt() & 0xffffffffL).flags(TcpSegment.ACK | TcpSegment.PSH).noTimestamps()
        .payload(payload).build();
  }

  private static byte[] lie(Random random, byte[] packet) {
    if (packet.length < 1) {
      return packet;
    }
    int ihl = packet.length >= 20 ? (packet[0] & 0x0F) * 4 : 20;
    switch (random.nextInt(9)) {
      case 0: // IHL lies
        packet[0] = (byte) ((packet[0] & 0xF0) | random.nextInt(16));
        return packet;
      case 1: // total length lies
        if (packet.length >= 4) {
          int total = random.nextBoolean() ? random.nextInt(65536) : packet.length + random.nextInt(41) - 20;
          ByteBuffer.wrap(packet).putShort(2, (short) total);
        }
        return packet;
      case 2: // TCP data offset lies
        if (packet.length > ihl + 12) {
          packet[ihl + 12] = (byte) ((random.nextInt(16) << 4) | (packet[ihl + 12] & 0x0F));
        }
        return packet;
      case 3: // truncated anywhere, mostly in the headers
        return Arrays.copyOf(packet, random.nextInt(Math.min(packet.length, random.nextBoolean() ? 80 : packet.length) + 1));
      case 4: // bytes after the datagram
        return Arrays.copyOf(packet, packet.length + 1 + random.nextInt(16));
      case 5: // a flipped bit anywhere (checksums then lie, unless fixed afterwards)
        packet[random.nextInt(packet.length)] ^= (byte) (1 << random.nextInt(8));
        return packet;
      case 6: // version lies
        packet[0] = (byte) ((random.nextInt(16) << 4) | (packet[0] & 0x0F));
        return packet;
      case 7: // a protocol it is not
        if (packet.length > 9) {
          packet[9] = (byte) new int[] {IpProtocol.TCP, IpProtocol.ICMP, IpProtocol.UDP, 0, 255}[random.nextInt(5)];
        }
        return packet;
      default: // a TCP option list overrunning the header
        if (packet.length > ihl + 24 && (packet[ihl + 12] & 0xF0) > 0x50) {
          packet[ihl + 20] = (byte) (2 + random.nextInt(7));
          packet[ihl + 21] = (byte) (random.nextBoolean() ? 0 : 40 + random.nextInt(200));
        }
        return packet;
    }
  }

  /** Makes the IP header checksum, and the TCP or ICMP checksum, right where the lengths allow. */
  public static void fixChecksums(byte[] packet) {
    if (!ipChecksum(packet)) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    int ihl = (packet[0] & 0x0F) * 4;
    int total = Math.min(packet.length, b.getShort(2) & 0xFFFF);
    int l4 = total - ihl;
    int protocol = packet[9] & 0xFF;
    if (protocol == IpProtocol.TCP && l4 >= 20) {
      b.putShort(ihl + 16, (short) 0);
      b.putShort(ihl + 16, (short) Checksum.tcpUdp(b, 0, protocol, ihl, l4));
    } else if (protocol == IpProtocol.ICMP && l4 >= 8) {
      b.putShort(ihl + 2, (short) 0);
      b.putShort(ihl + 2, (short) Checksum.compute(b, ihl, l4));
    }
  }

  private static boolean ipChecksum(byte[] packet) {
    if (packet.length < 20) {
      return false;
    }
    int ihl = (packet[0] & 0x0F) * 4;
    if (ihl < 20 || ihl > packet.length) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    b.putShort(10, (short) 0);
    b.putShort(10, (short) Checksum.compute(b, 0, ihl));
    return true;
  }

  private static int randomAddress(Random random) {
    return random.nextInt();
  }
}
