package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.assertj.PacketPattern;
import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.junit5.TcpConversation;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.samples.InventoryClient.InventoryUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link InventoryClient}'s pooled {@code java.net.http.HttpClient} against a server that stalls mid-response. */
@ResourceLock(providers = SubnetLocks.class)
@Timeout(20) // without its deadline the client would wait forever
class InventoryClientTest {
  static final FakeInventoryService inventory = new FakeInventoryService();

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.65.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.65.0.5", "8080", inventory))
      .build();

  // tag::stall-mid-response[]
  @Test
  void aServerStallingMidResponseFreesTheCallerAtItsDeadlineAndTheNextCallGetsAFreshConnection(NetworkInfo net)
      throws Exception {
    InventoryClient client = new InventoryClient(URI.create("http://10.65.0.5:8080/"), Duration.ofMillis(500));
    assertThat(client.stock("sku-1")).isEqualTo(FakeInventoryService.stockJson("sku-1"));   // the pool keeps the connection

    long start = System.nanoTime();   // headers and 8 bytes of body, then nothing: HttpClient's timeout does not help
    assertThatThrownBy(() -> client.stock(FakeInventoryService.STUCK_SKU))
        .isInstanceOf(InventoryUnavailableException.class)
        .hasMessage("inventory at http://10.65.0.5:8080/ did not complete the call for sku-locked within 500 ms")
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500), Duration.ofMillis(500 + 2000));

    assertThat(client.stock("sku-2")).isEqualTo(FakeInventoryService.stockJson("sku-2"));

    List<TcpConversation> connections = network.capture().packets().conversationsWith(net.socketAddress(5, 8080));
    assertThat(connections).as("the stalled connection was not reused").hasSize(2);
    assertThat(inventory.requests).containsExactly(
        "GET /stock/sku-1 HTTP/1.1 from " + connections.get(0).client().getPort(),
        "GET /stock/sku-locked HTTP/1.1 from " + connections.get(0).client().getPort(),   // reused from the pool
        "GET /stock/sku-2 HTTP/1.1 from " + connections.get(1).client().getPort());
    int pooled = connections.get(0).client().getPort();
    network.capture().await(PacketPattern.matching(p -> p.tcp().orElseThrow().sourcePort() == pooled
        && (PacketPattern.fin().test(p) || PacketPattern.rst().test(p)), "FIN or RST from port " + pooled)
        .to(net.address(5), 8080), Duration.ofSeconds(2));   // the cancelled call closed its connection
  }
  // end::stall-mid-response[]
}
