package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.dns.FakeDns;
import io.faketcp.packet.DnsMessage;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * On the default subnet (whose fake DNS the launcher's resolv.conf names, so that JDK 17 asks it too):
 * a declared name answers A and AAAA, and the JVM's lookups see both families; the fake DNS server
 * answers on the prefix's {@code ::ff} too, over UDP and TCP.
 */
@FakeNetwork(subnet6 = "fd00:fa:ce::/64", hosts = {"web.test=192.168.0.5", "api.test=192.168.0.6,192.168.0.7"})
class DualStackNamesTest {

  @Test
  void aDeclaredNameHasTheAaaaRecordsOfTheSameHostNumbers(NetworkInfo net) throws Exception {
    assertThat(FakeDns.lookup6(net.dnsServer().orElseThrow(), "web.test")).containsExactly(net.address6(5));
    assertThat(FakeDns.lookup6(net.dnsServer().orElseThrow(), "api.test"))
        .containsExactly(net.address6(6), net.address6(7));
    assertThat(InetAddress.getAllByName("web.test")).containsExactlyInAnyOrder(net.address(5), net.address6(5));
  }

  @Test
  void theServerAnswersOnThePrefixsFfOverUdpAndTcp(NetworkInfo net) throws Exception {
    assertThat(net.dnsServer6()).contains((java.net.Inet6Address) InetAddress.getByName("fd00:fa:ce::ff"));
    InetSocketAddress server = new InetSocketAddress(net.dnsServer6().orElseThrow(), 53);
    byte[] query = DnsMessage.query(0x6a6a, "web.test", DnsMessage.AAAA).build();
    try (DatagramSocket udp = new DatagramSocket()) {
      udp.setSoTimeout(3000);
      udp.send(new DatagramPacket(query, query.length, server));
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      udp.receive(reply);
      assertThat(reply.getAddress()).isEqualTo(server.getAddress());
      DnsMessage answer = DnsMessage.parse(ByteBuffer.wrap(reply.getData(), 0, reply.getLength()));
      assertThat(answer.id()).isEqualTo(0x6a6a);
      assertThat(answer.addresses6()).containsExactly(net.address6(5));
    }
    byte[] queryA = DnsMessage.query(0x4a4a, "api.test", DnsMessage.A).build();
    try (Socket tcp = new Socket()) {
      tcp.connect(server, 3000);
      tcp.setSoTimeout(3000);
      tcp.getOutputStream().write(ByteBuffer.allocate(2 + queryA.length).putShort((short) queryA.length).put(queryA).array());
      DataInputStream in = new DataInputStream(tcp.getInputStream());
      byte[] reply = new byte[in.readUnsignedShort()];
      in.readFully(reply);
      assertThat(DnsMessage.parse(ByteBuffer.wrap(reply)).addresses()).containsExactly(net.address(6), net.address(7));
    }
  }
}
