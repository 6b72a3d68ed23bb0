package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.internal.Settings;
import io.faketcp.peer.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Bad names, addresses, record types and DNS faults fail with the attribute, the value and the fix. */
class NamesConfigurationTest {

  private static Settings.Builder annotation() {
    return Settings.builder(Settings.Origin.ANNOTATION);
  }

  @Test
  void aNameThatIsNoHostNameIsNamed() {
    assertThatThrownBy(() -> annotation().hosts("db_test!=192.168.0.5").build())
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@FakeNetwork(hosts = \"db_test!=192.168.0.5\") is invalid: 'db_test!=192.168.0.5': 'db_test!' is"
            + " not a host name: write letters, digits and '-' in dot-separated labels of at most 63 characters,"
            + " e.g. db.test");
  }

  @Test
  void anAddressOutsideTheSubnetIsNamed() {
    assertThatThrownBy(() -> annotation().hosts("db.test=10.0.0.5").build())
        .hasMessage("@FakeNetwork(hosts = \"db.test=10.0.0.5\") is invalid: address 10.0.0.5 is outside the fake subnet"
            + " 192.168.0.0/24: give a fake host's address, e.g. 192.168.0.5");
    assertThatThrownBy(() -> Settings.builder(Settings.Origin.BUILDER).host("db.test", "192.168.0.254").build())
        .hasMessage("FakeNetworkExtension.newInstance().host(\"db.test\", \"192.168.0.254\") is invalid: address 192.168.0.254"
            + " is the fake DNS server's: give a fake host's address, e.g. 192.168.0.5");
    assertThatThrownBy(() -> annotation().hosts("db.test=192.168.0.300").build())
        .hasMessageContaining("address '192.168.0.300' of 'db.test' is not an IPv4 address");
  }

  @Test
  void anUnknownRecordTypeIsNamed() {
    assertThatThrownBy(() -> annotation().hosts("db.test=MX 10 mail.test").build())
        .hasMessage("@FakeNetwork(hosts = \"db.test=MX 10 mail.test\") is invalid: 'db.test=MX 10 mail.test': record"
            + " type 'MX' is not one of A (or just addresses), CNAME, SRV, TXT");
    assertThatThrownBy(() -> annotation().hosts("db.test").build())
        .hasMessageContaining("'db.test' is not NAME=ADDRESS: write e.g. db.test=192.168.0.5");
  }

  @Test
  void aBadDnsFaultIsNamed() {
    assertThatThrownBy(() -> annotation().faults("dns=slow").build())
        .hasMessage("@FakeNetwork(faults = \"dns=slow\") is invalid: fault 'dns=slow': dns 'slow' is not one of"
            + " nxdomain, servfail, refused, timeout, truncated");
    assertThatThrownBy(() -> Fault.parse("dns=nxdomain@192.168.0.5:53"))
        .hasMessageContaining("'192.168.0.5:53' is not a host name: write @NAME, e.g. @db.test or @*.test");
    assertThatThrownBy(() -> Fault.parse("dns-delay=2@db.test")).hasMessageContaining("has no unit");
  }

  @Test
  void declarationsAreParsedIntoRecords() {
    Settings settings = annotation().hosts("db.test=192.168.0.5", "api.test=192.168.0.6, 192.168.0.7;ttl=5",
        "www.test=CNAME api.test", "_pg._tcp.test=SRV 0 5 5432 db.test", "db.test=TXT role=primary").build();
    assertThat(settings.names()).hasToString("db.test=192.168.0.5 TXT role=primary, api.test=192.168.0.6,192.168.0.7;ttl=5,"
        + " www.test=CNAME api.test, _pg._tcp.test=SRV 0 5 5432 db.test");
    assertThat(annotation().build().names().isEmpty()).isTrue();
  }
}
