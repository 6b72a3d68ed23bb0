package io.faketcp.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A test of the same project that uses a real service on the machine's loopback, without faketcp: the
 * Redis that .ci/run starts (any Redis on 127.0.0.1:6379 here). The plugin starts this JVM in a
 * private namespace too; reach (pasta) lets it connect. Skipped when no Redis answers, failed instead
 * with -Dcompat.requireServices=true (.ci/run).
 */
class MachineServiceTest {

  @Test
  void redisOnTheMachinesLoopbackAnswersFromTheTestNamespace() throws IOException {
    int port = Integer.getInteger("compat.redisPort", 6379);
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      } catch (IOException e) {
        String why = "no Redis on 127.0.0.1:" + port + " from the test JVM (" + e.getMessage() + "; reach: "
            + System.getenv("FAKETCP_REACH") + ")";
        if (Boolean.getBoolean("compat.requireServices")) {
          Assertions.fail(why);
        }
        Assumptions.abort(why);
      }
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      assertThat(answer).isEqualTo("+PONG");
    }
  }
}
