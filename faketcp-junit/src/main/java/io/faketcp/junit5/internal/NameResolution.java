package io.faketcp.junit5.internal;

import io.faketcp.dns.FakeDns;
import java.net.Inet4Address;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Makes a network's fake DNS this JVM's, and says once where the JDK's resolver will not ask it: on
 * JDK 17 without faketcp's launcher (whose private mount namespace gets a resolv.conf pointing at it),
 * and wherever faketcp's resolver provider is missing (a faketcp-tun jar built on JDK 17).
 */
final class NameResolution {
  private static final System.Logger LOG = System.getLogger(NameResolution.class.getName());
  /** Set by faketcp's launcher (bin/faketcp-netns) when it gave the namespace a resolv.conf for the fake DNS. */
  static final String LAUNCHER_RESOLV_CONF = "FAKETCP_RESOLV_CONF";
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private NameResolution() {}

  static AutoCloseable activate(Inet4Address server, Predicate<String> declares) {
    String launcher = System.getenv(LAUNCHER_RESOLV_CONF);
    boolean viaLauncher = launcherNames(server);
    if (!WARNED.get() && !viaLauncher && !jdkAsksFakeDns() && WARNED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "the declared names are served by the fake DNS at {0}:53, but this JVM''s"
          + " InetAddress does not ask it: {1}{2}. Run the tests on JDK 18 or later, or through faketcp''s launcher"
          + " (faketcp-maven-plugin, bin/faketcp-netns) on the default subnet 192.168.0.0/24, whose resolv.conf"
          + " names 192.168.0.254; clients that speak DNS themselves may be pointed at {0}:53 directly.",
          server.getHostAddress(), reason(), launcher == null ? "" : " (the launcher''s resolv.conf names " + launcher + ")");
    }
    return FakeDns.activate(server, declares);
  }

  /** Whether the launcher's resolv.conf names {@code server} as this namespace's DNS. */
  static boolean launcherNames(Inet4Address server) {
    return server.getHostAddress().equals(System.getenv(LAUNCHER_RESOLV_CONF));
  }

  /** Whether faketcp's InetAddressResolverProvider is this JVM's resolver. */
  static boolean jdkAsksFakeDns() {
    if (Runtime.version().feature() < 18) {
      return false;
    }
    try {
      Class<?> spi = Class.forName("java.net.spi.InetAddressResolverProvider");
      for (Object provider : ServiceLoader.load(spi)) {
        if (provider.getClass().getName().equals("io.faketcp.dns.internal.JdkResolverProvider")) {
          return true;
        }
      }
    } catch (ClassNotFoundException | ServiceConfigurationError e) {
      return false;
    }
    return false;
  }

  private static String reason() {
    return Runtime.version().feature() < 18 ? "JDK " + Runtime.version().feature() + " has no resolver provider interface"
        : "faketcp-tun's resolver provider is missing from the class path (a jar built on JDK 17)";
  }
}
