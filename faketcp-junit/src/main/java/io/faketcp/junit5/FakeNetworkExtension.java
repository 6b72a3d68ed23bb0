package io.faketcp.junit5;

import io.faketcp.junit5.internal.Session;
import io.faketcp.junit5.internal.Settings;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Responder;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

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

  /** The configuration of the programmatic form, as given; null for {@link FakeNetwork}. */
  private final Settings.Builder configured;
  private final Callbacks callbacks;

  /**
   * For JUnit, which creates the extension for {@link FakeNetwork}. In code, use
   * {@link #newInstance()}.
   */
  public FakeNetworkExtension() {
    this(null);
  }

  private FakeNetworkExtension(Settings.Builder configured) {
    this.configured = configured;
    this.callbacks = new Callbacks(this, configured);
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
    return SessionViews.info(callbacks.current());
  }

  /**
   * The handle on the current network's fake peer.
   *
   * @throws IllegalStateException outside a test using this extension
   */
  public NetworkControl control() {
    return SessionViews.control(callbacks.current());
  }

  /**
   * The current test's capture.
   *
   * @throws IllegalStateException outside a test using this extension, or with capture off
   */
  public Capture capture() {
    Session session = callbacks.current();
    if (!session.capturing()) {
      throw new IllegalStateException("capture is off: FakeNetworkExtension.newInstance().capture(false)");
    }
    return SessionViews.capture(session);
  }

  /** The programmatic form's subnet as given (unchecked), for {@link SubnetLocks}; empty for the annotation. */
  Optional<String> configuredSubnet() {
    return Optional.ofNullable(configured).map(Settings.Builder::subnetText);
  }

  // ---- JUnit callbacks: see Callbacks ----

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return callbacks.evaluateExecutionCondition(context);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    callbacks.beforeAll(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    callbacks.beforeEach(context);
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    callbacks.afterTestExecution(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    callbacks.afterEach(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    callbacks.afterAll(context);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    callbacks.onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    callbacks.onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    callbacks.onFailure(context, throwable);
    throw throwable;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return callbacks.supportsParameter(parameterContext, extensionContext);
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return callbacks.resolveParameter(parameterContext, extensionContext);
  }

  /**
   * Configures a programmatically registered {@link FakeNetworkExtension}. Values are checked when the
   * tests start; a bad one fails them with an {@link ExtensionConfigurationException} naming it.
   */
  public static final class Builder {
    private final Settings.Builder settings = Settings.builder(Settings.Origin.BUILDER);

    private Builder() {}

    /** The fake subnet in CIDR notation; the host gets its first address. Default {@code 192.168.0.0/24}. */
    public Builder subnet(String subnet) {
      settings.subnet(subnet);
      return this;
    }

    /**
     * An IPv6 prefix beside the IPv4 subnet (dual stack), /64 to /120, e.g. {@code "fd00:fa:ce::/64"};
     * empty for IPv4 only (the default). See {@link FakeNetwork#subnet6()}.
     */
    public Builder subnet6(String subnet6) {
      settings.subnet6(subnet6);
      return this;
    }

    /** How every fake host answers TCP, unless a rule says otherwise. Default {@link Mode#ACCEPT}. */
    public Builder mode(Mode mode) {
      settings.mode(mode);
      return this;
    }

    /** Adds a rule (first match wins) giving a mode to some addresses and ports. */
    public Builder rule(Rule rule) {
      settings.rule(rule);
      return this;
    }

    /** Replaces the rules and the default mode. */
    public Builder rules(Rules rules) {
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

    /**
     * Declares {@code name} with these addresses, answered in this order by the fake DNS server (see
     * {@link FakeNetwork#hosts()}).
     *
     * <pre>{@code
     * FakeNetworkExtension.newInstance().host("db.test", "192.168.0.5").host("api.test", "192.168.0.6").build();
     * }</pre>
     */
    public Builder host(String name, String... addresses) {
      settings.host(name, addresses);
      return this;
    }

    /** Declarations in the notation of {@link FakeNetwork#hosts()}, e.g. {@code "www.test=CNAME api.test"}. */
    public Builder hosts(String... specs) {
      settings.hosts(specs);
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
      settings.skipIfUnavailable(skip);
      return this;
    }

    /** The extension, for a {@code @RegisterExtension} field. */
    public FakeNetworkExtension build() {
      return new FakeNetworkExtension(settings.copy());
    }
  }
}
