package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.Environment;
import io.faketcp.junit5.internal.Session;
import io.faketcp.junit5.internal.Settings;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.opentest4j.AssertionFailedError;

/**
 * What {@link FakeNetworkExtension} does for each JUnit callback: check the prerequisites, open a
 * network per test (or per class, for a static field), inject the views, record failure artefacts.
 * One instance per extension instance.
 */
final class Callbacks {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FakeNetworkExtension.class);
  private static final Set<String> LIBRARY_PACKAGES = Set.of("io.faketcp.junit5", "io.faketcp.peer", "io.faketcp.tun",
      "io.faketcp.packet", "io.faketcp.assertj");
  private static final java.util.Map<FakeNetwork, Settings> ANNOTATION_SETTINGS = new java.util.concurrent.ConcurrentHashMap<>();
  /** Test classes already checked for a double registration (the check reflects over every field). */
  private static final java.util.Set<Class<?>> CHECKED_CLASSES = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final FailureArtefacts ARTEFACTS = new FailureArtefacts(NAMESPACE, Callbacks::connectionsSummary);

  /** The store key of this extension instance's sessions. */
  private final FakeNetworkExtension key;
  /** The programmatic form's configuration; null for {@link FakeNetwork}. */
  private final Settings.Builder configured;
  private volatile Settings built;
  private volatile Session current;

  Callbacks(FakeNetworkExtension key, Settings.Builder configured) {
    this.key = key;
    this.configured = configured;
  }

  /** The running session, for the programmatic form's {@code info()}, {@code control()} and {@code capture()}. */
  Session current() {
    Session session = current;
    if (session == null) {
      throw new IllegalStateException("no fake network is running: info(), control() and capture() work while a"
          + " test (or its @BeforeEach/@AfterEach methods) using this extension runs");
    }
    return session;
  }

  ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
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

  void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    checkSingleRegistration(testClass, Annotations.onClass(testClass).isPresent());
    if (configured == null) {
      Annotations.onClass(testClass).ifPresent(Callbacks::settingsOf); // fail fast on a bad attribute
      return;
    }
    Settings settings = programmaticSettings();
    requirePrerequisites(context, settings);
    open(context, settings, testClass.getName());
  }

  void beforeEach(ExtensionContext context) {
    checkSingleRegistration(context.getRequiredTestClass(), annotation(context).isPresent());
    Session shared = configured == null ? null : context.getParent()
        .map(parent -> parent.getStore(NAMESPACE).get(key, Session.class)).orElse(null);
    if (shared != null) {
      shared.beginTest();
      current = shared;
      return;
    }
    Settings settings = configured != null ? programmaticSettings()
        : settingsOf(annotation(context).orElseThrow(() -> new ExtensionConfigurationException(
            "FakeNetworkExtension was registered with new FakeNetworkExtension() but without @FakeNetwork:"
                + " use @FakeNetwork, or FakeNetworkExtension.newInstance()...build() with @RegisterExtension")));
    requirePrerequisites(context, settings);
    open(context, settings, context.getUniqueId());
  }

  private void open(ExtensionContext context, Settings settings, String holder) {
    Session session = Session.open(context, NAMESPACE, settings, holder);
    // Closed by JUnit when this test (or class) ends, passed or not.
    context.getStore(NAMESPACE).put(key, session);
    if (configured != null) {
      current = session;
    }
  }

  void afterTestExecution(ExtensionContext context) {
    Session session = session(context);
    if (session == null) {
      return;
    }
    List<Throwable> failures = session.failuresSinceTestBegan();
    if (failures.isEmpty()) {
      return;
    }
    Throwable first = failures.get(0);
    AssertionFailedError error = new AssertionFailedError("the fake peer on " + session.interfaceName()
        + " failed during the test: " + first, first);
    for (Throwable more : failures.subList(1, failures.size())) {
      error.addSuppressed(more);
    }
    ARTEFACTS.recordArtefacts(context, session, error);
    throw error;
  }

  void afterEach(ExtensionContext context) {
    ownSession(context).ifPresent(Session::holderFinished);
  }

  void afterAll(ExtensionContext context) {
    ownSession(context).ifPresent(Session::holderFinished);
  }

  void onFailure(ExtensionContext context, Throwable throwable) {
    ARTEFACTS.onFailure(context, session(context), throwable);
  }

  boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
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

  Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
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

  /** The TCP connections of {@code records}, one line each, for the head of a transcript file. */
  static String connectionsSummary(List<CaptureRecord> records) {
    List<TcpConversation> connections = CapturedPackets.of(records, "", 0, "").connections();
    StringBuilder sb = new StringBuilder("TCP connections (" + connections.size() + "):\n");
    for (TcpConversation c : connections) {
      sb.append("  ").append(c).append('\n');
    }
    return sb.toString();
  }

  /** This context's session, or its class's (a static field's network). */
  private Session session(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(key, Session.class);
  }

  /** The session opened for this very context, not one inherited from its class. */
  private Optional<Session> ownSession(ExtensionContext context) {
    Session session = session(context);
    Session inherited = context.getParent().map(p -> p.getStore(NAMESPACE).get(key, Session.class)).orElse(null);
    return session == null || session == inherited ? Optional.empty() : Optional.of(session);
  }

  private Settings programmaticSettings() {
    Settings settings = built;
    if (settings == null) {
      settings = configured.build();
      built = settings;
    }
    return settings;
  }

  /** Settings are values: one per distinct annotation (annotations are equal by their attributes). */
  private static Settings settingsOf(FakeNetwork a) {
    return ANNOTATION_SETTINGS.computeIfAbsent(a, Callbacks::buildSettings);
  }

  private static Settings buildSettings(FakeNetwork a) {
    return Settings.builder(Settings.Origin.ANNOTATION)
        .mode(a.mode())
        .faults(a.faults())
        .hosts(a.hosts())
        .subnet(a.subnet())
        .subnet6(a.subnet6())
        .capture(a.capture())
        .deviceName(a.deviceName())
        .skipIfUnavailable(a.skipIfUnavailable())
        .build();
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
    java.lang.reflect.Parameter parameter = parameterContext.getParameter();
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
}
