package io.faketcp.junit5.internal;

import io.faketcp.dns.Zone;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Responder;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A fake network's configuration, validated: every bad value is an
 * {@link ExtensionConfigurationException} naming where it was given ({@code @FakeNetwork(subnet = ...)}
 * or {@code FakeNetworkExtension.newInstance().subnet(...)}) and the value. Made by {@link Builder#build()}
 * only; internal, not part of faketcp's API.
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
 * @param skipIfUnavailable skip instead of fail where the prerequisites are missing
 * @param names the declared names, served by a fake DNS server; empty for none (then no DNS server runs)
 * @param subnet6 the IPv6 prefix beside {@code subnet} (dual stack), or null for IPv4 only
 * @param seed the seed of the random faults, or null for {@code -Dfaketcp.seed}, else a random one
 */
public record Settings(Origin origin, Subnet subnet, String deviceName, int mtu, Rules rules, Responder responder,
    Consumer<Throwable> onFailure, boolean capture, String captureFilter, int captureLimit,
    boolean skipIfUnavailable, Zone names, Subnet subnet6, Long seed) {
  /** How a bad value is named in messages. */
  public enum Origin {
    /** {@code @FakeNetwork(attribute = value)}. */
    ANNOTATION,
    /** {@code FakeNetworkExtension.newInstance().attribute(value)}. */
    BUILDER,
    /** {@code @ContextFakeNetwork(attribute = value)}: faketcp-spring's network of an application context. */
    CONTEXT_ANNOTATION
  }

  /** A builder; {@link Builder#build()} validates. */
  public static Builder builder(Origin origin) {
    return new Builder(origin);
  }

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
   * Gives {@code b} the seed of an annotation's {@code long[] seed()}: none for {}, the one value, or an
   * error naming the attribute for more.
   */
  public static void seed(Builder b, long[] seed) {
    if (seed.length > 1) {
      throw b.invalid("seed", java.util.Arrays.toString(seed).replace('[', '{').replace(']', '}'),
          "give one seed, e.g. seed = 42, or none for a random one");
    }
    if (seed.length == 1) {
      b.seed(seed[0]);
    }
  }

  /** Collects values as given; {@link #build()} checks them. */
  public static final class Builder {
    private final Origin origin;
    private String subnetText = Subnet.DEFAULT.toString();
    private String subnet6Text = "";
    private String deviceName = "tun%d";
    private int mtu = 1500;
    private Mode mode = Mode.ACCEPT;
    private Rules rules;
    private Responder responder;
    private Consumer<Throwable> onFailure;
    private boolean capture = true;
    private String captureFilter = "";
    private int captureLimit = 100_000;
    private boolean skipIfUnavailable;
    private Long seed;
    private final List<String> faultSpecs = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    /** Declarations as given: {@code NAME=RECORD} specs, or a name with its addresses. */
    private final List<Object> hosts = new ArrayList<>();

    private Builder(Origin origin) {
      this.origin = origin;
    }

    /** Where the values come from, for messages. */
    public Origin origin() {
      return origin;
    }

    /** The subnet as given, not yet checked. */
    public String subnetText() {
      return subnetText;
    }

    /** Whether to skip where the prerequisites are missing, as given. */
    public boolean skipIfUnavailable() {
      return skipIfUnavailable;
    }

    /** The value of {@code subnet6} as given (empty: IPv4 only); {@link #build()} checks it. */
    public Builder subnet6(String subnet6) {
      this.subnet6Text = subnet6;
      return this;
    }

    /** The value of {@code subnet} as given; {@link #build()} checks it. */
    public Builder subnet(String subnet) {
      this.subnetText = subnet;
      return this;
    }

    /** The value of {@code deviceName} as given; {@link #build()} checks it. */
    public Builder deviceName(String name) {
      this.deviceName = name;
      return this;
    }

    /** The value of {@code mtu} as given; {@link #build()} checks it. */
    public Builder mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }

    /** The default mode; rules added so far keep their order and take it as their default. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      if (rules != null && mode != null) {
        rules = rules.withDefault(mode);
      }
      return this;
    }

    /** Fault specs as written ({@code @FakeNetwork(faults = ...)}), parsed and checked by {@link #build()}. */
    public Builder faults(String... specs) {
      faultSpecs.addAll(Arrays.asList(specs));
      return this;
    }

    /** Declarations in the annotation's notation ({@code @FakeNetwork(hosts = ...)}), checked by {@link #build()}. */
    public Builder hosts(String... specs) {
      hosts.addAll(Arrays.asList(specs));
      return this;
    }

    /** A name with its addresses in order, as given; {@link #build()} checks them. */
    public Builder host(String name, String... addresses) {
      String[] entry = new String[1 + (addresses == null ? 0 : addresses.length)];
      entry[0] = name;
      if (addresses != null) {
        System.arraycopy(addresses, 0, entry, 1, addresses.length);
      }
      hosts.add(entry);
      return this;
    }

    /** The seed of the random faults. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** A fault for every fake host (or those of its {@code @ADDRESSES:PORTS}). */
    public Builder fault(Fault fault) {
      faults.add(fault);
      return this;
    }

    /** Adds a rule after those given so far (first match wins). */
    public Builder rule(Rule rule) {
      rules = (rules == null ? Rules.of(mode == null ? Mode.ACCEPT : mode) : rules).with(rule);
      return this;
    }

    /** Replaces the rules and, with them, the default mode. */
    public Builder rules(Rules rules) {
      this.rules = rules;
      return this;
    }

    /** The value of {@code responder} as given; {@link #build()} checks it. */
    public Builder responder(Responder responder) {
      this.responder = responder;
      return this;
    }

    /** The value of {@code onFailure} as given; {@link #build()} checks it. */
    public Builder onFailure(Consumer<Throwable> onFailure) {
      this.onFailure = onFailure;
      return this;
    }

    /** The value of {@code capture} as given; {@link #build()} checks it. */
    public Builder capture(boolean capture) {
      this.capture = capture;
      return this;
    }

    /** The value of {@code captureFilter} as given; {@link #build()} checks it. */
    public Builder captureFilter(String filter) {
      this.captureFilter = filter;
      return this;
    }

    /** The value of {@code captureLimit} as given; {@link #build()} checks it. */
    public Builder captureLimit(int limit) {
      this.captureLimit = limit;
      return this;
    }

    /** The value of {@code skipIfUnavailable} as given; {@link #build()} checks it. */
    public Builder skipIfUnavailable(boolean skip) {
      this.skipIfUnavailable = skip;
      return this;
    }

    /** The capture flag as given. */
    public boolean capture() {
      return capture;
    }

    /** Checks every value, before anything is created. */
    public Settings build() {
      if (subnet6Text == null) {
        throw invalid("subnet6", null, "use \"\" for IPv4 only");
      }
      boolean ipv6Only = subnetText != null && subnetText.isBlank();
      if (ipv6Only && subnet6Text.isBlank()) {
        throw invalid("subnet", subnetText, "a network needs an IPv4 subnet, or an IPv6 prefix as subnet6 for an"
            + " IPv6-only one (e.g. subnet = \"\", subnet6 = \"fd00:fa:ce::/64\")");
      }
      Subnet subnet = null;
      if (!ipv6Only) {
        try {
          subnet = Subnet.parse(subnetText);
        } catch (IllegalArgumentException e) {
          throw invalid("subnet", subnetText, e.getMessage());
        }
        if (subnet.isIpv6()) {
          throw invalid("subnet", subnetText, "this is an IPv6 prefix: give it as subnet6, beside the IPv4 subnet"
              + " for dual stack, or with subnet = \"\" for an IPv6-only network");
        }
      }
      Subnet subnet6 = null;
      if (!subnet6Text.isBlank()) {
        try {
          subnet6 = Subnet.parse(subnet6Text.trim());
        } catch (IllegalArgumentException e) {
          throw invalid("subnet6", subnet6Text, e.getMessage());
        }
        if (!subnet6.isIpv6()) {
          throw invalid("subnet6", subnet6Text, "this is an IPv4 subnet: give an IPv6 prefix such as fd00:fa:ce::/64");
        }
        if (mtu < io.faketcp.packet.Ipv6Packet.MINIMUM_MTU) {
          throw invalid("mtu", mtu, "IPv6 needs an MTU of at least " + io.faketcp.packet.Ipv6Packet.MINIMUM_MTU);
        }
      }
      try {
        TunDevice.builder().name(deviceName);
      } catch (IllegalArgumentException e) {
        throw invalid("deviceName", deviceName, e.getMessage());
      }
      try {
        TunDevice.builder().mtu(mtu);
      } catch (IllegalArgumentException e) {
        throw invalid("mtu", mtu, e.getMessage());
      }
      if (mode == null) {
        throw invalid("mode", null, "a mode is required: REJECT, ACCEPT, DISCARD, ECHO or DROP");
      }
      Rules effective = rules == null ? Rules.of(mode) : rules;
      for (String spec : faultSpecs) {
        try {
          effective = effective.withFaults(spec); // reads seed=N too, for compatibility
        } catch (IllegalArgumentException e) {
          throw invalid("faults", spec, e.getMessage());
        }
      }
      for (Fault fault : faults) {
        if (fault == null) {
          throw invalid("fault", null, "give a Fault, e.g. Fault.parse(\"latency=50ms\")");
        }
        effective = effective.withFault(fault);
      }
      if (captureFilter == null) {
        throw invalid("captureFilter", null, "use \"\" for no filter");
      }
      if (captureLimit < 1) {
        throw invalid("captureLimit", captureLimit, "keep at least 1 packet, or turn capture off with capture(false)");
      }
      if (!captureFilter.isEmpty() && !capture) {
        throw invalid("captureFilter", captureFilter, "capture is off: remove the filter or turn capture on");
      }
      if (ipv6Only) {
        if (!hosts.isEmpty()) {
          Object first = hosts.get(0);
          boolean spec = first instanceof String;
          throw invalid(spec ? "hosts" : "host", spec ? first : String.join(", ", (String[]) first),
              "names are served on a network with an IPv4 subnet: the declared addresses are IPv4 ones, each"
                  + " with its IPv6 twin; give the network both (dual stack)");
        }
        subnet = subnet6; // the network's one subnet
      }
      Zone names = ipv6Only ? new Zone() : names(subnet);
      if (subnet6 != null && !ipv6Only) {
        names.ipv6(subnet, subnet6);
        for (Inet4Address a : names.allAddresses()) {
          if (Subnet.toInt(a) - subnet.networkInt() == 0xff) {
            throw invalid("subnet6", subnet6Text, "the declared address " + a.getHostAddress() + " would have the"
                + " IPv6 twin " + io.faketcp.packet.Ipv6Packet.toText((java.net.Inet6Address) subnet6.dnsAddress())
                + ", the fake DNS server's on IPv6: declare another fake host");
          }
        }
      }
      return new Settings(origin, subnet, deviceName, mtu, effective, responder, onFailure, capture, captureFilter,
          captureLimit, skipIfUnavailable, names, subnet6, seed);
    }

    /** The declared names, each checked: a host name, addresses of fake hosts in the subnet. */
    private Zone names(Subnet subnet) {
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
          throw invalid(attribute, shown, e.getMessage());
        }
        List<Inet4Address> added = new ArrayList<>(zone.allAddresses());
        added.removeAll(before);
        for (Inet4Address a : added) {
          if (!subnet.contains(a)) {
            throw invalid(attribute, shown, "address " + a.getHostAddress() + " is outside the fake subnet " + subnet
                + ": give a fake host's address, e.g. " + subnet.address(5).getHostAddress());
          }
          if (a.equals(subnet.hostAddress()) || a.equals(dns)) {
            throw invalid(attribute, shown, "address " + a.getHostAddress() + " is the "
                + (a.equals(dns) ? "fake DNS server's" : "host's (this machine's)") + ": give a fake host's address,"
                + " e.g. " + subnet.address(5).getHostAddress());
          }
        }
      }
      return zone;
    }

    private ExtensionConfigurationException invalid(String attribute, Object value, String why) {
      return new ExtensionConfigurationException(describe(origin, attribute, value) + " is invalid: " + why);
    }
  }
}
