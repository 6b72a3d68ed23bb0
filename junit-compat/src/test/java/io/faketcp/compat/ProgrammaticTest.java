package io.faketcp.compat;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One network for the class, from a static field, with a rule; each test starts with an empty capture. */
class ProgrammaticTest {
  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.31.0.0/24")
      .mode(Mode.ECHO)
      .rule(Rule.of("10.31.0.5", "*", Mode.REJECT))
      .build();

  @Test
  void echoesWhatItIsSent(NetworkInfo net) throws Exception {
    byte[] hello = "hello from JUnit".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket(net.address(9), 7)) {
      OutputStream out = socket.getOutputStream();
      out.write(hello);
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(hello.length)).isEqualTo(hello);
    }
    assertThat(network.capture())
        .hasHandshakeWith(net.socketAddress(9, 7))
        .hasBytesSentTo(net.socketAddress(9, 7), hello.length)
        .hasBytesReceivedFrom(net.socketAddress(9, 7), hello.length);
  }

  @Test
  void theRuleRefusesOneAddressAndTheCaptureStartsEmpty(NetworkInfo net) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket(net.address(5), 7))
        .hasMessageContaining("Connection refused");
    assertThat(network.capture()).hasResetFrom(net.address(5)).hasNoPacketTo(net.address(9));
  }
}
