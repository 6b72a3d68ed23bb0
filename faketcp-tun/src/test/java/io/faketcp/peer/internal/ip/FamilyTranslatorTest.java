package io.faketcp.peer.internal.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.packet.IcmpMessage;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.packet.TcpSegment;
import io.faketcp.tun.Subnet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The translation on packets Linux sent (from linux-veth6.pcap, capture/run6.sh): into IPv4 with
 * checksums the strict views accept, and back into the same IPv6 bytes (the flow label aside).
 */
class FamilyTranslatorTest {
  private static final String ECHO_REQUEST = "600ad96f00403a40fd0000fa00ce00000000000000000001fd0000fa00ce0000000000"
      + "00000000058000860704d20001000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425"
      + "262728292a2b2c2d2e2f3031323334353637";
  private static final String SYN = "60012b5c00280640fd0000fa00ce00000000000000000001fd0000fa00ce000000000000000000"
      + "05a1121092e09c654500000000a002fd20a37d0000020405a00402080af8f5b95e000000000103030a";
  private static final String DATA = "60012b5c00250640fd0000fa00ce00000000000000000001fd0000fa00ce00000000000000000"
      + "005a1121092e09c6546c1858a7b80180040d30000000101080af8f5ba298035eb2768656c6c6f";

  private final FamilyTranslator translator = new FamilyTranslator(Subnet.parse("fd00:fa:ce::/64"));

  @Test
  void aLinuxSynBecomesIpv4WithTheIdsAndAValidChecksumAndComesBackTheSame() throws Exception {
    byte[] original = HexFormat.of().parseHex(SYN);
    ByteBuffer b = ByteBuffer.wrap(original.clone());
    int at = translator.toIpv4(b, original.length);
    assertThat(at).isEqualTo(20);

    Ipv4Packet ip = Ipv4Packet.wrap(b.position(at));
    assertThat(ip.sourceInt()).isEqualTo(0xf000_0001);
    assertThat(ip.destinationInt()).isEqualTo(0xf000_0005);
    assertThat(ip.dontFragment()).isTrue();
    assertThat(ip.ttl()).isEqualTo(64);
    TcpSegment tcp = TcpSegment.wrap(ip); // verifies the adjusted checksum
    assertThat(tcp.syn()).isTrue();
    assertThat(tcp.sourcePort()).isEqualTo(41234);
    assertThat(tcp.sequenceNumber()).isEqualTo(3768345925L);

    assertThat(back(b, at, original.length - at)).isEqualTo(withoutFlowLabel(original));
  }

