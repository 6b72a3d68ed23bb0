package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md keeps up with the messages a user meets first: every reason the prerequisites
 * check ({@code Prerequisites}), the plugin's launcher ({@code launcher.sh}) and {@code bin/faketcp-netns}
 * give is on the page, each by the fixed text it starts with (what follows a command's output or a value
 * is not compared).
 */
class TroubleshootingPageTest {
  /** A string literal that a {@code return} or {@code Optional.of(} starts with. */
  private static final Pattern JAVA_REASON = Pattern.compile("(?:return|Optional\\.of\\()\\s*\"([^\"]{20,})\"");
  /** The reason of a {@code fail "WAY" "REASON"} line of the launcher. */
  private static final Pattern LAUNCHER_REASON = Pattern.compile("^\\s*fail \"[^\"]*\" \"(.*)\"(?: ;;)?\\s*$");
  /** Command substitutions, with one level of nested parentheses ({@code $(first_line "$out")}). */
  private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\((?:[^()]|\\([^()]*\\))*\\)|\\$\\w+");
  private static final Pattern NETNS_REASON = Pattern.compile("(?m)^why=\"([^\"]+)\"");

  @Test
  void everyPrerequisiteReasonIsOnThePage() throws IOException {
    List<String> reasons = new ArrayList<>();
    Matcher m = JAVA_REASON.matcher(read("faketcp-tun/src/main/java/io/faketcp/tun/Prerequisites.java"));
    while (m.find()) {
      reasons.add(m.group(1));
    }
    assertThat(reasons).as("reasons in Prerequisites.java").hasSizeGreaterThanOrEqualTo(6);
    assertOnThePage(reasons, "Prerequisites.java");
  }

  @Test
  void everyLauncherReasonIsOnThePage() throws IOException {
    List<String> reasons = new ArrayList<>();
    for (String line : read("faketcp-maven-plugin/src/main/resources/io/faketcp/maven/launcher.sh").split("\n")) {
      Matcher m = LAUNCHER_REASON.matcher(line);
      if (m.matches()) {
        for (String part : SUBSTITUTION.split(m.group(1))) {
          if (part.strip().length() >= 12) {
            reasons.add(part.strip());
          }
        }
      }
    }
    assertThat(reasons).as("reasons in launcher.sh").hasSizeGreaterThanOrEqualTo(9);
    Matcher netns = NETNS_REASON.matcher(read("bin/faketcp-netns"));
    assertThat(netns.find()).as("bin/faketcp-netns's reason").isTrue();
    reasons.add(netns.group(1));
    assertOnThePage(reasons, "the launchers");
  }

  /** Each reason's first 25 characters (after an opening parenthesis) are on the page. */
  private static void assertOnThePage(List<String> reasons, String source) throws IOException {
    String page = read("docs/troubleshooting.md");
    for (String reason : reasons) {
      String start = reason.startsWith("(") ? reason.substring(1) : reason;
      start = start.substring(0, Math.min(25, start.length()));
      assertThat(page).as("docs/troubleshooting.md has the reason from %s: %s", source, reason).contains(start);
    }
  }

  private static String read(String path) throws IOException {
    Path here = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(here.resolve("sample-tests")) ? here : here.getParent();
    return Files.readString(root.resolve(path), StandardCharsets.UTF_8);
  }
}
