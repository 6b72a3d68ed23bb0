package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps README.md true to compiled code: every region of this module's test sources marked
 * {@code // tag::NAME[]} ... {@code // end::NAME[]} appears in the README verbatim, and every {@code java}
 * block of the README is one of those regions.
 */
class ReadmeSnippetsTest {
  private static final Pattern START = Pattern.compile("^\\s*// tag::([\\w-]+)\\[]\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// end::([\\w-]+)\\[]\\s*$");
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");

  @Test
  void everyTaggedRegionIsInTheReadme() throws IOException {
    Map<String, List<String>> regions = regions();
    List<String> readme = readme().lines().collect(Collectors.toList());

    assertThat(regions).as("tagged regions in sample-tests").isNotEmpty();
    for (Map.Entry<String, List<String>> region : regions.entrySet()) {
      assertThat(containsIndented(readme, region.getValue()))
          .as("README.md contains region '%s' verbatim:%n%s", region.getKey(), String.join("\n", region.getValue()))
          .isTrue();
    }
  }

  @Test
  void everyJavaBlockOfTheReadmeIsATaggedRegion() throws IOException {
    List<String> regions = regions().values().stream().map(lines -> String.join("\n", lines) + "\n")
        .collect(Collectors.toList());
    Matcher block = JAVA_BLOCK.matcher(readme());
    int blocks = 0;
    while (block.find()) {
      blocks++;
      assertThat(regions).as("the README's java block #%d comes from a tagged region", blocks).contains(block.group(1));
    }
    assertThat(blocks).isPositive();
  }

  /** Regions by name, each dedented by its common indentation. */
  private static Map<String, List<String>> regions() throws IOException {
    Path module = moduleDirectory();
    List<Path> files = new ArrayList<>();
    // This module's tests and the Spring Boot sample's (README's Spring section).
    for (Path root : List.of(module.resolve("src/test/java"), module.getParent().resolve("samples/spring-boot/src/test/java"))) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
      }
    }
    Map<String, List<String>> regions = new LinkedHashMap<>();
    for (Path file : files) {
      String name = null;
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher start = START.matcher(line);
        Matcher end = END.matcher(line);
        if (start.matches()) {
          assertThat(name).as("%s: tag %s opened inside %s", file, start.group(1), name).isNull();
          name = start.group(1);
          lines = new ArrayList<>();
        } else if (end.matches()) {
          assertThat(end.group(1)).as("%s: end of region", file).isEqualTo(name);
          assertThat(regions.put(name, dedent(lines))).as("%s: region %s defined twice", file, name).isNull();
          name = null;
        } else if (name != null) {
          lines.add(line);
        }
      }
      assertThat(name).as("%s: region %s never ends", file, name).isNull();
    }
    return regions;
  }

  private static List<String> dedent(List<String> lines) {
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.toList());
  }

  /** Whether {@code region} appears in {@code text} as consecutive lines, all with the same extra indentation. */
  private static boolean containsIndented(List<String> text, List<String> region) {
    for (int i = 0; i + region.size() <= text.size(); i++) {
      String first = text.get(i);
      if (!first.endsWith(region.get(0))) {
        continue;
      }
      String prefix = first.substring(0, first.length() - region.get(0).length());
      if (!prefix.isBlank()) {
        continue;
      }
      boolean all = true;
      for (int j = 0; j < region.size() && all; j++) {
        String want = region.get(j);
        all = want.isEmpty() ? text.get(i + j).isBlank() : text.get(i + j).equals(prefix + want);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static String readme() throws IOException {
    return Files.readString(moduleDirectory().getParent().resolve("README.md"), StandardCharsets.UTF_8);
  }

  /** sample-tests/, wherever the build runs from. */
  private static Path moduleDirectory() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("src/test/java/io/faketcp/samples")) ? here : here.resolve("sample-tests");
  }
}
