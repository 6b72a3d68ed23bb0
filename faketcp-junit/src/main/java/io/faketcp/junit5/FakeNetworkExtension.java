package io.faketcp.junit5;

import io.faketcp.junit5.internal.DevicePool;
import io.faketcp.junit5.internal.Environment;
import io.faketcp.junit5.internal.FailureArtefacts;
import io.faketcp.junit5.internal.Session;
import io.faketcp.junit5.internal.Settings;
import io.faketcp.junit5.internal.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Responder;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;
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
 * {@code @ResourceLock(providers = FakeNetworkExtension.SubnetLocks.class)} ({@link FakeNetwork} does
 * so itself). Without it, tests on overlapping subnets still never share one, but wait for each other.
 */
public final class FakeNetworkExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
    AfterTestExecutionCallback, ParameterResolver, TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FakeNetworkExtension.class);
  /** System property naming the directory for failure artefacts; default {@code target/faketcp}. */
  public static final String ARTEFACTS_PROPERTY = "faketcp.artefacts";
  private static final Set<String> LIBRARY_PACKAGES = Set.of("io.faketcp.junit5", "io.faketcp.peer", "io.faketcp.tun",
      "io.faketcp.packet", "io.faketcp.assertj");
  private static final FailureArtefacts ARTEFACTS = new FailureArtefacts(NAMESPACE, SessionViews::packets);

  private final Builder builder;
  private volatile Settings builtSettings;
  private volatile Session current;

  /**
   * For JUnit, which creates the extension for {@link FakeNetwork}. In code, use
   * {@link #newInstance()}.
   */
  public FakeNetworkExtension() {
    this.builder = null;
  }

  private FakeNetworkExtension(Builder builder) {
    this.builder = builder;
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
    return SessionViews.info(requireCurrent());
  }

  /**
   * The handle on the current network's fake peer.
   *
   * @throws IllegalStateException outside a test using this extension
   */
  public NetworkControl control() {
    return SessionViews.control(requireCurrent());
  }

  /**
   * The current test's capture.
   *
   * @throws IllegalStateException outside a test using this extension, or with capture off
   */
  public Capture capture() {
    Session session = requireCurrent();
    if (!session.capturing()) {
      throw new IllegalStateException("capture is off: FakeNetworkExtension.newInstance().capture(false)");
    }
    return SessionViews.capture(session);
  }

  private Session requireCurrent() {
    Session session = current;
    if (session == null) {
      throw new IllegalStateException("no fake network is running: info(), control() and capture() work while a"
          + " test (or its @BeforeEach/@AfterEach methods) using this extension runs");
    }
    return session;
  }

  // ---- JUnit callbacks ----

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<FakeNetwork> annotation = annotation(context);
    boolean capture;
    boolean skip;
    if (builder != null) {
      capture = builder.settings.capture();
      skip = builder.skipIfUnavailable;
    } else if (annotation.isPresent()) {
      capture = annotation.get().capture();
      skip = annotation.get().skipIfUnavailable();
    } else {
      return ConditionEvaluationResult.enabled("no @FakeNetwork here");
    }
    Optional<String> missing = Environment.missing(capture);
    if (missing.isPresent() && skip && !Environment.required()) {
      return ConditionEvaluationResult.disabled("faketcp cannot run here: " + missing.get());
    }
    return ConditionEvaluationResult.enabled("faketcp prerequisites: " + missing.orElse("present"));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    checkSingleRegistration(testClass, annotationOn(testClass).isPresent());
    if (builder == null) {
      annotationOn(testClass).ifPresent(a -> settingsOf(a)); // fail fast on a bad attribute
      return;
    }
    Settings settings = programmaticSettings();
    requirePrerequisites(settings);
    Session session = Session.open(settings, testClass.getName());
    registerDrain(context);
    context.getStore(NAMESPACE).put(this, session);
    current = session;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Method method = context.getRequiredTestMethod();
    checkSingleRegistration(context.getRequiredTestClass(),
        annotationOn(context.getRequiredTestClass()).isPresent() || AnnotationSupport.isAnnotated(method, FakeNetwork.class));
    Session shared = builder == null ? null : context.getParent()
        .map(parent -> parent.getStore(NAMESPACE).get(this, Session.class)).orElse(null);
    if (shared != null) {
      shared.beginTest();
      current = shared;
      return;
    }
    Settings settings = builder != null ? programmaticSettings()
        : settingsOf(annotation(context).orElseThrow(() -> new ExtensionConfigurationException(
            "FakeNetworkExtension was registered with new FakeNetworkExtension() but without @FakeNetwork:"
                + " use @FakeNetwork, or FakeNetworkExtension.newInstance()...build() with @RegisterExtension")));
    requirePrerequisites(settings);
    Session session = Session.open(settings, context.getUniqueId());
    registerDrain(context);
    context.getStore(NAMESPACE).put(this, session);
    if (builder != null) {
      current = session;
    }
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    Session session = session(context);
    if (session == null) {
      return;
    }
    List<Throwable> failures = session.failuresSinceTestBegan();
    if (failures.isEmpty()) {
      return;
    }
    Throwable first = failures.get(0);
    AssertionFailedError error = new AssertionFailedError("the fake peer on " + session.device().name()
        + " failed during the test: " + first, first);
    for (Throwable more : failures.subList(1, failures.size())) {
      error.addSuppressed(more);
    }
    ARTEFACTS.recordArtefacts(context, session, error);
    throw error;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    if (type == NetworkInfo.class || type == NetworkControl.class) {
      return true;
    }
    if (type == Capture.class) {
      boolean capture = builder != null ? programmaticSettings().capture()
          : annotation(extensionContext).map(FakeNetwork::capture).orElse(true);
      if (!capture) {
        throw new ExtensionConfigurationException(where(parameterContext) + " asks for a Capture, but "
            + (builder != null ? Settings.describe(Settings.Origin.BUILDER, "capture", false)
                : Settings.describe(Settings.Origin.ANNOTATION, "capture", false))
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
    Session session = session(extensionContext);
    if (session == null) {
      throw new ParameterResolutionException(where(parameterContext) + ": no fake network is running yet; inject "
          + parameterContext.getParameter().getType().getSimpleName() + " into test methods or @BeforeEach/@AfterEach"
          + " methods, not into constructors (or register FakeNetworkExtension in a static field)");
    }
    Class<?> type = parameterContext.getParameter().getType();
    if (type == NetworkInfo.class) {
      return SessionViews.info(session);
    }
    if (type == NetworkControl.class) {
      return SessionViews.control(session);
    }
    return SessionViews.capture(session);
  }

  // ---- helpers ----

  private static String where(ParameterContext parameterContext) {
    Executable executable = parameterContext.getDeclaringExecutable();
    String name = executable instanceof Constructor ? executable.getDeclaringClass().getSimpleName() + " constructor"
        : executable.getDeclaringClass().getSimpleName() + "." + executable.getName() + "()";
    java.lang.reflect.Parameter parameter = parameterContext.getParameter();
    return "parameter " + parameterContext.getIndex() + (parameter.isNamePresent() ? " ('" + parameter.getName() + "')" : "")
        + " of " + name;
  }

  private Session session(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(this, Session.class);
  }

  private void registerDrain(ExtensionContext context) {
    // Closed by JUnit when the whole run ends: waits until every device closed in the background is gone.
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(PoolDrain.class, k -> new PoolDrain(), PoolDrain.class);
  }

  private void requirePrerequisites(Settings settings) {
    Optional<String> missing = Environment.missing(settings.capture());
    if (missing.isEmpty()) {
      return;
    }
    String how = settings.origin() == Settings.Origin.ANNOTATION ? "@FakeNetwork(skipIfUnavailable = true)"
        : "FakeNetworkExtension.newInstance().skipIfUnavailable(true)";
    String why = Environment.required() ? " (the build requires it: -D" + Environment.REQUIRE_PROPERTY + "=true)"
        : " (" + how + " skips instead of failing)";
    throw new IllegalStateException("faketcp cannot create a fake network: " + missing.get() + why);
  }

  private Settings programmaticSettings() {
    Settings settings = builtSettings;
    if (settings == null) {
      settings = builder.settings.build();
      builtSettings = settings;
    }
    return settings;
  }

  private static Settings settingsOf(FakeNetwork a) {
    return Settings.builder(Settings.Origin.ANNOTATION)
        .mode(a.mode())
        .faults(a.faults())
        .subnet(a.subnet())
        .capture(a.capture())
        .deviceName(a.deviceName())
        .skipIfUnavailable(a.skipIfUnavailable())
        .build();
  }

  private static Optional<FakeNetwork> annotation(ExtensionContext context) {
    Optional<FakeNetwork> onMethod = context.getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, FakeNetwork.class));
    if (onMethod.isPresent()) {
      return onMethod;
    }
    return context.getTestClass().flatMap(FakeNetworkExtension::annotationOn);
  }

  private static Optional<FakeNetwork> annotationOn(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = Modifier.isStatic(c.getModifiers()) ? null : c.getEnclosingClass()) {
      Optional<FakeNetwork> found = AnnotationSupport.findAnnotation(c, FakeNetwork.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static List<Field> registeredFields(Class<?> testClass) {
    return ReflectionSupport.findFields(testClass,
        f -> FakeNetworkExtension.class.isAssignableFrom(f.getType()) && f.isAnnotationPresent(RegisterExtension.class),
        HierarchyTraversalMode.TOP_DOWN);
  }

  private static void checkSingleRegistration(Class<?> testClass, boolean annotated) {
    if (!annotated) {
      return;
    }
    List<Field> fields = registeredFields(testClass);
    if (!fields.isEmpty()) {
      Field f = fields.get(0);
      throw new ExtensionConfigurationException("FakeNetworkExtension is registered twice on " + testClass.getName()
          + ": declaratively by @FakeNetwork and programmatically by @RegisterExtension field '" + f.getName()
          + "': use one of them (the field can say everything the annotation can)");
    }
  }

  private void onFailure(ExtensionContext context, Throwable throwable) {
    ARTEFACTS.onFailure(context, session(context), throwable);
  }

  /** Root-store resource: when JUnit ends the run, waits until every device is closed. */
  static final class PoolDrain implements AutoCloseable {
    @Override
    public void close() {
      DevicePool.instance().drain();
    }
  }

  /**
   * The JUnit resource locks for fake networks: tests on equal or overlapping subnets never run at
   * the same time, tests on disjoint subnets may. {@link FakeNetwork} declares it; for a class using
   * the programmatic form in parallel runs, declare it yourself:
   *
   * <pre>{@code
   * @ResourceLock(providers = FakeNetworkExtension.SubnetLocks.class)
   * class ServerTest {
   *   @RegisterExtension static FakeNetworkExtension net = FakeNetworkExtension.newInstance().build();
   * }
   * }</pre>
   *
   * <p>A static field's subnet is read when JUnit plans the run; an instance field's cannot be, so such
   * tests lock every subnet.
   */
  public static final class SubnetLocks implements ResourceLocksProvider {
    /** For JUnit. */
    public SubnetLocks() {}

    @Override
    public Set<Lock> provideForClass(Class<?> testClass) {
      for (Field f : registeredFields(testClass)) {
        if (Modifier.isStatic(f.getModifiers())) {
          return locksOf(f);
        }
      }
      return Set.of();
    }

    @Override
    public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
      List<Field> fields = registeredFields(testClass);
      if (!fields.isEmpty()) {
        return fields.stream().anyMatch(f -> Modifier.isStatic(f.getModifiers())) ? Set.of()
            : SubnetLocks.forUnknown();
      }
      Optional<FakeNetwork> annotation = AnnotationSupport.findAnnotation(testMethod, FakeNetwork.class)
          .or(() -> annotationOn(testClass));
      if (annotation.isEmpty()) {
        return Set.of();
      }
      try {
        return SubnetLocks.forSubnet(Subnet.parse(annotation.get().subnet()));
      } catch (IllegalArgumentException e) {
        return Set.of(); // the extension reports the bad subnet when the test runs
      }
    }

    private static Set<Lock> locksOf(Field field) {
      try {
        field.setAccessible(true);
        Object value = field.get(null);
        if (value instanceof FakeNetworkExtension && ((FakeNetworkExtension) value).builder != null) {
          return forSubnet(Subnet.parse(((FakeNetworkExtension) value).builder.subnet));
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // unreadable or invalid: lock everything; the extension reports a bad subnet when it runs
      }
      return forUnknown();
    }

    private static Set<Lock> forSubnet(Subnet subnet) {
      return io.faketcp.junit5.internal.SubnetLocks.forSubnet(subnet);
    }

    private static Set<Lock> forUnknown() {
      return io.faketcp.junit5.internal.SubnetLocks.forUnknownSubnet();
    }
  }

  /**
   * Configures a programmatically registered {@link FakeNetworkExtension}. Values are checked when the
   * tests start; a bad one fails them with an {@link ExtensionConfigurationException} naming it.
   */
  public static final class Builder {
    private final Settings.Builder settings = Settings.builder(Settings.Origin.BUILDER);
    private String subnet = "192.168.0.0/24";
    private Rules rules;
    private Mode mode = Mode.ACCEPT;
    private boolean skipIfUnavailable;

    private Builder() {}

    /** The fake subnet in CIDR notation; the host gets its first address. Default {@code 192.168.0.0/24}. */
    public Builder subnet(String subnet) {
      this.subnet = subnet;
      settings.subnet(subnet);
      return this;
    }

    /** How every fake host answers TCP, unless a rule says otherwise. Default {@link Mode#ACCEPT}. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      settings.mode(mode);
      if (rules != null && mode != null) {
        rules = rules.withDefault(mode);
        settings.rules(rules);
      }
      return this;
    }

    /** Adds a rule (first match wins) giving a mode to some addresses and ports. */
    public Builder rule(Rule rule) {
      rules = (rules == null ? Rules.of(mode == null ? Mode.ACCEPT : mode) : rules).with(rule);
      settings.rules(rules);
      return this;
    }

    /** Replaces the rules and the default mode. */
    public Builder rules(Rules rules) {
      this.rules = rules;
      settings.rules(rules);
      return this;
    }

    /**
     * Adds a fault for every fake host, or those of its {@code @ADDRESSES:PORTS}; see
     * {@link io.faketcp.peer.Fault}.
     *
     * <pre>{@code
     * FakeNetworkExtension.newInstance().mode(Mode.ECHO).fault(Fault.latency(Duration.ofMillis(50))).build();
     * }</pre>
     */
    public Builder fault(io.faketcp.peer.Fault fault) {
      settings.fault(fault);
      return this;
    }

    /** Consulted for every packet before the mode; its exceptions fail the test. */
    public Builder responder(Responder responder) {
      settings.responder(responder);
      return this;
    }

    /** Also told about every failure of the fake peer (on the peer's thread); the test fails either way. */
    public Builder onFailure(Consumer<Throwable> handler) {
      settings.onFailure(handler);
      return this;
    }

    /** The device name, or a pattern with {@code %d}. Default {@code tun%d}. */
    public Builder deviceName(String name) {
      settings.deviceName(name);
      return this;
    }

    /** The device's MTU, 576 to 65535. Default 1500. */
    public Builder mtu(int mtu) {
      settings.mtu(mtu);
      return this;
    }

    /** Whether to capture with pcap. Default true. */
    public Builder capture(boolean capture) {
      settings.capture(capture);
      return this;
    }

    /** A pcap filter expression (e.g. {@code "tcp port 80"}): only matching packets are captured. */
    public Builder captureFilter(String filter) {
      settings.captureFilter(filter);
      return this;
    }

    /** How many packets a capture keeps at most (later ones are counted, not kept). Default 100,000. */
    public Builder captureLimit(int packets) {
      settings.captureLimit(packets);
      return this;
    }

    /** Skip (instead of fail) where tun devices cannot be created; see {@link FakeNetwork#skipIfUnavailable()}. */
    public Builder skipIfUnavailable(boolean skip) {
      this.skipIfUnavailable = skip;
      settings.skipIfUnavailable(skip);
      return this;
    }

    /** The extension, for a {@code @RegisterExtension} field. */
    public FakeNetworkExtension build() {
      return new FakeNetworkExtension(this);
    }
  }
}
