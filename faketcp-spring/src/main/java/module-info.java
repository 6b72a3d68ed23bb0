/**
 * {@code @ContextFakeNetwork}: a fake network for a Spring application context ({@code io.faketcp.spring}).
 *
 * <p>Spring finds the context customizer through {@code META-INF/spring.factories} and creates it by
 * reflection: the package is open to Spring for that.
 */
module io.faketcp.spring {
  requires transitive io.faketcp.junit;
  requires spring.beans;
  requires spring.context;
  requires spring.core;
  requires spring.test;

  exports io.faketcp.spring;

  opens io.faketcp.spring to spring.beans, spring.core, spring.test;
}
