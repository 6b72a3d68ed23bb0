package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every forked test JVM checks about itself. */
final class PrivateNamespaceChecks {
  private PrivateNamespaceChecks() {}

  static void check() throws Exception {
    String self = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    // Maven started this JVM (the launcher execs): its namespace is the one the build runs in.
    long maven = ProcessHandle.current().parent().orElseThrow().pid();
    String build = Files.readSymbolicLink(Path.of("/proc/" + maven + "/ns/net")).toString();
    assertNotEquals(build, self, "the test JVM runs in a network namespace of its own, not Maven's");
    assertEquals(self, System.getenv("FAKETCP_NETNS"), "the launcher exports the namespace it made");
    assertEquals(null, System.getProperty("faketcp.netns.error"));
    assertEquals("kept", System.getProperty("it.argLine"), "Surefire's argLine still applies");
    assertEquals("kept", System.getenv("IT_ENV"), "Surefire's environmentVariables still apply");
    assertEquals(System.getProperty("java.home"), System.getenv("JAVA_HOME"), "JAVA_HOME is the real JDK");
    assertTrue(Files.readString(Path.of("target/faketcp/launcher.log")).contains("unshare --net (root or CAP_SYS_ADMIN)"),
        "the launcher logged the way it took");
    String reach = System.getenv("FAKETCP_REACH");
    assertTrue(reach != null && (reach.startsWith("loopback: pasta") || reach.startsWith("none: pasta is not installed")),
        "the launcher gave the default reach, or said why not: " + reach);
    if (Runtime.version().feature() >= 22) {
      Method enabled = Module.class.getMethod("isNativeAccessEnabled");
      assertTrue((Boolean) enabled.invoke(PrivateNamespaceChecks.class.getModule()), "native access on JDK 22+");
    }
  }
}
