package io.faketcp.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Which active fake DNS a lookup goes to while several networks are open (parallel tests). */
class FakeDnsTest {

  @Test
  void aNameGoesToTheLastServerThatDeclaresItElseToTheLast() throws Exception {
    Inet4Address first = (Inet4Address) InetAddress.getByName("10.70.0.254");
    Inet4Address second = (Inet4Address) InetAddress.getByName("10.71.0.254");
    Zone firstNames = new Zone().host("db.test", "10.70.0.5");
    assertThat(FakeDns.active("db.test")).isEmpty();
    try (AutoCloseable a = FakeDns.activate(first, firstNames::declares);
         AutoCloseable b = FakeDns.activate(second, new Zone().host("api.test", "10.71.0.6")::declares)) {
      assertThat(FakeDns.active("DB.test.")).hasValue(first);
      assertThat(FakeDns.active("api.test")).hasValue(second);
      assertThat(FakeDns.active("nobody.test")).hasValue(second);
      assertThat(FakeDns.active()).hasValue(second);
      firstNames.remove("db.test");
      assertThat(FakeDns.active("db.test")).as("answers follow the zone as it is now").hasValue(second);
    }
    assertThat(FakeDns.active()).isEmpty();
  }
}
