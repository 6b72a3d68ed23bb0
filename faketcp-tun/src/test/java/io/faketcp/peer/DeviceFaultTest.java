package io.faketcp.peer;

import static io.faketcp.peer.FakePeerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.OpenAndWait;
import io.faketcp.tun.RequiresTun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults from outside the JVM: the interface deleted under a running peer (idle, and while traffic
 * flows), and the JVM killed with SIGKILL while it holds a device.
 */
@ExtendWith(RequiresTun.class)
@Timeout(30)
class DeviceFaultTest {

  @Test
  void deletingTheInterfaceUnderAnIdlePeerStopsItWithAClearError() throws Exception {
    PeerFixture f = new PeerFixture(Rules.of(Mode.ECHO));
    ipLinkDel(f.device.name());
    await(() -> !f.peer.isRunning(), "peer thread stopped");
    assertThat(f.peer.failure()).hasValueSatisfying(t -> assertThat(t)
        .hasMessageContaining(f.device.name()).hasMessageContaining("deleted from outside"));
    assertThat(f.peer.counters().failures()).isEqualTo(1);
    assertClosesAtOnce(f);
  }

  @Test
  void deletingTheInterfaceWhileTrafficFlowsStopsThePeerWithAClearError() throws Exception {
    PeerFixture f = new PeerFixture(Rules.of(Mode.DISCARD));
    PeerFixture.Flood flood = f.flood(5);
    Socket socket = flood.socket;
    Thread writer = flood.writer;
    ipLinkDel(f.device.name());
    await(() -> !f.peer.isRunning(), "peer thread stopped");
    assertThat(f.peer.failure()).hasValueSatisfying(t -> assertThat(t).hasMessageContaining("deleted from outside"));
    socket.close();
    writer.join(5000);
    assertThat(writer.isAlive()).isFalse();
    assertClosesAtOnce(f);
  }

  @Test
  void aJvmKilledWithSigkillLeavesNoInterfaceBehind() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Started directly (not through bin/faketcp-netns): the child inherits this JVM's private namespace.
    Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
        System.getProperty("java.class.path"), "-Dfaketcp.privateNamespace=required", OpenAndWait.class.getName(),
        "10.88.0.0/24")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start(); // stdout: only the device name
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String name = out.readLine();
      assertThat(name).as("the child's device").isNotNull().startsWith("tun");
      Path sys = Path.of("/sys/class/net", name);
      assertThat(sys).exists();
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(137);
      await(() -> !Files.exists(sys), "interface " + name + " gone after the kill");
    } finally {
      child.destroyForcibly();
    }
  }

  private static void assertClosesAtOnce(PeerFixture f) {
    long start = System.nanoTime();
    f.close();
    assertThat((System.nanoTime() - start) / 1_000_000).as("close() after deletion, ms").isLessThan(1000);
    assertThat(f.device.isOpen()).isFalse();
  }

  private static void ipLinkDel(String name) throws Exception {
    Process p = new ProcessBuilder(List.of("ip", "link", "del", name)).inheritIO().start();
    assertThat(p.waitFor()).as("ip link del " + name).isZero();
  }
}
