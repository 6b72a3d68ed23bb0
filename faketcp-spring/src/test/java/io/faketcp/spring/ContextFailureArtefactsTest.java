package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.faketcp.junit5.NetworkInfo;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * A failed test on a context's network leaves its capture behind, as a failed @FakeNetwork test does;
 * a class that is no Spring test is told what it lacks.
 */
class ContextFailureArtefactsTest {
  @Configuration
  static class Config {}

  @SpringJUnitConfig(Config.class)
  @ContextFakeNetwork(subnet = "10.76.0.0/24")
  static class FailsOnPurpose {
    @Test
    void connectsThenFails(NetworkInfo net) throws IOException {
      new Socket(net.address(5), 80).close();
      throw new AssertionError("fails on purpose");
    }
  }

  @ContextFakeNetwork(subnet = "10.76.0.0/24")
  static class NoSpringTest {
    @Test
    void wantsTheNetwork(NetworkInfo net) {}
  }

  @Test
  void aClassThatIsNoSpringTestIsToldSo() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(NoSpringTest.class)).execute();

    assertThat(results.testEvents().failed().stream()
        .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow()))
        .singleElement().satisfies(f -> assertThat(f).hasMessageContaining("is no Spring test: add @SpringBootTest"));
  }

  @Test
  void theFailedTestsCaptureIsWrittenAndNamedInTheFailure() throws IOException {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(FailsOnPurpose.class)).execute();

    List<Throwable> failures = results.testEvents().failed().stream()
        .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow())
        .collect(Collectors.toList());
    assertThat(failures).singleElement().satisfies(f -> {
      assertThat(f).hasMessage("fails on purpose");
      assertThat(Arrays.stream(f.getSuppressed()).map(Throwable::getMessage))
          .anyMatch(m -> m.startsWith("faketcp capture of connectsThenFails(NetworkInfo)"));
    });
    Path transcript = Path.of("target/faketcp/ContextFailureArtefactsTest.FailsOnPurpose.connectsThenFails.txt");
    assertThat(Path.of("target/faketcp/ContextFailureArtefactsTest.FailsOnPurpose.connectsThenFails.pcap")).exists();
    assertThat(Files.readString(transcript)).contains("10.76.0.5.80");
  }
}
