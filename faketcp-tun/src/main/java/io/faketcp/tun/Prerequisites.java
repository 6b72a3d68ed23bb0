package io.faketcp.tun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks, once per JVM, whether this process can create tun devices, and whether it is in a
 * private network namespace.
 *
 * <pre>{@code
 * Prerequisites.missing().ifPresent(why -> System.err.println("faketcp cannot run: " + why));
 * }</pre>
 *
 * <p>The system property {@code faketcp.privateNamespace=required} (set by faketcp's own build)
 * makes {@link TunDevice.Builder#open()} refuse to create a device in the machine's main network
 * namespace. The namespace is "main" when {@code /proc/self/ns/net} is the namespace of pid 1; where
 * pid 1's link cannot be read, the namespace is private only if it is the one
 * {@code bin/faketcp-netns} made (it exports it as {@code FAKETCP_NETNS}).
 */
public final class Prerequisites {
  /** System property: {@code required} refuses tun devices outside a private network namespace. */
  public static final String PRIVATE_NAMESPACE_PROPERTY = "faketcp.privateNamespace";
  /**
   * System property set by the launcher ({@code bin/faketcp-netns}, faketcp-maven-plugin's) when it
   * could not make a namespace: the reason, naming the launcher.
   */
  public static final String NETNS_ERROR_PROPERTY = "faketcp.netns.error";
  private static final int CAP_NET_ADMIN = 12;

  private static volatile Optional<String> missing;

  private Prerequisites() {}

  /**
   * What is missing for creating tun devices here, as one line saying what and how to fix it; empty
   * when everything is in place. Computed once and cached.
   */
  public static Optional<String> missing() {
    Optional<String> result = missing;
    if (result == null) {
      result = Optional.ofNullable(check());
      missing = result;
    }
    return result;
  }

  /** Whether this process is in a network namespace other than the machine's main one. */
  public static boolean inPrivateNamespace() {
    return inPrivateNamespace(link("/proc/self/ns/net"), link("/proc/1/ns/net"), System.getenv("FAKETCP_NETNS"));
  }

  /**
   * The decision behind {@link #inPrivateNamespace()}, from the links {@code /proc/self/ns/net} and
   * {@code /proc/1/ns/net} (null when unreadable) and the launcher's {@code FAKETCP_NETNS}.
   */
  static boolean inPrivateNamespace(String self, String init, String launcher) {
    if (self != null && init != null) {
      return !self.equals(init);
    }
    return self != null && self.equals(launcher);
  }

  /** Why {@link TunDevice.Builder#open()} must refuse here, if it must: the namespace guard. */
  static Optional<String> namespaceRefusal(boolean required, boolean inPrivateNamespace) {
    if (required && !inPrivateNamespace) {
      return Optional.of("refusing to create a tun device in the machine's main network namespace ("
          + PRIVATE_NAMESPACE_PROPERTY + "=required): run the JVM through bin/faketcp-netns");
    }
    return Optional.empty();
  }

  /** Whether the build demands a private namespace ({@code -Dfaketcp.privateNamespace=required}). */
  public static boolean privateNamespaceRequired() {
    return "required".equals(System.getProperty(PRIVATE_NAMESPACE_PROPERTY));
  }

  private static String check() {
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
      return "faketcp needs Linux (tun devices and network namespaces); this is " + os;
    }
    String netnsError = System.getProperty(NETNS_ERROR_PROPERTY);
    if (netnsError != null) {
      return netnsError;
    }
    Path tun = Path.of("/dev/net/tun");
    if (!Files.exists(tun)) {
      return "/dev/net/tun is missing: load the driver with 'sudo modprobe tun'"
          + " (in a container, run it with --device /dev/net/tun --cap-add NET_ADMIN)";
    }
    if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
      return "/dev/net/tun is not readable and writable by this user (a user namespace does not change"
          + " that): run as root (sudo), or let users open it: sudo chmod 0666 /dev/net/tun";
    }
    if (!hasNetAdmin()) {
      return "this process lacks CAP_NET_ADMIN, needed to create and configure a tun device: run as root"
          + " (sudo), or through bin/faketcp-netns (unshare --user --map-root-user --net)";
    }
    if (privateNamespaceRequired() && !inPrivateNamespace()) {
      return "refusing to create tun devices in the machine's main network namespace"
          + " (-D" + PRIVATE_NAMESPACE_PROPERTY + "=required): run the JVM through bin/faketcp-netns";
    }
    return null;
  }

  private static boolean hasNetAdmin() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          return (caps & (1L << CAP_NET_ADMIN)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return true; // cannot tell: let the ioctl say so with its own error
    }
    return true;
  }

  private static String link(String path) {
    try {
      return Files.readSymbolicLink(Path.of(path)).toString();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
