package io.faketcp.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;

/**
 * Goal {@code prepare}: every test JVM that Surefire or Failsafe forks starts in a private network
 * namespace, so faketcp's tun devices never touch a real network. Add the plugin, nothing else:
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>io.faketcp</groupId>
 *   <artifactId>faketcp-maven-plugin</artifactId>
 *   <version>...</version>
 *   <executions>
 *     <execution>
 *       <goals><goal>prepare</goal></goals>
 *     </execution>
 *   </executions>
 * </plugin>
 * }</pre>
 *
 * <p>It writes a JDK-shaped launcher home under {@code target/faketcp/jdk} (Surefire accepts only a
 * {@code <jvm>} ending in {@code bin/java} and reads the {@code release} file beside it) whose
 * {@code bin/java} starts the real java (the build's {@code jdk} toolchain, else the JDK running Maven)
 * through {@code unshare --net}, {@code sudo -n unshare --net} plus {@code setpriv}, {@code unshare
 * --user --map-root-user --net} or the container's own namespace, the first that works, and logs
 * which. Then it sets the project property {@code jvm}, which Surefire's and Failsafe's {@code <jvm>}
 * default to: their other settings ({@code argLine}, {@code environmentVariables}, ...) apply as
 * before. On JDK 22 and later the launcher adds {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Bound by default to {@code process-test-classes}, the last phase before {@code test}: the probe
 * runs only in builds that go on to run tests, after {@code clean}, and the property is set before
 * both Surefire ({@code test}) and Failsafe ({@code integration-test}) read it.
 */
@Mojo(name = "prepare", defaultPhase = LifecyclePhase.PROCESS_TEST_CLASSES, threadSafe = true)
public class PrepareMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  private MavenSession session;

  @Component
  private ToolchainManager toolchains;

  /** Where the launcher home is written; its {@code bin/java} is the launcher. */
  @Parameter(property = "faketcp.launcherHome", defaultValue = "${project.build.directory}/faketcp/jdk")
  private File launcherHome;

  /** One line per started test JVM: which way into a private namespace it took. */
  @Parameter(property = "faketcp.launcherLog", defaultValue = "${project.build.directory}/faketcp/launcher.log")
  private File launcherLog;

  /**
   * The java the launcher starts. Default: the {@code jdk} toolchain selected for the build
   * (maven-toolchains-plugin), else the JDK running Maven.
   */
  @Parameter(property = "faketcp.java")
  private File java;

  /**
   * The ways into a private network namespace, tried in this order: any of {@code unshare sudo userns
   * container}, separated by spaces. At run time the environment variable {@code FAKETCP_NETNS_WAYS}
   * overrides it.
   */
  @Parameter(property = "faketcp.ways", defaultValue = "unshare sudo userns container")
  private String ways;

  /**
   * What the test JVMs' private namespace reaches of the machine, given by pasta (package
   * {@code passt}): {@code none} (its own loopback and the fake subnets only), {@code loopback} (also
   * the machine's loopback: its TCP ports bound when a test JVM starts appear on the namespace's
   * {@code 127.0.0.1}, and every port of the machine's {@code 127.0.0.1} is at {@code 169.254.1.1}) or
   * {@code all} (also a default route to everything the machine reaches; the private ranges stay
   * unreachable). Fake subnets never leave the namespace. Where pasta is missing the tests run
   * without reach and the build log says what to install. At run time the environment variable
   * {@code FAKETCP_NETNS_REACH} overrides it.
   */
  @Parameter(property = "faketcp.reach", defaultValue = "loopback")
  private String reach;

  /** The project property set to the launcher; Surefire's and Failsafe's {@code <jvm>} read {@code jvm}. */
  @Parameter(property = "faketcp.propertyName", defaultValue = "jvm")
  private String propertyName;

  /** Skips the goal: test JVMs then start as Surefire starts them, in the current namespace. */
  @Parameter(property = "faketcp.skip", defaultValue = "false")
  private boolean skip;

  /** Skips the goal with the tests, as Surefire does ({@code -DskipTests}). */
  @Parameter(property = "skipTests", defaultValue = "false")
  private boolean skipTests;

  /** Skips the goal with the tests, as Surefire does ({@code -Dmaven.test.skip}). */
  @Parameter(property = "maven.test.skip", defaultValue = "false")
  private boolean testSkip;

  /** Creates the goal; Maven injects its parameters. */
  public PrepareMojo() {}

  @Override
  public void execute() throws MojoExecutionException {
    if (skip || skipTests || testSkip) {
      getLog().info("faketcp: skipped, test JVMs start without a private network namespace");
      return;
    }
    List<String> order = Arrays.stream(ways.trim().split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toList());
    LauncherHome home;
    try {
      home = LauncherHome.write(launcherHome.toPath(), realJava(), order, reach.trim(), launcherLog.toPath());
    } catch (IOException e) {
      throw new MojoExecutionException("faketcp: cannot write the test JVM launcher in " + launcherHome + ": " + e.getMessage(), e);
    }
    project.getProperties().setProperty(propertyName, home.launcher().toString());
    String probe;
    try {
      probe = home.probe();
    } catch (IOException e) {
      probe = "none: the launcher could not run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("faketcp: interrupted while probing the launcher", e);
    }
    String java = home.java() + " (Java " + home.featureVersion() + ")";
    if (probe.startsWith("way: ")) {
      String[] lines = probe.split("\n");
      getLog().info("faketcp: test JVMs (" + java + ") start in a private network namespace: "
          + lines[0].substring(5) + "; " + propertyName + "=" + home.launcher());
      String reached = lines.length > 1 ? lines[1].replaceFirst("^reach: ", "") : "none: the probe did not say";
      if (reach.trim().equals("none")) {
        getLog().info("faketcp: the test JVMs' namespace reaches nothing of the machine (<reach>none</reach>)");
      } else if (reached.startsWith("none: ")) {
        getLog().warn("faketcp: the test JVMs' namespace does not reach the machine's services (<reach> "
            + reach.trim() + "): " + reached.substring(6));
      } else {
        getLog().info("faketcp: the test JVMs' namespace reaches " + reached);
      }
    } else {
      getLog().warn("faketcp: test JVMs (" + java + ") will start without a private network namespace, and"
          + " faketcp's tests fail (or skip where asked) saying why: " + probe.replaceFirst("^none: ", ""));
    }
  }

  private Path realJava() throws MojoExecutionException {
    if (java != null) {
      return java.toPath();
    }
    Toolchain jdk = toolchains == null ? null : toolchains.getToolchainFromBuildContext("jdk", session);
    if (jdk != null) {
      String tool = jdk.findTool("java");
      if (tool == null) {
        throw new MojoExecutionException("faketcp: the jdk toolchain " + jdk + " has no java: fix toolchains.xml or set <java>");
      }
      getLog().info("faketcp: test JVMs use the toolchain's java " + tool);
      return Path.of(tool);
    }
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }
}
