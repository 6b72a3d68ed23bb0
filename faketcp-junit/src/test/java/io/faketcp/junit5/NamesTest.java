package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.dns.FakeDns;
import io.faketcp.packet.DnsMessage;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Declared names answered by the fake DNS server over the tun device: records, order, CNAME, changes
 * mid-test, each DNS fault, the queries in the capture, and the JDK's resolver asking it (JDK 18+).
 */
@FakeNetwork(mode = Mode.ECHO, hosts = {"db.test=192.168.0.5", "api.test=192.168.0.6,192.168.0.7",
    "www.test=CNAME api.test", "_pg._tcp.test=SRV 0 5 5432 db.test", "short.test=192.168.0.8;ttl=1",
    "txt.test=TXT role=primary"})
class NamesTest {

  private static Inet4Address dns(NetworkInfo net) {
    return net.dnsServer().orElseThrow();
  }

  private static List<Inet4Address> lookup(NetworkInfo net, String name) throws UnknownHostException {
    return FakeDns.lookup(dns(net), name);
  }

  private static Inet4Address ip(String text) throws UnknownHostException {
    return (Inet4Address) InetAddress.getByName(text);
  }

  @Test
  void declaredNamesResolveInTheirOrderAndTheQueriesAreCaptured(NetworkInfo net, Capture capture) throws Exception {
    assertThat(dns(net)).isEqualTo(net.address(254));
    assertThat(net.address("db.test")).isEqualTo(ip("192.168.0.5"));
    assertThat(net.address("WWW.test.")).isEqualTo(ip("192.168.0.6"));

    assertThat(lookup(net, "db.test")).containsExactly(ip("192.168.0.5"));
    assertThat(lookup(net, "api.test")).containsExactly(ip("192.168.0.6"), ip("192.168.0.7"));
    assertThat(lookup(net, "www.test")).containsExactly(ip("192.168.0.6"), ip("192.168.0.7"));

    assertThat(capture.packets()).contains(PacketPattern.udp().to(dns(net), 53))
        .contains(PacketPattern.udp().from(dns(net), 53));
    assertThat(capture.packets().list()).anyMatch(p -> p.line().matches(
        "IP 192\\.168\\.0\\.1\\.\\d+ > 192\\.168\\.0\\.254\\.53: \\d+\\+ A\\? api\\.test\\. \\(26\\)"));
    assertThat(capture.packets().list()).anyMatch(p -> p.line().matches(
        "IP 192\\.168\\.0\\.254\\.53 > 192\\.168\\.0\\.1\\.\\d+: \\d+\\* 2/0/0 A 192\\.168\\.0\\.6, A 192\\.168\\.0\\.7 \\(74\\)"));
  }

