package io.faketcp.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher home and the launcher's ways, run for real. The "java" it starts is a script that
 * prints its network namespace, environment and arguments. This test JVM itself runs in a private
 * namespace (the build's launcher), so the namespaces the launcher makes are nested in it.
 */
class LauncherHomeTest {
  @TempDir
  Path dir;

  @Test
  void writesAJdkShapedHomeAroundTheRealJava() throws Exception {
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
    Path jdk = Path.of("target", "launcher-home-test", "jdk").toAbsolutePath(); // links out of it: not a @TempDir
    LauncherHome home = LauncherHome.write(jdk, realJava, LauncherHome.WAYS, "none", jdk.resolveSibling("launcher.log"));

    assertThat(home.launcher()).isEqualTo(jdk.resolve("bin/java")).isExecutable();
    assertThat(Files.readString(home.launcher())).contains("java='" + realJava.toRealPath() + "'")
        .doesNotContain("@JAVA@", "@OPTIONS@", "@WAYS@");
    assertThat(jdk.resolve("release")).hasSameTextualContentAs(Path.of(System.getProperty("java.home"), "release"));
    assertThat(Files.isSymbolicLink(jdk.resolve("lib"))).isTrue();
    assertThat(jdk.resolve("bin/javac")).isExecutable();
    assertThat(home.featureVersion()).isEqualTo(Runtime.version().feature());
  }

  @Test
  void rewritingReplacesTheOldHome() throws Exception {
    Path fake = fakeJdk("17.0.15");
    LauncherHome.write(dir.resolve("jdk"), fake, LauncherHome.WAYS, "none", dir.resolve("launcher.log"));
    Files.writeString(dir.resolve("jdk/stale"), "left by an older build");

    LauncherHome.write(dir.resolve("jdk"), fake, LauncherHome.WAYS, "none", dir.resolve("launcher.log"));

    assertThat(dir.resolve("jdk/stale")).doesNotExist();
    assertThat(dir.resolve("jdk/bin/java")).isExecutable();
  }

  @Test
  void unshareStartsJavaInANewNetworkNamespaceAndLogsIt() throws Exception {
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of("unshare"), "none", dir.resolve("launcher.log"));

    Map<String, String> seen = run(home, Map.of(), "-Xmx64m", "-cp", "x", "Main");

    assertThat(seen.get("netns")).isNotEqualTo(ownNamespace());
    assertThat(seen.get("FAKETCP_NETNS")).isEqualTo(seen.get("netns"));
    assertThat(seen.get("args")).isEqualTo("-Xmx64m -cp x Main");
    assertThat(Files.readString(dir.resolve("launcher.log"))).contains("unshare --net (root or CAP_SYS_ADMIN)");
    assertThat(home.probe()).isEqualTo("way: unshare --net (root or CAP_SYS_ADMIN)\nreach: none: reach none was asked");
  }

  @Test
  void userNamespaceWayStartsJavaAsRootOfItsOwnUserNamespace() throws Exception {
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("21.0.2"), List.of("userns"), "none", dir.resolve("launcher.log"));

    Map<String, String> seen = run(home, Map.of(), "Main");

    assertThat(seen.get("netns")).isNotEqualTo(ownNamespace());
    assertThat(seen.get("userns")).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString());
    assertThat(seen.get("uid")).isEqualTo("0");
    assertThat(home.probe()).startsWith("way: unshare --user --map-root-user --net");
  }

  @Test
  void containerWayKeepsTheNamespaceItIsIn() throws Exception {
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of("container"), "none", dir.resolve("launcher.log"));

    Map<String, String> seen = run(home, Map.of("container", "docker"), "Main");

    assertThat(seen.get("netns")).isEqualTo(ownNamespace());
    assertThat(seen.get("FAKETCP_NETNS")).isEqualTo(ownNamespace());
    assertThat(seen.get("args")).isEqualTo("Main");
  }

  @Test
  void withoutAWayJavaStartsWithEveryReasonAndItsFix() throws Exception {
    // As root, sudo adds nothing; an unknown way is named as such.
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of("sudo"), "none", dir.resolve("launcher.log"));

    Map<String, String> seen = run(home, Map.of("FAKETCP_NETNS_WAYS", "sudo teleport"), "Main");

    assertThat(seen.get("netns")).isEqualTo(ownNamespace());
    assertThat(seen.get("args")).startsWith("-Dfaketcp.netns.error=no private network namespace for the test JVM")
        .contains("sudo -n unshare --net: already root, sudo adds nothing")
        .contains("teleport: unknown way (known: unshare sudo userns container)")
        .endsWith(" Main");
    assertThat(home.probe()).startsWith("none: no private network namespace");
  }

  @Test
  void jdk22AndLaterGetNativeAccess() throws Exception {
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("25.0.1"), List.of("unshare"), "none", dir.resolve("launcher.log"));

    assertThat(home.featureVersion()).isEqualTo(25);
    assertThat(run(home, Map.of(), "Main").get("args")).isEqualTo("--enable-native-access=ALL-UNNAMED Main");
  }

  @Test
  void javaHomeOfTheLauncherBecomesTheRealJdksAndAnyOtherStays() throws Exception {
    Path fake = fakeJdk("17.0.15");
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fake, List.of("unshare"), "none", dir.resolve("launcher.log"));

    assertThat(run(home, Map.of("JAVA_HOME", dir.resolve("jdk").toString()), "Main").get("JAVA_HOME"))
        .isEqualTo(fake.getParent().getParent().toString());
    assertThat(run(home, Map.of("JAVA_HOME", "/opt/other"), "Main").get("JAVA_HOME")).isEqualTo("/opt/other");
  }

  @Test
  void badInputIsNamedWithItsFix() throws Exception {
    Path fake = fakeJdk("17.0.15");
    assertThatThrownBy(() -> LauncherHome.write(dir.resolve("jdk"), fake, List.of("unshare", "magic"), "none", dir.resolve("l.log")))
        .hasMessage("unknown way 'magic' in <ways>: expected some of unshare sudo userns container");
    assertThatThrownBy(() -> LauncherHome.write(dir.resolve("jdk"), dir.resolve("nowhere/bin/java"), LauncherHome.WAYS, "none", dir.resolve("l.log")))
        .hasMessageContaining("nowhere/bin/java does not exist or is not executable");
    Files.delete(fake.getParent().getParent().resolve("release"));
    assertThatThrownBy(() -> LauncherHome.write(dir.resolve("jdk"), fake, LauncherHome.WAYS, "none", dir.resolve("l.log")))
        .hasMessageContaining("no release file beside");
  }

  @Test
  void loopbackReachGivesTheMachinesLoopbackPortsAndNoRouteOut() throws Exception {
    Map<String, String> seen = withReach("unshare", "loopback", Map.of());

    assertThat(seen.get("netns")).isNotEqualTo(ownNamespace());
    assertThat(seen.get("gateway")).as("the service's port at 169.254.1.1").isEqualTo("connected");
    assertThat(seen.get("default")).as("no default route").isEmpty();
    assertThat(seen.get("fake")).as("a fake subnet without its tun device").contains("Network is unreachable");
    assertThat(Files.readString(dir.resolve("launcher.log"))).contains("reach: loopback: pasta");
  }

  @Test
  void userNamespaceWayGetsReachToo() throws Exception {
    Map<String, String> seen = withReach("userns", "loopback", Map.of());

    assertThat(seen.get("uid")).isEqualTo("0");
    assertThat(seen.get("default")).isEmpty();
  }

  @Test
  void allReachRoutesOutButKeepsThePrivateRangesUnreachable() throws Exception {
    // A network of "the machine" (this JVM's own namespace): the nested namespace gets a route to it.
    assertThat(System.getenv("FAKETCP_NETNS")).as("changes routes: only in this JVM's own namespace").isEqualTo(ownNamespace());
    ip("route", "add", "203.0.113.0/24", "dev", "lo");
    try {
      Map<String, String> seen = withReach("unshare", "all", Map.of());

      assertThat(seen.get("default")).contains("default via 169.254.1.1");
      assertThat(seen.get("fake")).as("a fake subnet without its tun device").contains("No route to host");
      assertThat(seen.get("machine")).as("the machine's network, so that a fake subnet over it is refused")
          .contains("203.0.113.0/24 via 169.254.1.1");
    } finally {
      ip("route", "del", "203.0.113.0/24", "dev", "lo");
    }
  }

  private static void ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", command, output).isZero();
  }

  @Test
  void noPacketToAFakeSubnetReachesPastaWhileTheLoopbackDoes() throws Exception {
    for (String reach : List.of("loopback", "all")) {
      Path pcap = dir.resolve("tap-" + reach + ".pcap");
      Path pasta = dir.resolve("pasta-with-pcap");
      Files.writeString(pasta, "#!/bin/sh\nexec pasta \"$@\" --pcap '" + pcap + "'\n");
      Files.setPosixFilePermissions(pasta, PosixFilePermissions.fromString("rwxr-xr-x"));

      Map<String, String> seen = withReach("unshare", reach, Map.of("FAKETCP_PASTA", pasta.toString(), "LEAK_CHECK", "1"));

      assertThat(seen.get("fake-subnets")).as("connects to fake subnets without their tun devices").isEqualTo("failed");
      List<String> destinations = ipv4Destinations(pcap);
      assertThat(destinations).as(reach + ": what reached pasta (the positive control: the machine's loopback)")
          .contains("169.254.1.1")
          .noneMatch(d -> d.startsWith("192.168.") || d.startsWith("10.") || d.matches("172\\.(1[6-9]|2\\d|3[01])\\..*"));
    }
  }

  /**
   * Runs the fake java through {@code way} with {@code reach}, a service listening on this JVM's
   * loopback (its namespace is "the machine" for the nested one); checks what every reach gives:
   * the outcome in FAKETCP_REACH and the probe, and the service's port on the namespace's 127.0.0.1.
   */
  private Map<String, String> withReach(String way, String reach, Map<String, String> env) throws Exception {
    assumePasta();
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of(way), reach, dir.resolve("launcher.log"));
      Map<String, String> all = new java.util.HashMap<>(env);
      all.put("SERVICE_PORT", Integer.toString(service.getLocalPort()));

      Map<String, String> seen = run(home, all, "Main");

      assertThat(seen.get("FAKETCP_REACH")).startsWith(reach + ": pasta");
      assertThat(seen.get("localhost")).as("the service's port on the namespace's 127.0.0.1").isEqualTo("connected");
      assertThat(home.probe()).contains("\nreach: " + reach + ": pasta");
      return seen;
    }
  }

  @Test
  void withoutPastaTheReachSaysWhatToInstall() throws Exception {
    LauncherHome home = LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of("unshare"), "loopback", dir.resolve("launcher.log"));

    Map<String, String> seen = run(home, Map.of("FAKETCP_PASTA", "/nonexistent/pasta"), "Main");

    assertThat(seen.get("FAKETCP_REACH")).isEqualTo("none: pasta is not installed (Debian/Ubuntu: apt-get install passt; Fedora: dnf install passt)");
    assertThatThrownBy(() -> LauncherHome.write(dir.resolve("jdk"), fakeJdk("17.0.15"), List.of("unshare"), "everything", dir.resolve("l.log")))
        .hasMessage("unknown reach 'everything' in <reach>: expected one of none loopback all");
  }

  @Test
  void readsTheFeatureVersionOfEveryReleaseFileFormat() throws IOException {
    assertThat(LauncherHome.featureVersion("IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n", dir)).isEqualTo(25);
    assertThat(LauncherHome.featureVersion("JAVA_VERSION=\"17.0.15\"", dir)).isEqualTo(17);
    assertThat(LauncherHome.featureVersion("JAVA_VERSION=\"1.8.0_392\"", dir)).isEqualTo(8);
    assertThat(LauncherHome.featureVersion("JAVA_VERSION=\"22\"", dir)).isEqualTo(22);
    assertThatThrownBy(() -> LauncherHome.featureVersion("MODULES=\"java.base\"", Path.of("/x/release")))
        .hasMessage("no JAVA_VERSION in /x/release: not a JDK's release file");
  }

  /** A JDK whose java prints what the launcher gave it, one key=value a line. */
  private Path fakeJdk(String version) throws IOException {
    Path jdk = Files.createDirectories(dir.resolve("fake-jdk-" + version));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "echo \"netns=$(readlink /proc/self/ns/net)\"\n"
        + "echo \"userns=$(readlink /proc/self/ns/user)\"\n"
        + "echo \"uid=$(id -u)\"\n"
        + "echo \"FAKETCP_NETNS=${FAKETCP_NETNS:-}\"\n"
        + "echo \"JAVA_HOME=${JAVA_HOME:-}\"\n"
        + "echo \"FAKETCP_REACH=${FAKETCP_REACH:-}\"\n"
        + "echo \"args=$*\"\n"
        + "if [ -n \"${SERVICE_PORT:-}\" ]; then\n"
        + "  for at in localhost:127.0.0.1 gateway:169.254.1.1; do\n"
        + "    timeout 5 bash -c \"exec 3<>/dev/tcp/${at#*:}/$SERVICE_PORT\" 2>/dev/null && echo \"${at%%:*}=connected\" || echo \"${at%%:*}=failed\"\n"
        + "  done\n"
        + "  echo \"default=$(ip route show default)\"\n"
        + "  echo \"fake=$(ip route get 192.168.0.5 2>&1 | head -n 1)\"\n"
        + "  echo \"machine=$(ip route show 203.0.113.0/24)\"\n"
        + "fi\n"
        + "if [ -n \"${LEAK_CHECK:-}\" ]; then\n"
        + "  leaked=failed\n"
        + "  for a in 192.168.0.5 10.1.2.3 172.16.0.9; do\n"
        + "    timeout 2 bash -c \"exec 3<>/dev/tcp/$a/80\" 2>/dev/null && leaked=connected\n"
        + "    bash -c \"echo x >/dev/udp/$a/9\" 2>/dev/null\n"
        + "  done\n"
        + "  echo \"fake-subnets=$leaked\"\n"
        + "fi\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return java;
  }

  /** The IPv4 destinations of the Ethernet frames in a pcap file (as pasta writes them: little-endian, link type 1). */
  private static List<String> ipv4Destinations(Path pcap) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(pcap)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).as("pcap magic").isIn(0xa1b2c3d4, 0xa1b23c4d);
    List<String> destinations = new ArrayList<>();
    int at = 24;
    while (at + 16 <= b.limit()) {
      int length = b.getInt(at + 8);
      int frame = at + 16;
      if (length >= 34 && (b.get(frame + 12) & 0xff) == 0x08 && b.get(frame + 13) == 0) {
        destinations.add((b.get(frame + 30) & 0xff) + "." + (b.get(frame + 31) & 0xff) + "."
            + (b.get(frame + 32) & 0xff) + "." + (b.get(frame + 33) & 0xff));
      }
      at = frame + length;
    }
    return destinations;
  }

  private static void assumePasta() {
    org.junit.jupiter.api.Assumptions.assumeTrue(onPath("pasta") || System.getenv("CI") != null,
        "pasta is not installed (apt-get install passt): reach cannot be tested");
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> run(LauncherHome home, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(home.launcher().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("FAKETCP_NETNS");
    builder.environment().remove("container");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    assertThat(process.exitValue()).as("launcher exit status; output:%n%s", output).isZero();
    Map<String, String> seen = new java.util.HashMap<>();
    for (String line : output.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return seen;
  }

  private static String ownNamespace() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
  }
}
