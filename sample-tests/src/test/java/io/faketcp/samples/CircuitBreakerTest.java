package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  // tag::circuit-breaker[]
  @Test
  @FakeNetwork(mode = Mode.ECHO, faults = "unreachable=host@192.168.0.5:*")
  void opensAfterThreeUnreachableConnectsAndStopsTrying(NetworkInfo net, NetworkControl control) throws Exception {
    CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofMinutes(1), Clock.systemUTC());
    long start = System.nanoTime();
    for (int i = 0; i < 3; i++) {   // ICMP host unreachable: each connect fails at once
      assertThatThrownBy(() -> breaker.connect(net.socketAddress(5, 443), Duration.ofSeconds(5)))
          .isInstanceOf(NoRouteToHostException.class);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

    assertThatThrownBy(() -> breaker.connect(net.socketAddress(5, 443), Duration.ofSeconds(5)))
        .isInstanceOf(CircuitBreaker.OpenException.class);
    assertThat(control.faultActions().get(Fault.parse("unreachable=host@192.168.0.5:*")))
        .as("ICMP errors forged: the 4th call never reached the network").isEqualTo(3);
  }
  // end::circuit-breaker[]

  // tag::stalled-server[]
  @Test
  @FakeNetwork(mode = Mode.ECHO)
  void aReadTimeoutFreesTheCallerWhenTheServerStallsMidConversation(NetworkInfo net, NetworkControl control)
      throws Exception {
    try (Socket socket = new Socket(net.address(5), 7)) {
      socket.setSoTimeout(300);
      socket.getOutputStream().write("ping".getBytes());
      assertThat(socket.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());

      control.fault(Fault.parse("blackhole-after=0s"));   // from now on the server is silent
      socket.getOutputStream().write("ping".getBytes());
      long start = System.nanoTime();
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(1));
    }
  }
  // end::stalled-server[]
}
