package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The reach that {@code bin/faketcp-netns} gives this build's own test JVMs (FAKETCP_NETNS_REACH
 * unset: loopback): pasta's interface, no default route, and an address of no fake subnet
 * unreachable at once, without a packet.
 */
class NetnsReachTest {

  @Test
  void theBuildsNamespaceReachesTheMachinesLoopbackAndNoRouteOut() throws Exception {
    boolean pasta = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "pasta")));
    Assumptions.assumeTrue(pasta || "true".equals(System.getenv("CI")),
        "pasta is not installed (apt-get install passt): this JVM's namespace has no reach");
    String asked = System.getenv("FAKETCP_NETNS_REACH");
    Assumptions.assumeTrue(asked == null || asked.equals("loopback"), "FAKETCP_NETNS_REACH=" + asked + " was asked");
    assertThat(System.getenv("FAKETCP_REACH")).as("set by bin/faketcp-netns").startsWith("loopback: pasta");
    assertThat(System.getenv("FAKETCP_MACHINE_LOOPBACK")).isEqualTo("169.254.1.1");
    assertThat(Path.of("/sys/class/net/reach0")).as("pasta's interface").exists();

    List<String> routes = Files.readAllLines(Path.of("/proc/net/route"));
    assertThat(routes.subList(1, routes.size())).as("routes of this namespace").noneMatch(r -> {
      String[] f = r.trim().split("\\s+");
      return f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000");
    });
    assertThatThrownBy(() -> new Socket("192.168.77.5", 80)).isInstanceOf(SocketException.class)
        .hasMessageContaining("Network is unreachable");
  }
}
