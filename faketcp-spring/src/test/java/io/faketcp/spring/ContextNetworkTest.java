package io.faketcp.spring;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * One application context with its network: up before the refresh (a bean connects while it is
 * created, from the published address), each test starting from the configured network with its own
 * capture, and the context's background traffic left out of it.
 */
@SpringJUnitConfig(ContextNetworkTest.Config.class)
@ContextFakeNetwork(subnet = "10.71.0.0/24", background = "10.71.0.9:9000", seed = 23)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContextNetworkTest {
  @Configuration
  static class Config {
    /** Connects while the context starts: fails unless the network is already there. */
    @Bean
    StartupConnection startupConnection(@Value("${faketcp.address.5}") String address) throws IOException {
      return new StartupConnection(address);
    }

    /** The context's own traffic: a connection to 10.71.0.9:9000 every 20 ms, as a pool's housekeeping. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService housekeeping(@Value("${faketcp.address.9}") String address) {
      ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
      executor.scheduleWithFixedDelay(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(address, 9000), 500);
        } catch (IOException e) {
          // a handover or the context's close; the next round tries again
        }
      }, 0, 20, TimeUnit.MILLISECONDS);
      return executor;
    }
  }

  static final class StartupConnection {
    final String address;
    final int localPort;

    StartupConnection(String address) throws IOException {
      this.address = address;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address, 80), 2000);
        localPort = s.getLocalPort();
      }
    }
  }

  @Autowired
  StartupConnection startup;

  @Value("${faketcp.subnet} ${faketcp.host}")
  String subnetAndHost;

  @Test
  @Order(1)
  void theNetworkWasUpBeforeTheContextRefreshedAndItsAddressesAreProperties(NetworkInfo net) {
    assertThat(startup.address).isEqualTo("10.71.0.5");
    assertThat(startup.localPort).isPositive();
    assertThat(subnetAndHost).isEqualTo("10.71.0.0/24 10.71.0.1");
    assertThat(net.subnet().toString()).isEqualTo("10.71.0.0/24");
  }

  @Test
  @Order(2)
  void aTestChangesTheNetwork(NetworkControl peer, NetworkInfo net) throws IOException {
    peer.mode(Mode.DROP);
    peer.fault(Fault.latency(Duration.ofSeconds(1)));
    try (Socket s = new Socket()) {
      assertThatThrownBy(() -> s.connect(net.socketAddress(6, 80), 200)).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  @Order(3)
  void theNextStartsWithTheConfiguredNetworkAndAnEmptyCapture(NetworkControl peer, NetworkInfo net, Capture capture)
      throws IOException {
    assertThat(peer.rules().defaultMode()).isEqualTo(Mode.ACCEPT);
    assertThat(peer.rules().faults()).isEmpty();
    assertThat(capture.packets().filter(PacketPattern.syn().to(net.address(6), 80))).isEmpty();
    long start = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(net.socketAddress(6, 80), 1000);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(800));   // the latency was 1 s
    assertThat(capture).hasHandshakeWith(net.socketAddress(6, 80));
  }

  @Test
  @Order(4)
  void theBackgroundIsLeftOutUnlessAskedFor(TestCapture capture, NetworkInfo net) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(net.socketAddress(5, 80), 1000);
    }
    capture.everything().await(PacketPattern.syn().to(net.address(9), 9000), Duration.ofSeconds(2));
    assertThat(capture).hasHandshakeWith(net.socketAddress(5, 80)).hasNoPacketTo(net.address(9));
    assertThat(capture.packets().filter(PacketPattern.syn().to(net.address(9), 9000))).isEmpty();
    assertThatThrownBy(() -> capture.await(PacketPattern.syn().to(net.address(9), 9000), Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class);
  }

  /** A connection kept from one test to the next, as a pool keeps one. */
  static Socket kept;

  @Test
  @Order(5)
  void opensAConnectionTheNextTestUses(NetworkInfo net) throws IOException {
    kept = new Socket();
    kept.connect(net.socketAddress(8, 80), 1000);
  }

  @Test
  @Order(6)
  void withoutEarlierConnectionsLeavesOutTheKeptOne(TestCapture capture, NetworkInfo net) throws IOException {
    try (Socket s = kept) {
      s.getOutputStream().write("from an earlier connection".getBytes());
      capture.await(PacketPattern.data().to(net.address(8), 80), Duration.ofSeconds(2));
    }
    try (Socket s = new Socket()) {
      s.connect(net.socketAddress(5, 80), 1000);
    }

    assertThat(capture).contains(PacketPattern.data().to(net.address(8), 80));
    assertThat(capture.withoutEarlierConnections())
        .hasNoPacketTo(net.address(8))
        .hasHandshakeWith(net.socketAddress(5, 80));
    assertThat(capture.withoutEarlierConnections().await(PacketPattern.syn().to(net.address(5), 80), Duration.ZERO))
        .isNotNull();
    assertThatThrownBy(() -> capture.withoutEarlierConnections()
        .await(PacketPattern.data().to(net.address(8), 80), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void theNetworksSeedIsTheAnnotations(NetworkControl control) {
    assertThat(control.seed()).isEqualTo(23);
    assertThat(ContextNetworkCustomizer.settings(ContextNetworkTest.class.getAnnotation(ContextFakeNetwork.class))
        .seed()).isEqualTo(23L);
  }
}
