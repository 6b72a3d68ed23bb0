package io.faketcp.junit5.internal;

import io.faketcp.dns.Zone;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Responder;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A fake network's configuration, validated: every bad value is an
 * {@link ExtensionConfigurationException} naming where it was given ({@code @FakeNetwork(subnet = ...)}
 * or {@code FakeNetworkExtension.newInstance().subnet(...)}) and the value. Made by {@link #check} only;
 * internal, not part of faketcp's API.
 *
 * @param origin where the values were given, for messages
 * @param subnet the fake subnet; the host has its first address. On an IPv6-only network (given as
 *     {@code subnet = ""}) the IPv6 prefix, the same as {@code subnet6}: see {@link #ipv6Only()}
 * @param deviceName the tun device's name, or a pattern with {@code %d}
 * @param mtu the device's MTU
 * @param rules the peer's modes per address and port, and the default mode
 * @param responder sees every packet first; null for none
 * @param onFailure also told about failures of the peer; null for none
 * @param capture whether to capture with pcap
 * @param captureFilter a pcap filter expression, empty for none
 * @param captureLimit how many packets a capture keeps
 * @param captureSnapLength how many bytes of each packet a capture keeps
 * @param captureBudget how many bytes a capture keeps in all (whole packets, then headers only)
 * @param skipIfUnavailable skip instead of fail where the prerequisites are missing
 * @param names the declared names, served by a fake DNS server; empty for none (then no DNS server runs)
 * @param subnet6 the IPv6 prefix beside {@code subnet} (dual stack), or null for IPv4 only
 * @param seed the seed of the random faults, or null for {@code -Dfaketcp.seed}, else a random one
 */
public record Settings(Origin origin, Subnet subnet, String deviceName, int mtu, Rules rules, Responder responder,
    Consumer<Throwable> onFailure, boolean capture, String captureFilter, int captureLimit, int captureSnapLength,
    long captureBudget, boolean skipIfUnavailable, Zone names, Subnet subnet6, Long seed) {
  /** How a bad value is named in messages. */
  public enum Origin {
    /** {@code @FakeNetwork(attribute = value)}. */
    ANNOTATION,
    /** {@code FakeNetworkExtension.newInstance().attribute(value)}. */
    BUILDER,
    /** {@code @ContextFakeNetwork(attribute = value)}: faketcp-spring's network of an application context. */
    CONTEXT_ANNOTATION
  }

  /** The device's MTU unless given (the annotations cannot; {@code FakeNetworkExtension.Builder} starts here). */
  public static final int DEFAULT_MTU = 1500;
  /** How many packets a capture keeps unless given. */
  public static final int DEFAULT_CAPTURE_LIMIT = 100_000;
  /** How many bytes of each packet a capture keeps unless given: tcpdump's default, more than any packet on a tun. */
  public static final int DEFAULT_CAPTURE_SNAP_LENGTH = 262_144;
  /** The least snap length: an IPv4 header and a TCP header, both with the most options (60 + 60 bytes), and room. */
  public static final int MIN_CAPTURE_SNAP_LENGTH = 128;
  /**
   * How many bytes a capture keeps in all unless given (64 MiB): whole packets in its first three quarters
   * (about 33,000 of 1,500 bytes, or 750 of 65,535), then headers only.
   */
  public static final long DEFAULT_CAPTURE_BUDGET = 64L << 20;
  /** The least budget (1 MiB). */
  public static final long MIN_CAPTURE_BUDGET = 1L << 20;

  /** Names an attribute with its value as the user wrote it. */
  public static String describe(Origin origin, String attribute, Object value) {
    String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    switch (origin) {
      case ANNOTATION:
        return "@FakeNetwork(" + attribute + " = " + shown + ")";
      case CONTEXT_ANNOTATION:
        return "@ContextFakeNetwork(" + attribute + " = " + shown + ")";
      default:
        return "FakeNetworkExtension.newInstance()." + attribute + "(" + shown + ")";
    }
  }

  /** Where the fake DNS server of {@code subnet} answers: the subnet's last usable address (192.168.0.254 in a /24). */
  public static Inet4Address dnsAddress(Subnet subnet) {
    return subnet.address(subnet.usableAddresses());
  }

  /** Whether the network has no IPv4 subnet: then {@link #subnet()} is {@link #subnet6()}. */
  public boolean ipv6Only() {
    return subnet.isIpv6();
  }

  /** Whether the kernel picks the device's number ({@code %d} in the name). */
  public boolean namePattern() {
    return deviceName.contains("%d");
  }

  /** The part of the configuration that decides whether two devices are interchangeable. */
  DeviceKey deviceKey() {
    return new DeviceKey(subnet, subnet6, deviceName, mtu, capture);
  }

  @Override
  public String toString() {
    return "subnet " + subnet + (subnet6 == null ? "" : " and " + subnet6) + ", device " + deviceName + ", mtu " + mtu + ", rules " + rules + ", capture "
        + (capture ? "on" + (captureFilter.isEmpty() ? "" : " '" + captureFilter + "'") : "off");
  }

  /** What makes a prepared device reusable for another test. */
  record DeviceKey(Subnet subnet, Subnet subnet6, String name, int mtu, boolean capture) {
    @Override
    public String toString() {
      return name + " " + subnet + (subnet6 == null ? "" : " " + subnet6) + " mtu " + mtu + (capture ? " +capture" : "");
    }
  }

  /**
   * The seed of an annotation's {@code long[] seed()}: null for {}, the one value, or an error naming the
   * attribute for more.
   */
  public static Long seed(Origin origin, long[] seed) {
    if (seed.length > 1) {
      throw invalid(origin, "seed", Arrays.toString(seed).replace('[', '{').replace(']', '}'),
          "give one seed, e.g. seed = 42, or none for a random one");
    }
    return seed.length == 1 ? seed[0] : null;
  }

  /**
   * Checks every value as given, before anything is created, and makes the settings. The one place that
   * validates: the annotation readers pass an annotation's attributes (and {@link #DEFAULT_MTU},
   * {@link #DEFAULT_CAPTURE_LIMIT}, {@link #DEFAULT_CAPTURE_SNAP_LENGTH}, {@link #DEFAULT_CAPTURE_BUDGET} for
   * what it cannot say), {@code FakeNetworkExtension.Builder} passes its fields. A method rather than a shared builder: the public builder may not expose an internal
   * type, and faketcp-spring cannot reach package-private parts of {@code io.faketcp.junit5}.
   *
   * @param rules the rules given (their default mode wins over {@code mode}), or null for {@code mode} alone
   * @param faultSpecs faults as written ({@code faults = "latency=50ms"}); {@code seed=N} is read too, for compatibility
   * @param faults faults as values
   * @param hosts declarations in order: {@code NAME=RECORD} specs ({@code String}), or a name followed by
   *     its addresses ({@code String[]})
   * @param seed the seed, or null for {@code -Dfaketcp.seed}, else a random one
   * @param captureSnapLength bytes kept of each packet, {@link #MIN_CAPTURE_SNAP_LENGTH} to {@link #DEFAULT_CAPTURE_SNAP_LENGTH}
   * @param captureBudget bytes kept in all, at least {@link #MIN_CAPTURE_BUDGET}
   * @throws ExtensionConfigurationException naming the attribute, the value, why and what to do
   */
  public static Settings check(Origin origin, String subnet, String subnet6, String deviceName, int mtu, Mode mode,
      Rules rules, List<String> faultSpecs, List<Fault> faults, List<Object> hosts, Responder responder,
      Consumer<Throwable> onFailure, boolean capture, String captureFilter, int captureLimit, int captureSnapLength,
      long captureBudget, boolean skipIfUnavailable, Long seed) {
    Subnet prefix6 = subnet6(origin, subnet6, mtu);
    boolean ipv6Only = subnet != null && subnet.isBlank();
    if (ipv6Only && prefix6 == null) {
      throw invalid(origin, "subnet", subnet, "a network needs an IPv4 subnet, or an IPv6 prefix as subnet6 for an"
          + " IPv6-only one (e.g. subnet = \"\", subnet6 = \"fd00:fa:ce::/64\")");
    }
    Subnet subnet4 = ipv6Only ? null : subnet(origin, subnet);
    try {
      TunDevice.builder().name(deviceName);
    } catch (IllegalArgumentException e) {
      throw invalid(origin, "deviceName", deviceName, e.getMessage());
    }
    try {
      TunDevice.builder().mtu(mtu);
    } catch (IllegalArgumentException e) {
      throw invalid(origin, "mtu", mtu, e.getMessage());
    }
    if (mode == null) {
      throw invalid(origin, "mode", null, "a mode is required: REJECT, ACCEPT, DISCARD, ECHO or DROP");
    }
    Rules effective = rules == null ? Rules.of(mode) : rules;
    for (String spec : faultSpecs) {
      try {
        effective = effective.withFaults(spec); // reads seed=N too, for compatibility
      } catch (IllegalArgumentException e) {
        throw invalid(origin, "faults", spec, e.getMessage());
      }
    }
    for (Fault fault : faults) {
      if (fault == null) {
        throw invalid(origin, "fault", null, "give a Fault, e.g. Fault.parse(\"latency=50ms\")");
      }
      effective = effective.withFault(fault);
    }
    if (captureFilter == null) {
      throw invalid(origin, "captureFilter", null, "use \"\" for no filter");
    }
    if (captureLimit < 1) {
      throw invalid(origin, "captureLimit", captureLimit, "keep at least 1 packet, or turn capture off with capture(false)");
    }
    if (captureSnapLength < MIN_CAPTURE_SNAP_LENGTH || captureSnapLength > DEFAULT_CAPTURE_SNAP_LENGTH) {
      throw invalid(origin, "captureSnapLength", captureSnapLength, "keep " + MIN_CAPTURE_SNAP_LENGTH + " to "
          + DEFAULT_CAPTURE_SNAP_LENGTH + " bytes of each packet: at least " + MIN_CAPTURE_SNAP_LENGTH + " for the IP and"
          + " TCP headers with their options, at most " + DEFAULT_CAPTURE_SNAP_LENGTH + " (the default, tcpdump's), which"
          + " keeps whole packets");
    }
    if (captureBudget < MIN_CAPTURE_BUDGET) {
      throw invalid(origin, "captureBudget", captureBudget, "give at least " + MIN_CAPTURE_BUDGET + " bytes (1 MiB),"
          + " e.g. captureBudget(256L << 20) for 256 MiB; the default is " + DEFAULT_CAPTURE_BUDGET + " (64 MiB)");
    }
    if (!captureFilter.isEmpty() && !capture) {
      throw invalid(origin, "captureFilter", captureFilter, "capture is off: remove the filter or turn capture on");
    }
    if (ipv6Only) {
      if (!hosts.isEmpty()) {
        Object first = hosts.get(0);
        boolean spec = first instanceof String;
        throw invalid(origin, spec ? "hosts" : "host", spec ? first : String.join(", ", (String[]) first),
            "names are served on a network with an IPv4 subnet: the declared addresses are IPv4 ones, each"
                + " with its IPv6 twin; give the network both (dual stack)");
      }
      return new Settings(origin, prefix6, deviceName, mtu, effective, responder, onFailure, capture, captureFilter,
          captureLimit, captureSnapLength, captureBudget, skipIfUnavailable, new Zone(), prefix6, seed); // one subnet
    }
    Zone names = names(origin, hosts, subnet4);
    if (prefix6 != null) {
      names.ipv6(subnet4, prefix6);
      for (Inet4Address a : names.allAddresses()) {
        if (Subnet.toInt(a) - subnet4.networkInt() == 0xff) {
          throw invalid(origin, "subnet6", subnet6, "the declared address " + a.getHostAddress() + " would have the"
              + " IPv6 twin " + Ipv6Packet.toText((Inet6Address) prefix6.dnsAddress())
              + ", the fake DNS server's on IPv6: declare another fake host");
        }
      }
    }
    return new Settings(origin, subnet4, deviceName, mtu, effective, responder, onFailure, capture, captureFilter,
        captureLimit, captureSnapLength, captureBudget, skipIfUnavailable, names, prefix6, seed);
  }

  private static Subnet subnet(Origin origin, String text) {
    Subnet subnet;
    try {
      subnet = Subnet.parse(text);
    } catch (IllegalArgumentException e) {
      throw invalid(origin, "subnet", text, e.getMessage());
    }
    if (subnet.isIpv6()) {
      throw invalid(origin, "subnet", text, "this is an IPv6 prefix: give it as subnet6, beside the IPv4 subnet"
          + " for dual stack, or with subnet = \"\" for an IPv6-only network");
    }
    return subnet;
  }

  /** The IPv6 prefix of {@code text}, or null for IPv4 only (blank). */
  private static Subnet subnet6(Origin origin, String text, int mtu) {
    if (text == null) {
      throw invalid(origin, "subnet6", null, "use \"\" for IPv4 only");
    }
    if (text.isBlank()) {
      return null;
    }
    Subnet subnet6;
    try {
      subnet6 = Subnet.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw invalid(origin, "subnet6", text, e.getMessage());
    }
    if (!subnet6.isIpv6()) {
      throw invalid(origin, "subnet6", text, "this is an IPv4 subnet: give an IPv6 prefix such as fd00:fa:ce::/64");
    }
    if (mtu < Ipv6Packet.MINIMUM_MTU) {
      throw invalid(origin, "mtu", mtu, "IPv6 needs an MTU of at least " + Ipv6Packet.MINIMUM_MTU);
    }
    return subnet6;
  }

  /** The declared names, each checked: a host name, addresses of fake hosts in the subnet. */
  private static Zone names(Origin origin, List<Object> hosts, Subnet subnet) {
    Zone zone = new Zone();
    Inet4Address dns = dnsAddress(subnet);
    for (Object given : hosts) {
      boolean spec = !(given instanceof String[]);
      String[] entry = spec ? null : (String[]) given;
      String attribute = spec ? "hosts" : "host";
      // host(name, addresses...) is shown as written, each argument quoted
      Object shown = spec ? given : new StringBuilder("\"").append(String.join("\", \"", entry)).append('"');
      List<Inet4Address> before = zone.allAddresses();
      try {
        if (spec) {
          zone.add((String) given);
        } else {
          zone.host(entry[0], Arrays.copyOfRange(entry, 1, entry.length));
        }
      } catch (IllegalArgumentException e) {
        throw invalid(origin, attribute, shown, e.getMessage());
      }
      List<Inet4Address> added = new ArrayList<>(zone.allAddresses());
      added.removeAll(before);
      for (Inet4Address a : added) {
        if (!subnet.contains(a)) {
          throw invalid(origin, attribute, shown, "address " + a.getHostAddress() + " is outside the fake subnet "
              + subnet + ": give a fake host's address, e.g. " + subnet.address(5).getHostAddress());
        }
        if (a.equals(subnet.hostAddress()) || a.equals(dns)) {
          throw invalid(origin, attribute, shown, "address " + a.getHostAddress() + " is the "
              + (a.equals(dns) ? "fake DNS server's" : "host's (this machine's)") + ": give a fake host's address,"
              + " e.g. " + subnet.address(5).getHostAddress());
        }
      }
    }
    return zone;
  }

  private static ExtensionConfigurationException invalid(Origin origin, String attribute, Object value, String why) {
    return new ExtensionConfigurationException(describe(origin, attribute, value) + " is invalid: " + why);
  }
}
