package io.faketcp.peer.internal.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link FragmentReassembly} on byte vectors: a 36-byte UDP datagram (id 0x1c46, 192.168.0.1 to .9,
 * DF clear) and its two 8-byte fragments, header checksums computed independently.
 */
class FragmentReassemblyTest {
  private static final String WHOLE =
      "450000241c4600004011dd28c0a80001c0a80009000102030405060708090a0b0c0d0e0f";
  private static final String FIRST = "4500001c1c4620004011bd30c0a80001c0a800090001020304050607";
  private static final String SECOND = "4500001c1c4600014011dd2fc0a80001c0a8000908090a0b0c0d0e0f";

  private long now = 1_000_000_000L;
  private final FragmentReassembly reassembly = new FragmentReassembly(() -> now);

  @Test
  void twoFragmentsMakeTheDatagramWithItsHeaderAndChecksum() throws Exception {
    assertThat(reassembly.add(packet(FIRST))).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.HELD);
    assertThat(hex(reassembly.add(packet(SECOND)))).isEqualTo(WHOLE);
    assertThat(reassembly.pending()).isZero();
    assertThat(reassembly.bytesHeld()).isZero();
  }

  @Test
  void fragmentsInReverseOrderAndDuplicatesMakeTheSameDatagram() throws Exception {
    assertThat(reassembly.add(packet(SECOND))).isNull();
    assertThat(reassembly.add(packet(SECOND))).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.DUPLICATE);
    assertThat(hex(reassembly.add(packet(FIRST)))).isEqualTo(WHOLE);
  }

  @Test
  void anOverlappingFragmentDiscardsTheWholeDatagram() throws Exception {
    reassembly.add(packet(FIRST));
    // 16 bytes at offset 0, last fragment: overlaps the first without being a copy of it.
    Ipv4Packet overlapping = fragment(0, false, new byte[16]);
    assertThat(reassembly.add(overlapping)).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.DISCARDED);
    assertThat(reassembly.pending()).isZero();
    assertThat(reassembly.add(packet(SECOND))).as("the rest starts a new datagram").isNull();
    assertThat(reassembly.pending()).isEqualTo(1);
  }

  @Test
  void aMisalignedMiddleFragmentAndOneBeyond64KiBAreDiscarded() throws Exception {
    assertThat(reassembly.add(fragment(0, true, new byte[12]))).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.DISCARDED);
    assertThat(reassembly.add(fragment(65528, false, new byte[16]))).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.DISCARDED);
    assertThat(reassembly.pending()).isZero();
  }

  @Test
  void aLastFragmentBelowDataAlreadyHeldDiscardsTheDatagram() throws Exception {
    reassembly.add(fragment(16, true, new byte[8]));
    assertThat(reassembly.add(fragment(8, false, new byte[8]))).isNull();
    assertThat(reassembly.outcome()).isEqualTo(FragmentReassembly.Outcome.DISCARDED);
  }

  @Test
  void anIncompleteDatagramIsForgottenAfterTheTimeout() throws Exception {
    reassembly.add(packet(FIRST));
    now += FragmentReassembly.TIMEOUT_NANOS;
    assertThat(reassembly.add(packet(SECOND))).as("the first fragment expired").isNull();
    assertThat(reassembly.pending()).isEqualTo(1);
  }

  @Test
  void anIpv6HostsDatagramWaitsSixtySeconds() throws Exception {
    // RFC 8200 §4.5: 60 s for IPv6, whose hosts' fragments arrive as IPv4 ones between ids of 240.0.0.0/4
    reassembly.add(fragment6(0, true, new byte[8]));
    reassembly.add(packet(FIRST));
    now += FragmentReassembly.TIMEOUT_NANOS;
    assertThat(reassembly.add(packet(SECOND))).as("the IPv4 datagram expired").isNull();
    assertThat(reassembly.add(fragment6(8, false, new byte[8]))).as("the IPv6 one is whole").isNotNull();
    reassembly.add(fragment6(0, true, new byte[8]));
    now += FragmentReassembly.TIMEOUT6_NANOS;
    assertThat(reassembly.add(fragment6(8, false, new byte[8]))).as("expired after 60 s").isNull();
  }

  @Test
  void datagramsAndBytesInReassemblyAreBounded() throws Exception {
    for (int id = 0; id < FragmentReassembly.MAX_DATAGRAMS + 10; id++) {
      reassembly.add(fragment(id, 0, true, new byte[8]));
    }
    assertThat(reassembly.pending()).isEqualTo(FragmentReassembly.MAX_DATAGRAMS);
    for (int id = 100; id < 140; id++) {
      reassembly.add(fragment(id, 60000, true, new byte[1480]));
    }
    assertThat(reassembly.bytesHeld()).isLessThanOrEqualTo(FragmentReassembly.MAX_BYTES);
    assertThat(reassembly.pending()).isLessThan(FragmentReassembly.MAX_DATAGRAMS);
  }

  private static Ipv4Packet fragment(int offset, boolean more, byte[] payload) throws MalformedPacketException {
    return fragment(0x1c46, offset, more, payload);
  }

  private static Ipv4Packet fragment(int id, int offset, boolean more, byte[] payload) throws MalformedPacketException {
    return Ipv4Packet.wrap(Ipv4Packet.builder().source(0xc0a80001).destination(0xc0a80009).protocol(17)
        .identification(id).dontFragment(false).ttl(64).fragmentOffset(offset).moreFragments(more).payload(payload)
        .build());
  }

  /** A fragment between the IPv6 hosts' ids 240.0.0.1 and 240.0.0.9, as the translation makes them. */
  private static Ipv4Packet fragment6(int offset, boolean more, byte[] payload) throws MalformedPacketException {
    return Ipv4Packet.wrap(Ipv4Packet.builder().source(0xf0000001).destination(0xf0000009).protocol(17)
        .identification(7).dontFragment(false).ttl(64).fragmentOffset(offset).moreFragments(more).payload(payload)
        .build());
  }

  private static Ipv4Packet packet(String hex) throws MalformedPacketException {
    return Ipv4Packet.wrap(HexFormat.of().parseHex(hex));
  }

  private static String hex(ByteBuffer packet) {
    assertThat(packet).as("a whole datagram").isNotNull();
    byte[] b = new byte[packet.remaining()];
    packet.duplicate().get(b);
    return HexFormat.of().formatHex(b);
  }
}
