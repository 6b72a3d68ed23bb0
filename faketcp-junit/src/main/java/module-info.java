/**
 * {@code @FakeNetwork}, the JUnit 5 extension that gives each test a fake subnet
 * ({@code io.faketcp.junit5}), and the AssertJ assertions on its capture ({@code io.faketcp.assertj}).
 *
 * <p>Only these packages are exported; {@code io.faketcp.junit5.internal} only to faketcp-spring,
 * which opens networks of its own.
 */
@SuppressWarnings("module") // io.faketcp.spring is built after this module
module io.faketcp.junit {
  requires transitive io.faketcp.tun;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires com.sun.jna;
  requires java.sql; // pcap4j stamps packets with java.sql.Timestamp
  requires org.pcap4j.core;
  // @FakeNetwork's mode carries Spring's @AliasFor, which the JVM leaves out where Spring is absent
  requires static spring.core;

  exports io.faketcp.assertj;
  exports io.faketcp.junit5;

  exports io.faketcp.junit5.internal to io.faketcp.spring;
}
