package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Rules that give fake hosts a {@link Server}: the first matching rule decides. */
class ServerRuleTest {
  private static final int HOST_5 = 0xc0a80005;
  private static final int HOST_6 = 0xc0a80006;

  @Test
  void serverRuleAnswersLikeAnAcceptingHostWithItsServer() {
    Server server = Server.echo();
    Rule rule = Rule.of("192.168.0.5", "7", server);

    assertThat(rule.server()).isSameAs(server);
    assertThat(rule.mode()).isEqualTo(Mode.ACCEPT);
    assertThat(rule).hasToString("192.168.0.5:7 -> echo server");
    assertThat(Rule.of("*", "*", Mode.DROP).server()).isNull();
  }

  @Test
  void firstMatchingRuleDecidesBetweenModesAndServers() {
    Server greeting = Server.greeting("220 ready\r\n");
    Server response = Server.fixedResponse("HTTP/1.0 204 No Content\r\n\r\n");
    Rules rules = Rules.of(Mode.REJECT)
        .with(Rule.of("192.168.0.5", "25", greeting))
        .with(Rule.of("192.168.0.5", "*", Mode.DROP))
        .with(Rule.of("192.168.0.0/24", "80", response));

    assertThat(rules.serverFor(HOST_5, 25)).isSameAs(greeting);
    assertThat(rules.modeFor(HOST_5, 25)).isEqualTo(Mode.ACCEPT);
    assertThat(rules.serverFor(HOST_5, 80)).as("the DROP rule comes first").isNull();
    assertThat(rules.modeFor(HOST_5, 80)).isEqualTo(Mode.DROP);
    assertThat(rules.serverFor(HOST_6, 80)).isSameAs(response);
    assertThat(rules.serverFor(HOST_6, 81)).as("no rule: the default mode, no server").isNull();
    assertThat(rules.modeFor(HOST_6, 81)).isEqualTo(Mode.REJECT);
    assertThat(rules.toString()).isEqualTo("192.168.0.5:25 -> greeting server (11 bytes), 192.168.0.5:* -> DROP, "
        + "192.168.0.0/24:80 -> fixed-response server (27 bytes), default -> REJECT");
  }

  @Test
  void lambdaServerIsAccepted() {
    Rule rule = Rule.of("192.168.0.5-192.168.0.9", "5432", connection -> connection.output().write('N'));
    assertThat(rule.matches(HOST_6, 5432)).isTrue();
    assertThat(rule.server()).isNotNull();
    assertThat(rule).hasToString("192.168.0.5-192.168.0.9:5432 -> server from io.faketcp.peer.ServerRuleTest");
  }

  @Test
  void badServerRulesSayWhatIsWrong() {
    assertThatThrownBy(() -> Rule.of("192.168.0.5", "80", (Server) null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("rule for 192.168.0.5:80 has no server");
    assertThatThrownBy(() -> Rule.of("192.168.0.500", "80", Server.echo()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule addresses '192.168.0.500'");
    assertThatThrownBy(() -> Rule.of("*", "http", Server.echo()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule ports 'http'");
  }
}
