package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * A context network's names: served by its fake DNS while the context starts (a bean resolves one
 * through the JDK's resolver: on the default subnet the test JVM's launcher points resolv.conf at
 * 192.168.0.254), published as properties before the refresh, back to the declared ones for each test,
 * part of the cache key, and bad declarations named with the attribute.
 */
@SpringJUnitConfig(ContextNamesTest.Config.class)
@ContextFakeNetwork(hosts = {"db.test=192.168.0.5", "api.test=192.168.0.6,192.168.0.7", "www.test=CNAME api.test",
    "_pg._tcp.test=SRV 0 5 5432 db.test"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContextNamesTest {
  @Configuration
  static class Config {
    /** Resolves a declared name while the context starts: fails unless the fake DNS already answers. */
    @Bean
    InetAddress database() throws UnknownHostException {
      return InetAddress.getByName("db.test");
    }
  }

  @Autowired
  InetAddress database;

  @Autowired
  Environment environment;

  @Value("${faketcp.name.db.test} ${faketcp.name.api.test} ${faketcp.name.www.test}")
  String published;

  @Test
  @Order(1)
  void aBeanResolvesADeclaredNameAtStartupAndTheNamesAreProperties() {
    assertThat(database.getHostAddress()).isEqualTo("192.168.0.5");
    assertThat(published).isEqualTo("192.168.0.5 192.168.0.6,192.168.0.7 192.168.0.6,192.168.0.7");
    assertThat(environment.getProperty("faketcp.name._pg._tcp.test")).isNull();   // an SRV name has no address
    assertThat(Binder.get(environment).bind("faketcp.name", Bindable.mapOf(String.class, String.class)).get())
        .containsExactlyInAnyOrderEntriesOf(Map.of("db.test", "192.168.0.5", "api.test", "192.168.0.6,192.168.0.7",
            "www.test", "192.168.0.6,192.168.0.7"));
  }

  @Test
  @Order(2)
  void aTestMovesAName(NetworkControl peer, NetworkInfo net) {
    peer.names().host("db.test", "192.168.0.9");
    assertThat(net.address("db.test").getHostAddress()).isEqualTo("192.168.0.9");
  }

  @Test
  @Order(3)
  void theNextTestHasTheDeclaredNamesAgain(NetworkControl peer, NetworkInfo net) throws UnknownHostException {
    assertThat(net.address("db.test").getHostAddress()).isEqualTo("192.168.0.5");
    assertThat(peer.names().addresses("db.test")).extracting(InetAddress::getHostAddress).containsExactly("192.168.0.5");
    // Not looked up before in this JVM (no cached answer): the fake DNS answers on the wire.
    assertThat(InetAddress.getAllByName("api.test")).extracting(InetAddress::getHostAddress)
        .containsExactly("192.168.0.6", "192.168.0.7");
  }

  @ContextFakeNetwork(subnet = "10.77.0.0/24", hosts = "db.test=10.77.0.5")
  static class Named {}

  @ContextFakeNetwork(subnet = "10.77.0.0/24", hosts = "db.test=10.77.0.6")
  static class OtherwiseNamed {}

  @ContextFakeNetwork(subnet = "10.77.0.0/24", hosts = "db.test=10.78.0.5")
  static class OutsideTheSubnet {}

  @ContextFakeNetwork(subnet = "10.77.0.0/24", hosts = "db.test")
  static class NoAddress {}

  private static ContextCustomizer customizer(Class<?> testClass) {
    return new ContextNetworkCustomizerFactory().createContextCustomizer(testClass, List.of());
  }

  @Test
  void namesArePartOfTheCacheKey() {
    assertThat(customizer(Named.class)).isEqualTo(customizer(Named.class)).isNotEqualTo(customizer(OtherwiseNamed.class));
  }

  @Test
  void aBadDeclarationIsNamedWithTheAttributeBeforeAnythingOpens() {
    for (Class<?> bad : List.of(OutsideTheSubnet.class, NoAddress.class)) {
      AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
      MergedContextConfiguration config = new MergedContextConfiguration(bad, null, null, null, null);
      assertThatThrownBy(() -> customizer(bad).customizeContext(context, config))
          .isInstanceOf(ExtensionConfigurationException.class)
          .hasMessageStartingWith("@ContextFakeNetwork(hosts = ");
      assertThat(context.containsBean(ContextNetwork.BEAN_NAME)).isFalse();
    }
    assertThatThrownBy(() -> ContextNetworkCustomizer.settings(OutsideTheSubnet.class.getAnnotation(ContextFakeNetwork.class)))
        .hasMessage("@ContextFakeNetwork(hosts = \"db.test=10.78.0.5\") is invalid: address 10.78.0.5 is outside the"
            + " fake subnet 10.77.0.0/24: give a fake host's address, e.g. 10.77.0.5");
    assertThatThrownBy(() -> ContextNetworkCustomizer.settings(NoAddress.class.getAnnotation(ContextFakeNetwork.class)))
        .hasMessage("@ContextFakeNetwork(hosts = \"db.test\") is invalid: 'db.test' is not NAME=ADDRESS: write e.g."
            + " db.test=192.168.0.5");
  }
}
