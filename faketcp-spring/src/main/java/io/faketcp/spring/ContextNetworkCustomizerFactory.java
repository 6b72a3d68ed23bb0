package io.faketcp.spring;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Finds {@link ContextFakeNetwork} on a test class (its superclasses, or the classes enclosing a
 * {@code @Nested} one) for Spring's test context framework, which loads this factory from
 * {@code META-INF/spring.factories}.
 */
public final class ContextNetworkCustomizerFactory implements ContextCustomizerFactory {
  /** For Spring, which creates it. */
  public ContextNetworkCustomizerFactory() {}

  @Override
  public ContextCustomizer createContextCustomizer(Class<?> testClass,
      List<ContextConfigurationAttributes> configAttributes) {
    ContextFakeNetwork annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass, ContextFakeNetwork.class);
    return annotation == null ? null : new ContextNetworkCustomizer(annotation);
  }
}
