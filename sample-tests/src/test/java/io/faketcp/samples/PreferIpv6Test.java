package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.Capture;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Server;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JVM's preference reversed: {@code java.net.preferIPv6Addresses=true}, set before the JVM's
 * first lookup (InetAddress reads it once), so this class runs in a JVM of its own (the
 * sample-tests pom's {@code prefer-ipv6} execution). Lookups now list IPv6 first. The JDK's
 * {@link HttpClient} does not race the families: with IPv6 blackholed it waits out its connect
 * timeout on the first address; OkHttp's fast fallback connects over IPv4 a fallback delay later.
 */
class PreferIpv6Test {
  static {
    System.setProperty("java.net.preferIPv6Addresses", "true");
  }

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet6("fd00:fa:ce::/64")
      .hosts("www.prefer6.test=192.168.0.5")
      .mode(Mode.REJECT)
      .rule(Rule.of("ipv6", "*", Mode.DROP))
      .rule(Rule.of("*", "80", Server.fixedResponse(
          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")))
      .build();

  @Test
  void lookupsListIpv6FirstAndTheJdkClientDoesNotFallBack(NetworkInfo net, Capture capture) throws Exception {
    assertThat(InetAddress.getAllByName("www.prefer6.test")).containsExactly(net.address6(5), net.address(5));

    HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> jdk.send(HttpRequest.newBuilder(URI.create("http://www.prefer6.test/")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOfAny(HttpConnectTimeoutException.class, ConnectException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("its connect timeout").isBetween(
        Duration.ofMillis(900), Duration.ofSeconds(5));
    assertThat(capture).contains(PacketPattern.syn().to(net.address6(5), 80))
        .hasNoPacketTo(net.address(5));
  }

  @Test
  void okHttpStillFallsBackToIpv4(NetworkInfo net, Capture capture) throws Exception {
    OkHttpClient client = new OkHttpClient.Builder().fastFallback(true).build();
    long start = System.nanoTime();
    try (Response response = client.newCall(new Request.Builder().url("http://www.prefer6.test/").build())
        .execute()) {
      assertThat(response.body().string()).isEqualTo("hello");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(240), Duration.ofSeconds(3));
    assertThat(capture).containsInOrder(PacketPattern.syn().to(net.address6(5), 80),
        PacketPattern.syn().to(net.address(5), 80)).hasHandshakeWith(net.socketAddress(5, 80));
  }
}
