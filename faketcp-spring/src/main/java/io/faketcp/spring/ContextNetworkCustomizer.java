package io.faketcp.spring;

import io.faketcp.junit5.internal.Settings;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import java.lang.reflect.Constructor;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Opens the context's fake network before the context refreshes and publishes its addresses. Equal
 * annotations make equal customizers: this is how the network is part of Spring's context cache key.
 */
final class ContextNetworkCustomizer implements ContextCustomizer {
  private final ContextFakeNetwork annotation;

  ContextNetworkCustomizer(ContextFakeNetwork annotation) {
    this.annotation = annotation;
  }

  @Override
  public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
    Settings settings = settings(annotation);
    Background background = Background.parse(annotation.background());
    ContextNetwork.requirePrerequisites("@ContextFakeNetwork");
    ContextNetwork network = new ContextNetwork(settings, background,
        "the application context of " + config.getTestClass().getName());
    network.session();
    context.getEnvironment().getPropertySources().addLast(new NetworkPropertySource(settings.subnet(), settings.subnet6()));
    context.getEnvironment().getPropertySources().addLast(new NamePropertySource(settings.names()));
    if (!(context.getBeanFactory() instanceof DefaultListableBeanFactory)) {
      network.destroy();
      throw new IllegalStateException("@ContextFakeNetwork needs a context whose bean factory is a"
          + " DefaultListableBeanFactory (to close the network with the context), got "
          + context.getBeanFactory().getClass().getName());
    }
    DefaultListableBeanFactory beans = (DefaultListableBeanFactory) context.getBeanFactory();
    beans.registerSingleton(ContextNetwork.BEAN_NAME, network);
    // Destroyed when the context closes, is evicted from the cache, or fails to refresh.
    beans.registerDisposableBean(ContextNetwork.BEAN_NAME, network);
  }

  static Settings settings(ContextFakeNetwork a) {
    Rules rules = null;
    if (a.rules() != ContextFakeNetwork.NoRules.class) {
      if (a.mode() != Mode.ACCEPT) {
        throw new IllegalArgumentException("@ContextFakeNetwork(mode = " + a.mode() + ", rules = "
            + a.rules().getSimpleName() + ".class): the rules replace the mode; give the default mode in the"
            + " Rules that " + a.rules().getSimpleName() + " supplies (Rules.of(Mode." + a.mode() + ")...)");
      }
      rules = supplied(a.rules());
    }
    Settings.Origin origin = Settings.Origin.CONTEXT_ANNOTATION;
    return Settings.check(origin, a.subnet(), a.subnet6(), a.deviceName(), Settings.DEFAULT_MTU, a.mode(), rules,
        List.of(a.faults()), List.of(), List.of((Object[]) a.hosts()), null, null, a.capture(), "",
        Settings.DEFAULT_CAPTURE_LIMIT, Settings.DEFAULT_CAPTURE_SNAP_LENGTH, Settings.DEFAULT_CAPTURE_BUDGET,
        a.skipIfUnavailable(), Settings.seed(origin, a.seed()));
  }

  private static Rules supplied(Class<? extends Supplier<Rules>> type) {
    try {
      Constructor<? extends Supplier<Rules>> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      Rules rules = constructor.newInstance().get();
      if (rules == null) {
        throw new IllegalArgumentException("@ContextFakeNetwork(rules = " + type.getName() + ".class) supplied null");
      }
      return rules;
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("@ContextFakeNetwork(rules = " + type.getName() + ".class) needs a"
          + " constructor without parameters", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("@ContextFakeNetwork(rules = " + type.getName() + ".class) failed: "
          + e.getCause(), e.getCause() != null ? e.getCause() : e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContextNetworkCustomizer && ((ContextNetworkCustomizer) o).annotation.equals(annotation);
  }

  @Override
  public int hashCode() {
    return annotation.hashCode();
  }

  @Override
  public String toString() {
    return "ContextNetworkCustomizer " + annotation;
  }
}
