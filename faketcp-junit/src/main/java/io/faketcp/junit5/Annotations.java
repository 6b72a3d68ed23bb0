package io.faketcp.junit5;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/** Where {@link FakeNetwork} and {@code @RegisterExtension FakeNetworkExtension} fields are found. */
final class Annotations {
  private Annotations() {}

  /** The method's annotation, else the class's (or an enclosing class's, for {@code @Nested} classes). */
  static Optional<FakeNetwork> find(Method method, Class<?> testClass) {
    Optional<FakeNetwork> onMethod = method == null ? Optional.empty()
        : AnnotationSupport.findAnnotation(method, FakeNetwork.class);
    return onMethod.isPresent() || testClass == null ? onMethod : onClass(testClass);
  }

  /** The annotation on {@code testClass} or the classes enclosing it. */
  static Optional<FakeNetwork> onClass(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = Modifier.isStatic(c.getModifiers()) ? null : c.getEnclosingClass()) {
      Optional<FakeNetwork> found = AnnotationSupport.findAnnotation(c, FakeNetwork.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** The {@code @RegisterExtension} fields of type {@link FakeNetworkExtension}, superclasses first. */
  static List<Field> registeredFields(Class<?> testClass) {
    return ReflectionSupport.findFields(testClass,
        f -> FakeNetworkExtension.class.isAssignableFrom(f.getType()) && f.isAnnotationPresent(RegisterExtension.class),
        HierarchyTraversalMode.TOP_DOWN);
  }
}
