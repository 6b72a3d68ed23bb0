package io.faketcp.spring;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.internal.Environment;
import io.faketcp.junit5.internal.RunningNetwork;
import io.faketcp.junit5.internal.Views;
import io.faketcp.tun.Prerequisites;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The JUnit side of {@link ContextFakeNetwork}: skips where asked, starts each test on the context's
 * network with its configured rules and a capture of its own, injects the views, fails a test during
 * which the fake peer failed, and writes a failed test's capture as {@code FakeNetwork}'s tests do
 * ({@code target/faketcp/<class>.<method>.pcap} and {@code .txt}). Works in either order with {@link SpringExtension}: the context
 * is taken from Spring's cache (and loaded, if it is not there yet).
 */
final class ContextNetworkExtension implements ExecutionCondition, BeforeEachCallback, AfterTestExecutionCallback,
    ParameterResolver, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  /** faketcp-junit's views of a session, the ones @FakeNetwork's tests get. */
  @SuppressWarnings("unchecked") // registered by io.faketcp.junit5 with exactly these types
  private static final Views.Maker<NetworkInfo, NetworkControl, Capture> VIEWS =
      (Views.Maker<NetworkInfo, NetworkControl, Capture>) Views.maker(NetworkInfo.class);
  private static final Set<Class<?>> INJECTED = Set.of(NetworkInfo.class, NetworkControl.class, Capture.class,
      TestCapture.class);

  ContextNetworkExtension() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<ContextFakeNetwork> annotation = context.getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, ContextFakeNetwork.class));
    if (annotation.isEmpty() || !annotation.get().skipIfUnavailable() || Environment.required()) {
      return ConditionEvaluationResult.enabled("no fake network to skip for");
    }
    Optional<String> missing = Prerequisites.missing();
    return missing.isPresent() ? ConditionEvaluationResult.disabled("faketcp cannot run here: " + missing.get())
        : ConditionEvaluationResult.enabled("faketcp prerequisites present");
  }

  /** Without SpringExtension no context is loaded the way the class means: say so instead of guessing. */
  private static void requireSpringTest(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = Modifier.isStatic(c.getModifiers()) ? null : c.getEnclosingClass()) {
      boolean spring = AnnotationSupport.findRepeatableAnnotations(c, ExtendWith.class).stream()
          .anyMatch(e -> Arrays.asList(e.value()).contains(SpringExtension.class));
      if (spring) {
        return;
      }
    }
    throw new ExtensionConfigurationException("@ContextFakeNetwork on " + testClass.getName() + " gives an"
        + " application context its network, but the class is no Spring test: add @SpringBootTest,"
        + " @SpringJUnitConfig or @ExtendWith(SpringExtension.class) (or use @FakeNetwork for a network per test)");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    network(context).beginTest();
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    RunningNetwork session = network(context).session();
    List<Throwable> failures = session.failuresSinceTestBegan();
    if (failures.isEmpty()) {
      return;
    }
    AssertionFailedError error = new AssertionFailedError("the fake peer on " + session.interfaceName()
        + " failed during the test: " + failures.get(0), failures.get(0));
    failures.subList(1, failures.size()).forEach(error::addSuppressed);
    VIEWS.recordFailure(context, session, error);
    throw error;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    recordFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    recordFailure(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    recordFailure(context, throwable);
    throw throwable;
  }

  /** The test's capture as failure artefacts, when its context (and so its network) is there. */
  private static void recordFailure(ExtensionContext context, Throwable throwable) {
    ApplicationContext spring;
    try {
      spring = SpringExtension.getApplicationContext(context);
    } catch (RuntimeException e) {
      return; // the context did not load: no network to look at
    }
    if (spring.containsBean(ContextNetwork.BEAN_NAME)) {
      VIEWS.recordFailure(context, spring.getBean(ContextNetwork.BEAN_NAME, ContextNetwork.class).session(),
          throwable);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    if (!INJECTED.contains(type)) {
      return false;
    }
    if ((type == Capture.class || type == TestCapture.class) && !network(extensionContext).settings().capture()) {
      throw new ExtensionConfigurationException(parameterContext.getDeclaringExecutable().getName() + " asks for a "
          + type.getSimpleName() + ", but @ContextFakeNetwork(capture = false) turns capture off: remove the"
          + " parameter or turn capture on");
    }
    return true;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    ContextNetwork network = network(extensionContext);
    RunningNetwork session = network.session();
    Class<?> type = parameterContext.getParameter().getType();
    if (type == NetworkInfo.class) {
      return VIEWS.info(session);
    }
    if (type == NetworkControl.class) {
      return VIEWS.control(session);
    }
    return new ForegroundCapture(VIEWS.capture(session), network.background());
  }

  private static ContextNetwork network(ExtensionContext context) {
    requireSpringTest(context.getRequiredTestClass());
    ApplicationContext spring = SpringExtension.getApplicationContext(context);
    if (!spring.containsBean(ContextNetwork.BEAN_NAME)) {
      throw new ExtensionConfigurationException("the application context of " + context.getRequiredTestClass().getName()
          + " has no fake network: @ContextFakeNetwork is there, but Spring did not apply its ContextCustomizerFactory"
          + " (is faketcp-spring's META-INF/spring.factories on the class path?)");
    }
    return spring.getBean(ContextNetwork.BEAN_NAME, ContextNetwork.class);
  }
}