  @Test
  void dataKeepsItsPayloadBothWays() throws Exception {
    byte[] original = HexFormat.of().parseHex(DATA);
    ByteBuffer b = ByteBuffer.wrap(original.clone());
    int at = translator.toIpv4(b, original.length);
    TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(b.position(at)));
    byte[] payload = new byte[tcp.payloadLength()];
    tcp.payload().get(payload);
    assertThat(new String(payload)).isEqualTo("hello");
    assertThat(back(b, at, original.length - at)).isEqualTo(withoutFlowLabel(original));
  }

  @Test
  void anEchoRequestBecomesAnIcmpEchoRequestAndBack() throws Exception {
    byte[] original = HexFormat.of().parseHex(ECHO_REQUEST);
    ByteBuffer b = ByteBuffer.wrap(original.clone());
    int at = translator.toIpv4(b, original.length);
    IcmpMessage icmp = IcmpMessage.wrap(Ipv4Packet.wrap(b.position(at))); // verifies the checksum
    assertThat(icmp.isEchoRequest()).isTrue();
    assertThat(back(b, at, original.length - at)).isEqualTo(withoutFlowLabel(original));
  }

  @Test
  void aFragmentedEchoRequestIsWholeAfterReassemblyAndCompleteIcmp() throws Exception {
    byte[] original = HexFormat.of().parseHex(ECHO_REQUEST); // 64 bytes of ICMPv6 after the header
    FragmentReassembly reassembly = new FragmentReassembly(System::nanoTime);
    ByteBuffer first = translated(fragment(original, 0, true));
    assertThat(reassembly.add(Ipv4Packet.wrap(first))).isNull();
    ByteBuffer whole = reassembly.add(Ipv4Packet.wrap(translated(fragment(original, 32, false))));
    assertThat(whole).isNotNull();
    assertThatThrownBy(() -> IcmpMessage.wrap(Ipv4Packet.wrap(whole.duplicate())))
        .as("the pseudo-header's length still in the checksum").isInstanceOf(MalformedPacketException.class);

    FamilyTranslator.completeIcmp(whole);
    IcmpMessage icmp = IcmpMessage.wrap(Ipv4Packet.wrap(whole)); // verifies the checksum
    assertThat(icmp.isEchoRequest()).isTrue();
    assertThat(icmp.identifier()).isEqualTo(0x04d2);
    byte[] data = new byte[icmp.payload().remaining()];
    icmp.payload().get(data);
    assertThat(data).isEqualTo(Arrays.copyOfRange(original, 48, original.length));
  }

  /** 32 bytes of {@code packet}'s ICMPv6 message from {@code offset}, behind a Fragment header (id 0x12345678). */
  private static byte[] fragment(byte[] packet, int offset, boolean more) {
    ByteBuffer f = ByteBuffer.allocate(40 + 8 + 32);
    f.put(packet, 0, 40).putShort(4, (short) 40).put(6, (byte) 44);
    f.put((byte) 58).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt(0x12345678);
    f.put(packet, 40 + offset, 32);
    return f.array();
  }

  private ByteBuffer translated(byte[] packet) {
    ByteBuffer b = ByteBuffer.wrap(packet);
    int at = translator.toIpv4(b, packet.length);
    assertThat(at).as("translated").isGreaterThanOrEqualTo(0);
    return b.position(at).slice();
  }

  @Test
  void packetsNotForAFakeHostAreLeftAlone() {
    byte[] toHost = HexFormat.of().parseHex(SYN);
    toHost[39] = 1; // destination fd00:fa:ce::1, the host itself
    assertThat(translator.toIpv4(ByteBuffer.wrap(toHost), toHost.length)).isEqualTo(-1);
    byte[] beyond = HexFormat.of().parseHex(SYN);
    beyond[35] = 1; // fd00:fa:ce::1:0:5: beyond the 2^28 fake hosts
    assertThat(translator.toIpv4(ByteBuffer.wrap(beyond), beyond.length)).isEqualTo(-1);
    assertThat(translator.toIpv4(ByteBuffer.wrap(new byte[30]), 30)).isEqualTo(-1);
  }

  @Test
  void idsAreTheAddressesLow28BitsInTheReservedRange() {
    assertThat(FamilyTranslator.isIpv6(FamilyTranslator.id(5))).isTrue();
    assertThat(FamilyTranslator.isIpv6(0xc0a8_0005)).isFalse();
    assertThat(translator.address(FamilyTranslator.id(0xabc))).hasToString("/fd00:fa:ce:0:0:0:0:abc");
  }

  @Test
  void aLongPrefixWithBitsInItsLast28MapsItsHostsAndScopesTheSameWay() throws Exception {
    FamilyTranslator t = new FamilyTranslator(Subnet.parse("fd00:fa:ce::1:0/112"));
    assertThat(t.hostId()).isEqualTo(0xf001_0001);
    assertThat(t.idAt(5)).isEqualTo(0xf001_0005);
    assertThat(t.address(t.idAt(5))).isEqualTo(java.net.InetAddress.getByName("fd00:fa:ce::1:5"));
    assertThat(FamilyScope.addresses("fd00:fa:ce::1:5", "fd00:fa:ce::1:5")).containsExactly(t.idAt(5), t.idAt(5));
    assertThat(FamilyScope.addresses("fd00:fa:ce::1:0/120", "fd00:fa:ce::1:0/120"))
        .containsExactly(t.idAt(0), t.idAt(255));
    byte[] syn = HexFormat.of().parseHex(SYN);
    syn[21] = 1; // fd00:fa:ce::1:1, the host
    syn[37] = 1; // fd00:fa:ce::1:5
    int checksum = ((syn[56] & 0xff) << 8 | (syn[57] & 0xff)) - 2; // the two addresses' words grew by 1 each
    syn[56] = (byte) (checksum >>> 8);
    syn[57] = (byte) checksum;
    ByteBuffer b = ByteBuffer.wrap(syn);
    int at = t.toIpv4(b, syn.length);
    Ipv4Packet ip = Ipv4Packet.wrap(b.position(at));
    assertThat(ip.sourceInt()).isEqualTo(t.hostId());
    assertThat(ip.destinationInt()).isEqualTo(t.idAt(5));
    assertThat(TcpSegment.wrap(ip).syn()).isTrue();
  }

  /** The IPv4 packet at {@code b[at, at + length)} translated back into IPv6. */
  private byte[] back(ByteBuffer b, int at, int length) {
    ByteBuffer v4 = ByteBuffer.allocate(length);
    v4.put(0, b, at, length);
    int n = translator.toIpv6(v4, length);
    byte[] out = new byte[n];
    translator.buffer().get(0, out);
    return out;
  }

  private static byte[] withoutFlowLabel(byte[] packet) {
    byte[] copy = Arrays.copyOf(packet, packet.length);
    copy[1] &= (byte) 0xf0;
    copy[2] = 0;
    copy[3] = 0;
    return copy;
  }
}
