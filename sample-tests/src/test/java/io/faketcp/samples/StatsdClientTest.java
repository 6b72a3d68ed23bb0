package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.DatagramServer;
import io.faketcp.peer.DatagramSink;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** A StatsD client's datagrams to a fake StatsD server, under loss, and refused. */
@ResourceLock(providers = SubnetLocks.class)
class StatsdClientTest {
  // tag::udp[]
  static final DatagramSink statsd = DatagramServer.sink();   // keeps every datagram it receives

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.62.0.0/24")
      .mode(Mode.REJECT)                                       // every other port: ICMP port unreachable
      .rule(Rule.udp("10.62.0.5", "8125", statsd))
      .seed(19)                                                // the loss test drops the same datagrams every run
      .build();

  @Test
  void everyMetricIsOneDatagram(NetworkInfo net, Capture capture) throws Exception {
    statsd.clear();
    InetSocketAddress server = net.socketAddress(5, 8125);
    try (StatsdClient client = new StatsdClient(server)) {
      client.count("logins", 1);
      client.time("checkout", 42);
    }

    assertThat(statsd.await(2, Duration.ofSeconds(2))).isTrue();
    assertThat(statsd.texts()).containsExactly("logins:1|c", "checkout:42|ms");
    assertThat(capture).hasDatagramTextsTo(server, "logins:1|c", "checkout:42|ms");
  }
  // end::udp[]

  @Test
  void underLossTheClientSendsEveryMetricAndTheServerMissesSome(NetworkInfo net, NetworkControl control,
      Capture capture) throws Exception {
    statsd.clear();
    control.fault(Fault.parse("loss=30%@10.62.0.5:8125"));
    InetSocketAddress server = net.socketAddress(5, 8125);
    try (StatsdClient client = new StatsdClient(server)) {
      for (int i = 0; i < 100; i++) {
        client.count("requests", i);
        Thread.sleep(1); // paced: the tun queue never overflows, so only the fault drops
      }
      assertThat(client.refused()).isZero();
    }

    long dropped = control.faultActions().get(Fault.parse("loss=30%@10.62.0.5:8125"));
    assertThat(capture).hasDatagramsTo(server, 100);                       // all left the host
    assertThat(statsd.await(100 - (int) dropped, Duration.ofSeconds(2))).isTrue();
    Thread.sleep(100);
    assertThat(statsd.received()).hasSize(100 - (int) dropped);            // the rest were lost on the way
    assertThat(dropped).isBetween(15L, 45L);
  }

  @Test
  void aRefusingServerIsSeenOnTheNextSend(NetworkInfo net, Capture capture) throws Exception {
    InetSocketAddress wrongPort = net.socketAddress(5, 8126);
    try (StatsdClient client = new StatsdClient(wrongPort)) {
      client.count("logins", 1);
      capture.await(PacketPattern.portUnreachable().from(net.address(5)), Duration.ofSeconds(2));
      client.count("logins", 1);      // PortUnreachableException here, counted by the client
      assertThat(client.refused()).isEqualTo(1);
    }
    assertThat(capture).containsInOrder(PacketPattern.datagram("logins:1|c").to(net.address(5), 8126),
        PacketPattern.portUnreachable().from(net.address(5)));
  }
}
