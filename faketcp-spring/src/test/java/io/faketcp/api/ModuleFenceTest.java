package io.faketcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.spring.ContextFakeNetwork;
import io.faketcp.tun.TunDevice;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module fence: faketcp-tun, faketcp-junit and faketcp-spring export exactly the packages of their
 * API listings ({@code api/*.api}), an {@code internal} package is exported or opened only to a named
 * faketcp module (or to JNA, which reflects over native structures), and code in another module can
 * reach the API but not {@code internal}. The tests run on the class path; this one also runs faketcp
 * on the module path, with JNA, in a JVM of its own.
 */
class ModuleFenceTest {
  private static final Path API = Path.of("..", "api");
  private static final Pattern LISTED_TYPE =
      Pattern.compile("^public .*?(?:class|interface|enum|record|@interface) ((?:[a-z][a-z0-9]*\\.)+)[A-Z]",
          Pattern.MULTILINE);
  /** The jars a module requiring io.faketcp.junit needs, by the start of their file names. */
  private static final List<String> JUNIT_MODULE_DEPENDENCIES = List.of("jna-", "pcap4j-core-", "slf4j-api-",
      "junit-jupiter-api-", "junit-platform-commons-", "opentest4j-", "apiguardian-api-", "assertj-core-",
      "byte-buddy-");

  @Test
  void eachModuleExportsExactlyThePackagesOfItsApiListing() throws IOException {
    assertThat(unqualifiedExports(TunDevice.class)).isEqualTo(listedPackages("faketcp-tun.api"));
    assertThat(unqualifiedExports(FakeNetworkExtension.class)).isEqualTo(listedPackages("faketcp-junit.api"));
    assertThat(unqualifiedExports(ContextFakeNetwork.class)).isEqualTo(listedPackages("faketcp-spring.api"));
  }

  @Test
  void internalPackagesAreExportedAndOpenedOnlyToNamedModules() {
    for (Class<?> anchor : List.of(TunDevice.class, FakeNetworkExtension.class, ContextFakeNetwork.class)) {
      ModuleDescriptor d = descriptor(anchor);
      for (ModuleDescriptor.Exports e : d.exports()) {
        if (e.source().contains(".internal")) {
          assertThat(e.isQualified()).as("%s exports %s to everyone", d.name(), e.source()).isTrue();
          assertThat(e.targets()).as("%s exports %s", d.name(), e.source()).allMatch(t -> t.startsWith("io.faketcp."));
        }
      }
      for (ModuleDescriptor.Opens o : d.opens()) {
        assertThat(o.isQualified()).as("%s opens %s to everyone", d.name(), o.source()).isTrue();
      }
      assertThat(d.isOpen()).as("%s is an open module", d.name()).isFalse();
      Set<String> internal = d.packages().stream().filter(p -> p.contains(".internal")).collect(Collectors.toSet());
      assertThat(internal).as("%s's internal packages are not exported to everyone", d.name())
          .doesNotContainAnyElementsOf(unqualifiedExports(anchor));
    }
  }

  /** Built on JDK 18 or later, faketcp-tun's jar holds a release 18 descriptor with the resolver provider. */
  @Test
  void theRelease18DescriptorAddsTheResolverProviderOnly() throws IOException {
    Path tun = location(TunDevice.class);
    Optional<byte[]> versioned = read(tun, "META-INF/versions/18/module-info.class");
    if (versioned.isEmpty()) {
      assertThat(read(tun, "io/faketcp/dns/internal/JdkResolverProvider.class"))
          .as("a resolver provider without a release 18 descriptor (built on JDK 18+ but not a multi-release jar?)")
          .isEmpty();
      return;
    }
    assumeTrue(Runtime.version().feature() >= 18, "a release 18 descriptor is read on JDK 18 or later");
    // read from the entry itself: the JDK reads a multi-release jar's descriptor of its own release
    ModuleDescriptor base = ModuleDescriptor.read(java.nio.ByteBuffer.wrap(read(tun, "module-info.class").orElseThrow()));
    ModuleDescriptor v18 = ModuleDescriptor.read(java.nio.ByteBuffer.wrap(versioned.get()));
    assertThat(v18.provides()).extracting(ModuleDescriptor.Provides::service)
        .containsExactly("java.net.spi.InetAddressResolverProvider");
    assertThat(v18.name()).isEqualTo(base.name());
    assertThat(requires(v18)).isEqualTo(requires(base)); // but for the release java.base was compiled for
    assertThat(v18.exports()).isEqualTo(base.exports());
    assertThat(v18.opens()).isEqualTo(base.opens());
    assertThat(base.provides()).isEmpty();
  }

  @Test
  void anotherModuleReachesTheApiButNotInternal(@TempDir Path dir) throws IOException {
    String api = compile(dir.resolve("api"), "import io.faketcp.junit5.FakeNetworkExtension;\n"
        + "import io.faketcp.tun.TunDevice;\n"
        + "public final class User { Object o = FakeNetworkExtension.newInstance(); Object t = TunDevice.builder(); }\n");
    assertThat(api).as("compiling against the API").isEmpty();

    String junitInternal = compile(dir.resolve("junit"),
        "public final class User { Object o = io.faketcp.junit5.internal.RunningNetwork.class; }\n");
    assertThat(junitInternal).contains("io.faketcp.junit5.internal").contains("does not export");

    String tunInternal = compile(dir.resolve("tun"),
        "public final class User { Object o = io.faketcp.tun.internal.DeviceAccess.class; }\n");
    assertThat(tunInternal).contains("io.faketcp.tun.internal").contains("does not export");
  }

  /** JNA's structures, the peer and the kernel's sockets, with faketcp-tun as a named module. */
  @Test
  void faketcpRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    String errors = compile(out, "public final class User {\n"
        + "  public static void main(String[] args) throws Exception {\n"
        + "    try (io.faketcp.tun.TunDevice tun = io.faketcp.tun.TunDevice.builder()\n"
        + "            .subnet(io.faketcp.tun.Subnet.parse(\"192.168.77.0/24\")).open();\n"
        + "        io.faketcp.peer.FakePeer peer = io.faketcp.peer.FakePeer.builder(tun).start();\n"
        + "        java.net.Socket socket = new java.net.Socket()) {\n"
        + "      socket.connect(new java.net.InetSocketAddress(\"192.168.77.5\", 80), 5000);\n"
        + "      System.out.println(\"connected in \" + io.faketcp.tun.TunDevice.class.getModule());\n"
        + "    }\n"
        + "  }\n"
        + "}\n");
    assertThat(errors).isEmpty();
    String modulePath = String.join(File.pathSeparator, out.toString(), location(TunDevice.class).toString(),
        location(FakeNetworkExtension.class).toString(), String.join(File.pathSeparator, dependencies()));
    Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", modulePath, "--module", "fence.user/fence.user.User")
        .redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).as("the JVM on the module path said").contains("connected in module io.faketcp.tun");
    assertThat(java.exitValue()).as(output).isZero();
  }

  // ---- helpers ----

  /** Compiles {@code body} as class {@code fence.user.User} of module {@code fence.user}; the errors, or "". */
  private static String compile(Path out, String body) throws IOException {
    Path src = out.resolveSibling(out.getFileName() + "-src");
    Files.createDirectories(src.resolve("fence/user"));
    Files.createDirectories(out);
    Files.writeString(src.resolve("module-info.java"), "module fence.user { requires io.faketcp.junit; }\n");
    Files.writeString(src.resolve("fence/user/User.java"), "package fence.user;\n" + body);
    List<String> modulePath = new ArrayList<>(List.of(location(TunDevice.class).toString(),
        location(FakeNetworkExtension.class).toString()));
    modulePath.addAll(dependencies());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    // an explicit class path: javac in this JVM would otherwise take this test's, where everything is visible
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--class-path", out.toString(), "--module-path",
        String.join(File.pathSeparator, modulePath), "-proc:none"));
    args.add(src.resolve("module-info.java").toString());
    args.add(src.resolve("fence/user/User.java").toString());
    int status = javac.run(null, errors, errors, args.toArray(new String[0]));
    return status == 0 ? "" : errors.toString(StandardCharsets.UTF_8);
  }

  /** The jars of the test class path that faketcp-junit needs as modules. */
  private static List<String> dependencies() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> p.endsWith(".jar") && JUNIT_MODULE_DEPENDENCIES.stream()
            .anyMatch(prefix -> Path.of(p).getFileName().toString().startsWith(prefix)))
        .collect(Collectors.toList());
  }

  private static Set<String> requires(ModuleDescriptor d) {
    return d.requires().stream().map(r -> r.modifiers() + " " + r.name()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> unqualifiedExports(Class<?> anchor) {
    return descriptor(anchor).exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The packages of the types {@code file} lists. */
  private static Set<String> listedPackages(String file) throws IOException {
    Set<String> packages = new TreeSet<>();
    Matcher m = LISTED_TYPE.matcher(Files.readString(API.resolve(file), StandardCharsets.UTF_8));
    while (m.find()) {
      packages.add(m.group(1).substring(0, m.group(1).length() - 1));
    }
    return packages;
  }

  /** The module descriptor of {@code anchor}'s jar or classes directory (its base one). */
  private static ModuleDescriptor descriptor(Class<?> anchor) {
    Path location = location(anchor);
    Set<ModuleReference> found = ModuleFinder.of(location).findAll();
    assertThat(found).as("a module at %s", location).hasSize(1);
    ModuleDescriptor d = found.iterator().next().descriptor();
    assertThat(d.isAutomatic()).as("%s has a module descriptor", location).isFalse();
    return d;
  }

  private static Optional<byte[]> read(Path location, String entry) throws IOException {
    if (Files.isDirectory(location)) {
      Path p = location.resolve(entry);
      return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
    }
    try (JarFile jar = new JarFile(location.toFile())) {
      var e = jar.getJarEntry(entry);
      if (e == null) {
        return Optional.empty();
      }
      try (InputStream in = jar.getInputStream(e)) {
        return Optional.of(in.readAllBytes());
      }
    }
  }

  private static Path location(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