  /** One query of {@code type} for {@code name}, sent as a resolver would, and its answer. */
  private static DnsMessage ask(NetworkInfo net, String name, int type) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      byte[] query = DnsMessage.query(4660, name, type).build();
      socket.send(new DatagramPacket(query, query.length, new InetSocketAddress(dns(net), 53)));
      DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
      socket.receive(answer);
      return DnsMessage.parse(ByteBuffer.wrap(answer.getData(), 0, answer.getLength()));
    }
  }

  @Test
  void recordsOfEachTypeCarryTheirTtl(NetworkInfo net) throws Exception {
    assertThat(ask(net, "db.test", DnsMessage.A).answers()).singleElement()
        .satisfies(r -> assertThat(r.ttl()).isEqualTo(30));
    assertThat(ask(net, "short.test", DnsMessage.A).answers()).singleElement()
        .satisfies(r -> assertThat(r.ttl()).isEqualTo(1));
    assertThat(ask(net, "_pg._tcp.test", DnsMessage.SRV)).hasToString("4660* 1/0/0 SRV db.test.:5432 0 5 (71)");
    assertThat(ask(net, "txt.test", DnsMessage.TXT).answers()).extracting(Object::toString)
        .containsExactly("TXT \"role=primary\"");
    DnsMessage aaaa = ask(net, "db.test", DnsMessage.AAAA);
    assertThat(aaaa.rcode()).as("a declared name without AAAA: no error, no record").isEqualTo(DnsMessage.NOERROR);
    assertThat(aaaa.answers()).isEmpty();
    assertThat(ask(net, "nobody.test", DnsMessage.AAAA).rcode()).isEqualTo(DnsMessage.NXDOMAIN);
  }

  @Test
  void undeclaredNamesAreNxdomainAtOnce(NetworkInfo net) {
    long start = System.nanoTime();
    assertThatThrownBy(() -> lookup(net, "nobody.test")).isInstanceOf(UnknownHostException.class)
        .hasMessage("nobody.test: Name or service not known");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThatThrownBy(() -> net.address("nobody.test")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'nobody.test' has no address on this fake network: declare it, e.g. @FakeNetwork(hosts"
            + " = \"nobody.test=192.168.0.5\")");
  }

  @Test
  void localhostResolvesAndServiceRecordsAreServed(NetworkInfo net) throws Exception {
    assertThat(lookup(net, "localhost")).containsExactly(ip("127.0.0.1"));
    assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
    assertThat(InetAddress.getLocalHost().getHostName()).as("this machine's name, from hosts").isNotEmpty();
    assertThatThrownBy(() -> lookup(net, "_pg._tcp.test")).as("an SRV name has no address")
        .hasMessage("_pg._tcp.test: No address associated with hostname");
  }

  @Test
  void anAnswerChangedMidTestIsTheNextAnswer(NetworkInfo net, NetworkControl control) throws Exception {
    assertThat(lookup(net, "db.test")).containsExactly(ip("192.168.0.5"));
    control.names().host("db.test", "192.168.0.6");
    assertThat(lookup(net, "db.test")).containsExactly(ip("192.168.0.6"));
    assertThat(net.address("db.test")).isEqualTo(ip("192.168.0.6"));
    control.names().remove("db.test");
    assertThatThrownBy(() -> lookup(net, "db.test")).hasMessage("db.test: Name or service not known");
  }

  @Test
  void eachNameStartsEveryTestAsDeclared(NetworkInfo net) throws Exception {
    assertThat(lookup(net, "db.test")).containsExactly(ip("192.168.0.5"));
  }

  @Test
  void dnsFaultsPerNameOrForAll(NetworkInfo net, NetworkControl control) throws Exception {
    control.fault(Fault.parse("dns=nxdomain@db.test"));
    assertThatThrownBy(() -> lookup(net, "db.test")).hasMessage("db.test: Name or service not known");
    assertThat(lookup(net, "api.test")).hasSize(2);
    assertThat(control.faultActions()).as("one answer changed").containsEntry(Fault.parse("dns=nxdomain@db.test"), 1L);
    control.clearFaults();
    control.fault(Fault.parse("dns=servfail"));
    assertThatThrownBy(() -> lookup(net, "api.test")).hasMessageStartingWith(
        "api.test: Temporary failure in name resolution (");
    control.clearFaults();
    control.fault(Fault.parse("dns=refused@*.test"));
    assertThatThrownBy(() -> lookup(net, "db.test")).hasMessageContaining("Refused");
    control.clearFaults();
    control.mode(Mode.REJECT);
    assertThat(lookup(net, "db.test")).as("the DNS server survives a change of mode").hasSize(1);
  }

  @Test
  void aSlowAnswerAndNoAnswer(NetworkInfo net, NetworkControl control) throws Exception {
    control.fault(Fault.parse("dns-delay=300ms@db.test"));
    long start = System.nanoTime();
    assertThat(lookup(net, "db.test")).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

    control.fault(Fault.parse("dns=timeout@api.test"));
    String before = System.getProperty(FakeDns.TIMEOUT_PROPERTY);
    System.setProperty(FakeDns.TIMEOUT_PROPERTY, "200ms");
    try {
      long asked = System.nanoTime();
      assertThatThrownBy(() -> lookup(net, "api.test")).hasMessage("api.test: Temporary failure in name resolution"
          + " (no answer from 192.168.0.254 in 2 x 200 ms)");
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).isBetween(Duration.ofMillis(400), Duration.ofMillis(1500));
    } finally {
      if (before == null) {
        System.clearProperty(FakeDns.TIMEOUT_PROPERTY);
      } else {
        System.setProperty(FakeDns.TIMEOUT_PROPERTY, before);
      }
    }
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcp(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
    control.fault(Fault.parse("dns=truncated"));
    assertThat(lookup(net, "api.test")).containsExactly(ip("192.168.0.6"), ip("192.168.0.7"));
    assertThat(capture.packets()).contains(PacketPattern.syn().to(dns(net), 53))
        .contains(PacketPattern.data().from(dns(net), 53));
    assertThat(capture.packets().list()).as("the truncated answer: authoritative, TC (|), no record")
        .anyMatch(p -> p.line().contains("*| 0/0/0"));
  }

  @Test
  void anAnswerLargerThan512BytesIsTruncatedOverUdpAndWholeOverTcp(NetworkInfo net, NetworkControl control,
      Capture capture) throws Exception {
    String[] forty = new String[40];
    for (int i = 0; i < forty.length; i++) {
      forty[i] = "192.168.0." + (10 + i);
    }
    control.names().host("many.test", forty);
    assertThat(ask(net, "many.test", DnsMessage.A).truncated()).isTrue();
    List<Inet4Address> all = lookup(net, "many.test");
    assertThat(all).hasSize(40).startsWith(ip("192.168.0.10")).endsWith(ip("192.168.0.49"));
    assertThat(capture).contains(PacketPattern.syn().to(dns(net), 53));
  }

  @Test
  void theJdkResolverAsksTheFakeDns(NetworkInfo net, Capture capture) throws Exception {
    assumeThat(Runtime.version().feature()).as("InetAddressResolverProvider needs JDK 18").isGreaterThanOrEqualTo(18);
    // A name no other test resolves through InetAddress: the JDK caches answers for 30 s.
    assertThat(InetAddress.getAllByName("www.test")).containsExactly(ip("192.168.0.6"), ip("192.168.0.7"));
    try (Socket socket = new Socket("db.test", 7)) {
      socket.getOutputStream().write('x');
      assertThat(socket.getInputStream().read()).isEqualTo('x');
    }
    assertThatThrownBy(() -> InetAddress.getByName("unknown-to-the-jdk.test")).isInstanceOf(UnknownHostException.class);
    assertThat(capture.packets()).hasHandshakeWith(net.socketAddress(5, 7));
  }
}
