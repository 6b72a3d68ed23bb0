package io.faketcp.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.samples.FakePostgres;
import io.faketcp.samples.TinyDatabase;
import io.faketcp.spring.ContextFakeNetwork;
import java.net.ConnectException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.client.ResourceAccessException;

/** Another network makes another context: its own subnet, database and schema, no price service. */
@SpringBootTest
@ActiveProfiles("faketcp")
@ContextFakeNetwork(subnet = "10.81.0.0/24", rules = OtherNetworkTest.DatabaseOnly.class)
class OtherNetworkTest {
  static final TinyDatabase DATABASE = new TinyDatabase("greeting");

  static final class DatabaseOnly implements Supplier<Rules> {
    @Override
    public Rules get() {
      return Rules.of(Mode.REJECT).with(Rule.of("10.81.0.7", "5432", FakePostgres.serving(DATABASE)));
    }
  }

  @Autowired
  PriceClient prices;

  @Autowired
  GreetingRepository greetings;

  @Value("${prices.url}")
  String pricesUrl;

  @Test
  void getsAContextOfItsOwn() {
    assertThat(pricesUrl).isEqualTo("http://10.81.0.5:8080");
    assertThat(DATABASE.creates()).isEqualTo(1);
    assertThat(greetings.find(1)).contains("hello");
    assertThatThrownBy(() -> prices.price("abc"))
        .isInstanceOf(ResourceAccessException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
  }
}
