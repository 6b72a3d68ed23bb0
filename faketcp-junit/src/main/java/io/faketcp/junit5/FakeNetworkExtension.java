package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.Environment;
import io.faketcp.junit5.internal.RunningNetwork;
import io.faketcp.junit5.internal.Settings;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Responder;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

/**
 * The JUnit 5 extension behind {@link FakeNetwork}, and its programmatic form for everything the
 * annotation cannot say.
 *
 * <pre>{@code
 * class PerClassTest {
 *   @RegisterExtension
 *   static FakeNetworkExtension net = FakeNetworkExtension.newInstance()
 *       .subnet("10.9.0.0/24")
 *       .rule(Rule.of("10.9.0.5", "*", Mode.DROP))
 *       .captureFilter("tcp")
 *       .build();
 *
 *   @Test
 *   void connectTimesOut() {
 *     assertThatThrownBy(() -> new Socket().connect(net.info().socketAddress(5, 80), 200))
 *         .isInstanceOf(SocketTimeoutException.class);
 *     FakeNetworkAssertions.assertThat(net.capture()).hasSynWithoutAnswer(net.info().socketAddress(5, 80));
 *   }
 * }
 * }</pre>
 *
 * <p>A {@code static} field gives one network to the whole class (each test still starts with the
 * configured rules and an empty capture); an instance field gives each test its own. Parameters of
 * type {@link NetworkInfo}, {@link NetworkControl} and {@link Capture} are injected in both forms.
 *
 * <p>When a test fails, its capture is written to {@code target/faketcp/<class>.<method>.pcap} and
 * {@code .txt} (a tcpdump-style transcript); both are named in the failure and in a report entry.
 * A failure of the fake peer (say, a {@link Responder} throwing) fails the test with that cause.
 *
 * <p>With parallel execution, declare the subnet lock on classes using the programmatic form:
 * {@code @ResourceLock(providers = SubnetLocks.class)} ({@link FakeNetwork} does so itself; JUnit 5.12 or
 * later). Without it, tests on overlapping subnets still never share one, but wait for each other.
 */
