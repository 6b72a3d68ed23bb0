package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.samples.SelectorEchoClient.EchoTimeoutException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A selector-based NIO client against fake echo servers at .7, .8 and .9. */
@FakeNetwork(mode = Mode.ECHO, subnet = "10.40.0.0/24")
class SelectorEchoClientTest {

  @Test
  void getsEachServersPayloadBack(NetworkInfo net, Capture capture) throws Exception {
    Map<InetSocketAddress, byte[]> payloads = new LinkedHashMap<>();
    for (int host = 7; host <= 9; host++) {
      payloads.put(net.socketAddress(host, 7), randomBytes(64 * 1024, host));
    }

    Map<InetSocketAddress, byte[]> echoed = new SelectorEchoClient(Duration.ofSeconds(5)).exchange(payloads);

    CapturedPackets packets = capture.packets();
    for (InetSocketAddress server : payloads.keySet()) {
      byte[] sent = payloads.get(server);
      assertThat(echoed.get(server)).as("what %s echoed", server).isEqualTo(sent);
      assertThat(packets)
          .hasHandshakeWith(server)
          .hasBytesSentTo(server, sent.length)
          .hasBytesReceivedFrom(server, sent.length);
      assertThat(packets.conversationsWith(server)).singleElement()
          .satisfies(c -> assertThat(c.streamFromServer()).as("the bytes in the segments from %s", server)
              .isEqualTo(sent));
    }
  }

  @Test
  void namesTheServerThatNeverAnswered(NetworkInfo net, NetworkControl peer, Capture capture) {
    peer.rules(Rules.of(Mode.ECHO).with(Rule.forAddress(net.address(8), Mode.DROP)));
    Map<InetSocketAddress, byte[]> payloads = new LinkedHashMap<>();
    for (int host = 7; host <= 9; host++) {
      payloads.put(net.socketAddress(host, 7), randomBytes(1000, host));
    }

    long start = System.nanoTime();
    assertThatThrownBy(() -> new SelectorEchoClient(Duration.ofMillis(500)).exchange(payloads))
        .isInstanceOf(EchoTimeoutException.class)
        .hasMessage("no complete echo from 10.40.0.8:7 (connecting)");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofMillis(500 + 1500));
    assertThat(capture)
        .hasSynWithoutAnswer(net.socketAddress(8, 7))
        .hasBytesReceivedFrom(net.socketAddress(7, 7), 1000)
        .hasBytesReceivedFrom(net.socketAddress(9, 7), 1000);
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
