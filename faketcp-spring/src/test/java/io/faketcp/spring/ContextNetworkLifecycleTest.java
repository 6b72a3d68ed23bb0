package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.internal.RunningNetwork;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/** The network opens with the context's customization and closes with the context, also a failed one. */
class ContextNetworkLifecycleTest {
  @ContextFakeNetwork(subnet = "10.73.0.0/24")
  static class Annotated {}

  @ContextFakeNetwork(subnet = "10.73.0.0/24")
  static class EquallyAnnotated {}

  @ContextFakeNetwork(subnet = "10.74.0.0/24")
  static class OtherSubnet {}

  @Configuration
  static class Failing {
    @Bean
    String fails() {
      throw new IllegalStateException("this bean fails on purpose");
    }
  }

  private static ContextCustomizer customizer(Class<?> testClass) {
    return new ContextNetworkCustomizerFactory().createContextCustomizer(testClass, List.of());
  }

  private static MergedContextConfiguration config(Class<?> testClass) {
    return new MergedContextConfiguration(testClass, null, null, null, null);
  }

  @Test
  void equalAnnotationsMakeEqualCacheKeys() {
    assertThat(customizer(Annotated.class)).isEqualTo(customizer(EquallyAnnotated.class))
        .hasSameHashCodeAs(customizer(EquallyAnnotated.class))
        .isNotEqualTo(customizer(OtherSubnet.class));
    assertThat(customizer(ContextNetworkLifecycleTest.class)).isNull();
  }

  @Test
  void closingTheContextClosesTheNetwork() {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    customizer(Annotated.class).customizeContext(context, config(Annotated.class));
    context.refresh();
    RunningNetwork session = context.getBean(ContextNetwork.BEAN_NAME, ContextNetwork.class).session();
    assertThat(context.getEnvironment().getProperty("faketcp.address.7")).isEqualTo("10.73.0.7");
    assertThat(session.isClosed()).isFalse();

    context.close();

    assertThat(session.isClosed()).isTrue();
  }

  @Test
  void aContextThatFailsToStartClosesItsNetwork() {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.register(Failing.class);
    customizer(OtherSubnet.class).customizeContext(context, config(OtherSubnet.class));
    ContextNetwork network = context.getDefaultListableBeanFactory().getBean(ContextNetwork.BEAN_NAME, ContextNetwork.class);
    RunningNetwork session = network.session();

    assertThatThrownBy(context::refresh).isInstanceOf(BeanCreationException.class);

    assertThat(session.isClosed()).isTrue();
    assertThatThrownBy(network::session).hasMessageContaining("was closed with its application context");
  }

  @Test
  void aBadBackgroundEndpointIsNamed() {
    assertThatThrownBy(() -> Background.parse("10.73.0.7:http"))
        .hasMessageStartingWith("@ContextFakeNetwork(background = \"10.73.0.7:http\") is not an endpoint");
    assertThatThrownBy(() -> Background.parse("*")).hasMessageContaining("'*' alone");
  }
}