public final class FakeNetworkExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
    AfterTestExecutionCallback, AfterEachCallback, AfterAllCallback, ParameterResolver, TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler {
  /** System property naming the directory for failure artefacts; default {@code target/faketcp}. */
  public static final String ARTEFACTS_PROPERTY = FailureArtefacts.DIRECTORY_PROPERTY;

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FakeNetworkExtension.class);
  private static final Set<String> LIBRARY_PACKAGES = Set.of("io.faketcp.junit5", "io.faketcp.peer", "io.faketcp.tun",
      "io.faketcp.packet", "io.faketcp.assertj");
  private static final Map<FakeNetwork, Settings> ANNOTATION_SETTINGS = new ConcurrentHashMap<>();
  /** Test classes already checked for a double registration (the check reflects over every field). */
  private static final Set<Class<?>> CHECKED_CLASSES = ConcurrentHashMap.newKeySet();
  private static final FailureArtefacts ARTEFACTS = new FailureArtefacts(NAMESPACE, FakeNetworkExtension::connectionsSummary);

  /** The programmatic form's configuration; null for {@link FakeNetwork}. */
  private final Configured configured;
  /** The programmatic form's running network, for {@link #info()}, {@link #control()} and {@link #capture()}. */
  private volatile RunningNetwork current;

  /**
   * For JUnit, which creates the extension for {@link FakeNetwork}. In code, use
   * {@link #newInstance()}.
   */
  public FakeNetworkExtension() {
    this(null);
  }

  private FakeNetworkExtension(Configured configured) {
    this.configured = configured;
  }

  /**
   * A builder for a programmatically registered extension.
   *
   * <pre>{@code
   * @RegisterExtension
   * static FakeNetworkExtension net = FakeNetworkExtension.newInstance().mode(Mode.ECHO).build();
   * }</pre>
   */
  public static Builder newInstance() {
    return new Builder();
  }

  /**
   * Where the current network is.
   *
   * @throws IllegalStateException outside a test using this extension
   */
  public NetworkInfo info() {
    return NetworkViews.INSTANCE.info(current());
  }

  /**
   * The handle on the current network's fake peer.
   *
   * @throws IllegalStateException outside a test using this extension
   */
  public NetworkControl control() {
    return NetworkViews.INSTANCE.control(current());
  }

  /**
   * The current test's capture.
   *
   * @throws IllegalStateException outside a test using this extension, or with capture off
   */
  public Capture capture() {
    RunningNetwork network = current();
    if (!network.capturing()) {
      throw new IllegalStateException("capture is off: FakeNetworkExtension.newInstance().capture(false)");
    }
    return NetworkViews.INSTANCE.capture(network);
  }

  /**
   * The programmatic form's subnets (its IPv4 subnet, its IPv6 prefix, or both), for {@link SubnetLocks};
   * empty for the annotation, and when the configuration is invalid.
   */
  Optional<List<Subnet>> configuredSubnets() {
    return Optional.ofNullable(configured).map(Configured::settings).map(s ->
        s.ipv6Only() || s.subnet6() == null ? List.of(s.subnet()) : List.of(s.subnet(), s.subnet6()));
  }

  /**
   * The programmatic form's settings.
   *
   * @throws ExtensionConfigurationException naming the bad value the builder was given
   */
  Settings checkedSettings() {
    return configured.checked();
  }

  private RunningNetwork current() {
    RunningNetwork network = current;
    if (network == null) {
      throw new IllegalStateException("no fake network is running: info(), control() and capture() work while a"
          + " test (or its @BeforeEach/@AfterEach methods) using this extension runs");
    }
    return network;
  }

  // ---- JUnit callbacks: check the prerequisites, open a network per test (or per class, for a static
  // field), inject the views, record failure artefacts ----

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    boolean skip;
    if (configured != null) {
      skip = configured.skipIfUnavailable();
    } else {
      Optional<FakeNetwork> annotation = annotation(context);
      if (annotation.isEmpty()) {
        return ConditionEvaluationResult.enabled("no @FakeNetwork here");
      }
      skip = annotation.get().skipIfUnavailable();
    }
    Optional<String> missing = Environment.missing(context);
    if (missing.isPresent() && skip && !Environment.required()) {
      return ConditionEvaluationResult.disabled("faketcp cannot run here: " + missing.get());
    }
    return ConditionEvaluationResult.enabled("faketcp prerequisites: " + missing.orElse("present"));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    checkSingleRegistration(testClass, Annotations.onClass(testClass).isPresent());
    if (configured == null) {
      Annotations.onClass(testClass).ifPresent(FakeNetworkExtension::settingsOf); // fail fast on a bad attribute
      return;
    }
    Settings settings = checkedSettings();
    requirePrerequisites(context, settings);
    open(context, settings, testClass.getName());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    checkSingleRegistration(context.getRequiredTestClass(), annotation(context).isPresent());
    RunningNetwork shared = configured == null ? null : context.getParent()
        .map(parent -> parent.getStore(NAMESPACE).get(this, RunningNetwork.class)).orElse(null);
    if (shared != null) {
      shared.beginTest();
      current = shared;
      return;
    }
    Settings settings = configured != null ? checkedSettings()
        : settingsOf(annotation(context).orElseThrow(() -> new ExtensionConfigurationException(
            "FakeNetworkExtension was registered with new FakeNetworkExtension() but without @FakeNetwork:"
                + " use @FakeNetwork, or FakeNetworkExtension.newInstance()...build() with @RegisterExtension")));
    requirePrerequisites(context, settings);
    open(context, settings, context.getUniqueId());
  }

  private void open(ExtensionContext context, Settings settings, String holder) {
    RunningNetwork network = RunningNetwork.open(context, NAMESPACE, settings, holder);
    // Closed by JUnit when this test (or class) ends, passed or not.
    context.getStore(NAMESPACE).put(this, network);
    if (configured != null) {
      current = network;
    }
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    RunningNetwork network = network(context);
    if (network == null) {
      return;
    }
    List<Throwable> failures = network.failuresSinceTestBegan();
    if (failures.isEmpty()) {
      return;
    }
    Throwable first = failures.get(0);
    AssertionFailedError error = new AssertionFailedError("the fake peer on " + network.interfaceName()
        + " failed during the test: " + first, first);
    for (Throwable more : failures.subList(1, failures.size())) {
      error.addSuppressed(more);
    }
    ARTEFACTS.recordArtefacts(context, network, error);
    throw error;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ownNetwork(context).ifPresent(RunningNetwork::holderFinished);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ownNetwork(context).ifPresent(RunningNetwork::holderFinished);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    ARTEFACTS.onFailure(context, network(context), throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    ARTEFACTS.onFailure(context, network(context), throwable);
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    ARTEFACTS.onFailure(context, network(context), throwable);
    throw throwable;
  }


  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    if (type == NetworkInfo.class || type == NetworkControl.class) {
      return true;
    }
    if (type == Capture.class) {
      boolean capture = configured != null ? configured.capture()
          : annotation(extensionContext).map(FakeNetwork::capture).orElse(true);
      if (!capture) {
        throw new ExtensionConfigurationException(where(parameterContext) + " asks for a Capture, but "
            + Settings.describe(configured != null ? Settings.Origin.BUILDER : Settings.Origin.ANNOTATION, "capture", false)
            + " turns capture off: remove the parameter or turn capture on");
      }
      return true;
    }
    if (type.getPackage() != null && LIBRARY_PACKAGES.contains(type.getPackage().getName())) {
      throw new ExtensionConfigurationException(where(parameterContext) + " has type " + type.getName()
          + ", which FakeNetworkExtension cannot inject: it injects NetworkInfo, NetworkControl and Capture"
          + (type == CapturedPackets.class ? " (inject Capture and call capture.packets())" : ""));
    }
    return false;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    RunningNetwork network = network(extensionContext);
    if (network == null) {
      throw new ParameterResolutionException(where(parameterContext) + ": no fake network is running yet; inject "
          + parameterContext.getParameter().getType().getSimpleName() + " into test methods or @BeforeEach/@AfterEach"
          + " methods, not into constructors (or register FakeNetworkExtension in a static field)");
    }
    Class<?> type = parameterContext.getParameter().getType();
    if (type == NetworkInfo.class) {
      return NetworkViews.INSTANCE.info(network);
    }
    if (type == NetworkControl.class) {
      return NetworkViews.INSTANCE.control(network);
    }
    return NetworkViews.INSTANCE.capture(network);
  }

  // ---- helpers ----

  /** The TCP connections of {@code records}, one line each, for the head of a transcript file. */
  static String connectionsSummary(List<CaptureRecord> records) {
    List<TcpConversation> connections = CapturedPackets.of(records, "", 0, "").conversations();
    StringBuilder sb = new StringBuilder("TCP connections (" + connections.size() + "):\n");
    for (TcpConversation c : connections) {
      sb.append("  ").append(c).append('\n');
    }
    return sb.toString();
  }

  /** This context's network, or its class's (a static field's network). */
  private RunningNetwork network(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(this, RunningNetwork.class);
  }

  /** The network opened for this very context, not one inherited from its class. */
  private Optional<RunningNetwork> ownNetwork(ExtensionContext context) {
    RunningNetwork network = network(context);
    RunningNetwork inherited = context.getParent().map(p -> p.getStore(NAMESPACE).get(this, RunningNetwork.class)).orElse(null);
    return network == null || network == inherited ? Optional.empty() : Optional.of(network);
  }

  /** Settings are values: one per distinct annotation (annotations are equal by their attributes). */
  private static Settings settingsOf(FakeNetwork a) {
    return ANNOTATION_SETTINGS.computeIfAbsent(a, FakeNetworkExtension::buildSettings);
  }

  private static Settings buildSettings(FakeNetwork a) {
    Settings.Origin origin = Settings.Origin.ANNOTATION;
    return Settings.check(origin, a.subnet(), a.subnet6(), a.deviceName(), Settings.DEFAULT_MTU, a.mode(), null,
        List.of(a.faults()), List.of(), List.of((Object[]) a.hosts()), null, null, a.capture(), "",
        Settings.DEFAULT_CAPTURE_LIMIT, Settings.DEFAULT_CAPTURE_SNAP_LENGTH, Settings.DEFAULT_CAPTURE_BUDGET,
        a.skipIfUnavailable(), Settings.seed(origin, a.seed()));
  }

  private static void requirePrerequisites(ExtensionContext context, Settings settings) {
    Optional<String> missing = Environment.missing(context);
    if (missing.isEmpty()) {
      return;
    }
    String how = settings.origin() == Settings.Origin.ANNOTATION ? "@FakeNetwork(skipIfUnavailable = true)"
        : "FakeNetworkExtension.newInstance().skipIfUnavailable(true)";
    String why = Environment.required() ? " (the build requires it: -D" + Environment.REQUIRE_PROPERTY + "=true)"
        : " (" + how + " skips instead of failing)";
    throw new IllegalStateException("faketcp cannot create a fake network: " + missing.get() + why);
  }

  private static Optional<FakeNetwork> annotation(ExtensionContext context) {
    return Annotations.find(context.getTestMethod().orElse(null), context.getTestClass().orElse(null));
  }

  private static String where(ParameterContext parameterContext) {
    Executable executable = parameterContext.getDeclaringExecutable();
    String name = executable instanceof Constructor ? executable.getDeclaringClass().getSimpleName() + " constructor"
        : executable.getDeclaringClass().getSimpleName() + "." + executable.getName() + "()";
    Parameter parameter = parameterContext.getParameter();
    return "parameter " + parameterContext.getIndex() + (parameter.isNamePresent() ? " ('" + parameter.getName() + "')" : "")
        + " of " + name;
  }

  private static void checkSingleRegistration(Class<?> testClass, boolean annotated) {
    if (!annotated || CHECKED_CLASSES.contains(testClass)) {
      return;
    }
    List<Field> fields = Annotations.registeredFields(testClass);
    if (!fields.isEmpty()) {
      Field f = fields.get(0);
      throw new ExtensionConfigurationException("FakeNetworkExtension is registered twice on " + testClass.getName()
          + ": declaratively by @FakeNetwork and programmatically by @RegisterExtension field '" + f.getName()
          + "': use one of them (the field can say everything the annotation can)");
    }
    CHECKED_CLASSES.add(testClass);
  }

  /**
   * What the builder was given, checked when it was built: the settings, or why they are invalid
   * (thrown when the tests start); and the values needed before that.
   */
  private record Configured(Settings settings, String invalid, boolean capture,
      boolean skipIfUnavailable) {
    Settings checked() {
      if (invalid != null) {
        throw new ExtensionConfigurationException(invalid);
      }
      return settings;
    }
  }

  /**
   * Configures a programmatically registered {@link FakeNetworkExtension}. Values are checked when the
   * tests start; a bad one fails them with an {@link ExtensionConfigurationException} naming it.
   */
  public static final class Builder {
    private String subnet = Subnet.DEFAULT.toString();
    private String subnet6 = "";
    private Mode mode = Mode.ACCEPT;
    /** Null until a rule is given: then {@link #mode} alone. */
    private Rules rules;
    private final List<Fault> faults = new ArrayList<>();
    private Long seed;
    /** {@code NAME=RECORD} specs and {@code {name, addresses...}} arrays, in the order given. */
    private final List<Object> hosts = new ArrayList<>();
    private Responder responder;
    private Consumer<Throwable> onFailure;
    private String deviceName = "tun%d";
    private int mtu = Settings.DEFAULT_MTU;
    private boolean capture = true;
    private String captureFilter = "";
    private int captureLimit = Settings.DEFAULT_CAPTURE_LIMIT;
    private int captureSnapLength = Settings.DEFAULT_CAPTURE_SNAP_LENGTH;
    private long captureBudget = Settings.DEFAULT_CAPTURE_BUDGET;
    private boolean skipIfUnavailable;

    private Builder() {}

    /**
     * The fake subnet in CIDR notation; the host gets its first address. Default {@code 192.168.0.0/24};
     * empty, with a {@link #subnet6(String) subnet6}, for an IPv6-only network.
     */
    public Builder subnet(String subnet) {
      this.subnet = subnet;
      return this;
    }

    /**
     * An IPv6 prefix beside the IPv4 subnet (dual stack), /64 to /120, e.g. {@code "fd00:fa:ce::/64"};
     * empty for IPv4 only (the default). See {@link FakeNetwork#subnet6()}.
     */
    public Builder subnet6(String subnet6) {
      this.subnet6 = subnet6;
      return this;
    }

    /** How every fake host answers TCP, unless a rule says otherwise. Default {@link Mode#ACCEPT}. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      if (rules != null && mode != null) {
        rules = rules.withDefault(mode); // the rules given so far keep their order
      }
      return this;
    }

    /** Adds a rule (first match wins) giving a mode to some addresses and ports. */
    public Builder rule(Rule rule) {
      rules = (rules == null ? Rules.of(mode == null ? Mode.ACCEPT : mode) : rules).with(rule);
      return this;
    }

    /** Replaces the rules and the default mode. */
    public Builder rules(Rules rules) {
      this.rules = rules;
      return this;
    }

    /**
     * Adds a fault for every fake host, or those of its {@code @ADDRESSES:PORTS}; see
     * {@link Fault}.
     *
     * <pre>{@code
     * FakeNetworkExtension.newInstance().mode(Mode.ECHO).fault(Fault.latency(Duration.ofMillis(50))).build();
     * }</pre>
     */
    public Builder fault(Fault fault) {
      faults.add(fault);
      return this;
    }

    /**
     * The seed of the random faults (see {@link FakeNetwork#seed()}): the same seed drops the same
     * packets for the same traffic. Without it {@code -Dfaketcp.seed}, else a random one.
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Declares {@code name} with these addresses, answered in this order by the fake DNS server (see
     * {@link FakeNetwork#hosts()}).
     *
     * <pre>{@code
     * FakeNetworkExtension.newInstance().host("db.test", "192.168.0.5").host("api.test", "192.168.0.6").build();
     * }</pre>
     */
    public Builder host(String name, String... addresses) {
      String[] entry = new String[1 + (addresses == null ? 0 : addresses.length)];
      entry[0] = name;
      if (addresses != null) {
        System.arraycopy(addresses, 0, entry, 1, addresses.length);
      }
      hosts.add(entry);
      return this;
    }

    /** Declarations in the notation of {@link FakeNetwork#hosts()}, e.g. {@code "www.test=CNAME api.test"}. */
    public Builder hosts(String... specs) {
      hosts.addAll(Arrays.asList(specs));
      return this;
    }

    /** Consulted for every packet before the mode; its exceptions fail the test. */
    public Builder responder(Responder responder) {
      this.responder = responder;
      return this;
    }

    /** Also told about every failure of the fake peer (on the peer's thread); the test fails either way. */
    public Builder onFailure(Consumer<Throwable> handler) {
      this.onFailure = handler;
      return this;
    }

    /** The device name, or a pattern with {@code %d}. Default {@code tun%d}. */
    public Builder deviceName(String name) {
      this.deviceName = name;
      return this;
    }

    /** The device's MTU, 576 to 65535. Default 1500. */
    public Builder mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }

    /** Whether to capture with pcap. Default true. */
    public Builder capture(boolean capture) {
      this.capture = capture;
      return this;
    }

    /** A pcap filter expression (e.g. {@code "tcp port 80"}): only matching packets are captured. */
    public Builder captureFilter(String filter) {
      this.captureFilter = filter;
      return this;
    }

    /** How many packets a capture keeps at most (later ones are counted, not kept). Default 100,000. */
    public Builder captureLimit(int packets) {
      this.captureLimit = packets;
      return this;
    }

    /**
     * How many bytes of each packet a capture keeps, as {@code tcpdump -s} does: a longer packet is kept
     * cut, its length on the wire still known ({@link CapturedPacket#length()}, the .pcap's records).
     * 128 to 262,144; default 262,144, which keeps whole packets.
     */
    public Builder captureSnapLength(int bytes) {
      this.captureSnapLength = bytes;
      return this;
    }

    /**
     * How many bytes a capture keeps in all, each packet counting its kept bytes and 64 more (about its
     * size on the heap). Whole packets are kept while they fill three quarters of it; after that each
     * packet's headers only (IP, TCP with options, UDP, ICMP with its quote), so that the handshakes,
     * sequence numbers, byte counts, FINs and RSTs of the rest of the test are still there; when the
     * budget is full, packets are counted, not kept. At least 1 MiB; default 64 MiB: at MTU 1,500 about
     * 33,000 whole packets, at MTU 65,535 about 750 and then hundreds of thousands of headers.
     *
     * <pre>{@code
     * FakeNetworkExtension.newInstance().mtu(65535).captureBudget(256L << 20).build();
     * }</pre>
     */
    public Builder captureBudget(long bytes) {
      this.captureBudget = bytes;
      return this;
    }

    /** Skip (instead of fail) where tun devices cannot be created; see {@link FakeNetwork#skipIfUnavailable()}. */
    public Builder skipIfUnavailable(boolean skip) {
      this.skipIfUnavailable = skip;
      return this;
    }

    /**
     * The extension, for a {@code @RegisterExtension} field. The values are checked here; a bad one fails
     * the tests when they start (not the class's initialization), naming it.
     */
    public FakeNetworkExtension build() {
      Settings checked = null;
      String invalid = null;
      try {
        checked = Settings.check(Settings.Origin.BUILDER, subnet, subnet6, deviceName, mtu, mode, rules, List.of(),
            faults, hosts, responder, onFailure, capture, captureFilter, captureLimit, captureSnapLength, captureBudget,
            skipIfUnavailable, seed);
      } catch (ExtensionConfigurationException e) {
        invalid = e.getMessage();
      }
      return new FakeNetworkExtension(new Configured(checked, invalid, capture, skipIfUnavailable));
    }
  }
}
