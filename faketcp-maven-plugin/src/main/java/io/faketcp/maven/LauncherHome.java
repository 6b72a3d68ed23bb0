package io.faketcp.maven;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK-shaped directory whose {@code bin/java} is the launcher script: Surefire and Failsafe accept
 * only a {@code <jvm>} named {@code .../bin/java} and read the {@code release} file beside its
 * {@code bin}. Everything else of the real JDK (its other tools, {@code lib}, {@code conf}) is linked,
 * so the directory also works as a {@code JAVA_HOME}.
 */
final class LauncherHome {
  static final List<String> WAYS = List.of("unshare", "sudo", "userns", "container");
  static final List<String> REACHES = List.of("none", "loopback", "all");
  private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"?(1\\.)?(\\d+)", Pattern.MULTILINE);
  private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  private final Path home;
  private final Path java;
  private final int feature;

  private LauncherHome(Path home, Path java, int feature) {
    this.home = home;
    this.java = java;
    this.feature = feature;
  }

  /**
   * Writes the launcher home {@code home} for the real {@code java} executable (of a JDK with a
   * {@code release} file), replacing what an earlier build left there.
   */
  static LauncherHome write(Path home, Path java, List<String> ways, String reach, Path log) throws IOException {
    Path realJava = java.toAbsolutePath().normalize();
    if (!Files.isExecutable(realJava)) {
      throw new IOException("java executable " + realJava + " does not exist or is not executable:"
          + " set the plugin's <java> to a JDK's bin/java");
    }
    Path jdk = realJava.getParent() == null ? null : realJava.getParent().getParent();
    Path release = jdk == null ? null : jdk.resolve("release");
    if (release == null || !Files.isRegularFile(release)) {
      throw new IOException("no release file beside " + realJava + " (expected " + release + "): Surefire needs"
          + " it to know the Java version; point the plugin's <java> at the bin/java of a JDK 17 or later");
    }
    for (String way : ways) {
      if (!WAYS.contains(way)) {
        throw new IOException("unknown way '" + way + "' in <ways>: expected some of " + String.join(" ", WAYS));
      }
    }
    if (!REACHES.contains(reach)) {
      throw new IOException("unknown reach '" + reach + "' in <reach>: expected one of " + String.join(" ", REACHES));
    }
    int feature = featureVersion(Files.readString(release, StandardCharsets.UTF_8), release);
    Path target = home.toAbsolutePath().normalize();
    deleteRecursively(target);
    Path bin = Files.createDirectories(target.resolve("bin"));
    Files.copy(release, target.resolve("release"));
    link(jdk, target, "bin");
    link(jdk.resolve("bin"), bin, "java");
    String script = resource("launcher.sh")
        .replace("@JAVA@", quoted(realJava.toString()))
        .replace("@JAVA_HOME@", quoted(jdk.toString()))
        .replace("@LAUNCHER_HOME@", quoted(target.toString()))
        .replace("@LOG@", quoted(log.toAbsolutePath().normalize().toString()))
        .replace("@WAYS@", String.join(" ", ways))
        .replace("@REACH@", reach)
        .replace("@OPTIONS@", feature >= 22 ? NATIVE_ACCESS : "");
    Path launcher = bin.resolve("java");
    Files.writeString(launcher, script, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path reachScript = target.resolve("faketcp-reach");
    Files.writeString(reachScript, resource("faketcp-reach"), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(reachScript, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(log.toAbsolutePath().getParent());
    Files.deleteIfExists(log); // one build's starts
    return new LauncherHome(target, realJava, feature);
  }

  /** The launcher: what Surefire's {@code jvm} is set to. */
  Path launcher() {
    return home.resolve("bin").resolve("java");
  }

  /** The java executable the launcher starts. */
  Path java() {
    return java;
  }

  /** The Java feature version of that java (17, 21, 25...). */
  int featureVersion() {
    return feature;
  }

  /**
   * Asks the launcher which way it would take here and what the namespace reaches: {@code "way: ..."}
   * and a line {@code "reach: ..."}, or {@code "none: ..."} with every way tried and its fix. The way
   * found is taken for real, with the test JVM replaced by a shell printing what it would find.
   */
  String probe() throws IOException, InterruptedException {
    Process process = new ProcessBuilder(launcher().toString(), "--faketcp-probe")
        .redirectErrorStream(true)
        .start();
    byte[] output;
    try (InputStream in = process.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "none: the launcher's probe did not finish within 60 s";
    }
    String text = new String(output, StandardCharsets.UTF_8).trim();
    return text.isEmpty() ? "none: the launcher's probe printed nothing (exit status " + process.exitValue() + ")" : text;
  }

  static int featureVersion(String release, Path where) throws IOException {
    Matcher matcher = VERSION.matcher(release);
    if (!matcher.find()) {
      throw new IOException("no JAVA_VERSION in " + where + ": not a JDK's release file");
    }
    return Integer.parseInt(matcher.group(2));
  }

  /** Links every entry of {@code from} into {@code to} except {@code except} and what exists already. */
  private static void link(Path from, Path to, String except) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
      for (Path entry : entries) {
        Path name = entry.getFileName();
        Path link = to.resolve(name.toString());
        if (!name.toString().equals(except) && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, entry);
        }
      }
    }
  }

  private static String quoted(String value) {
    return value.replace("'", "'\\''");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = LauncherHome.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(name + " is missing from the faketcp-maven-plugin jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
