package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.internal.Settings;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Bad names, addresses, record types and DNS faults fail with the attribute, the value and the fix. */
class NamesConfigurationTest {

  /** What {@code @FakeNetwork(hosts = ..., faults = ...)} makes. */
  private static Settings annotation(List<String> hosts, List<String> faults) {
    return Settings.check(Settings.Origin.ANNOTATION, "192.168.0.0/24", "", "tun%d", Settings.DEFAULT_MTU, Mode.ACCEPT,
        null, faults, List.of(), List.copyOf(hosts), null, null, true, "", Settings.DEFAULT_CAPTURE_LIMIT,
        Settings.DEFAULT_CAPTURE_SNAP_LENGTH, Settings.DEFAULT_CAPTURE_BUDGET, false, null);
  }

  private static Settings hosts(String... specs) {
    return annotation(List.of(specs), List.of());
  }

  @Test
  void aNameThatIsNoHostNameIsNamed() {
    assertThatThrownBy(() -> hosts("db_test!=192.168.0.5"))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@FakeNetwork(hosts = \"db_test!=192.168.0.5\") is invalid: 'db_test!=192.168.0.5': 'db_test!' is"
            + " not a host name: write letters, digits and '-' in dot-separated labels of at most 63 characters,"
            + " e.g. db.test");
  }

  @Test
  void anAddressOutsideTheSubnetIsNamed() {
    assertThatThrownBy(() -> hosts("db.test=10.0.0.5"))
        .hasMessage("@FakeNetwork(hosts = \"db.test=10.0.0.5\") is invalid: address 10.0.0.5 is outside the fake subnet"
            + " 192.168.0.0/24: give a fake host's address, e.g. 192.168.0.5");
    assertThatThrownBy(() -> FakeNetworkExtension.newInstance().host("db.test", "192.168.0.254").build().checkedSettings())
        .hasMessage("FakeNetworkExtension.newInstance().host(\"db.test\", \"192.168.0.254\") is invalid: address 192.168.0.254"
            + " is the fake DNS server's: give a fake host's address, e.g. 192.168.0.5");
    assertThatThrownBy(() -> hosts("db.test=192.168.0.300"))
        .hasMessageContaining("address '192.168.0.300' of 'db.test' is not an IPv4 address");
  }

  @Test
  void anUnknownRecordTypeIsNamed() {
    assertThatThrownBy(() -> hosts("db.test=MX 10 mail.test"))
        .hasMessage("@FakeNetwork(hosts = \"db.test=MX 10 mail.test\") is invalid: 'db.test=MX 10 mail.test': record"
            + " type 'MX' is not one of A (or just addresses), CNAME, SRV, TXT");
    assertThatThrownBy(() -> hosts("db.test"))
        .hasMessageContaining("'db.test' is not NAME=ADDRESS: write e.g. db.test=192.168.0.5");
  }

  @Test
  void aBadDnsFaultIsNamed() {
    assertThatThrownBy(() -> annotation(List.of(), List.of("dns=slow")))
        .hasMessage("@FakeNetwork(faults = \"dns=slow\") is invalid: fault 'dns=slow': dns 'slow' is not one of"
            + " nxdomain, servfail, refused, timeout, truncated");
    assertThatThrownBy(() -> Fault.parse("dns=nxdomain@192.168.0.5:53"))
        .hasMessageContaining("'192.168.0.5:53' is not a host name: write @NAME, e.g. @db.test or @*.test");
    assertThatThrownBy(() -> Fault.parse("dns-delay=2@db.test")).hasMessageContaining("has no unit");
  }

  @Test
  void declarationsAreParsedIntoRecords() {
    Settings settings = hosts("db.test=192.168.0.5", "api.test=192.168.0.6, 192.168.0.7;ttl=5",
        "www.test=CNAME api.test", "_pg._tcp.test=SRV 0 5 5432 db.test", "db.test=TXT role=primary");
    assertThat(settings.names()).hasToString("db.test=192.168.0.5 TXT role=primary, api.test=192.168.0.6,192.168.0.7;ttl=5,"
        + " www.test=CNAME api.test, _pg._tcp.test=SRV 0 5 5432 db.test");
    assertThat(hosts().names().isEmpty()).isTrue();
  }
}
