package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the guide — README.md and every page under docs/ — true to compiled code and to itself: every
 * region of this module's test sources (and the Spring Boot sample's) marked {@code // tag::NAME[]} ...
 * {@code // end::NAME[]} appears verbatim in at least one page, every {@code java} block of every page is
 * one of those regions, every relative link of those pages and of BENCHMARKS.md leads to a file of the
 * repository (and, with {@code #anchor}, to a heading of that page), and the README links to every page of
 * the guide.
 */
class ReadmeSnippetsTest {
  private static final Pattern START = Pattern.compile("^\\s*// tag::([\\w-]+)\\[]\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// end::([\\w-]+)\\[]\\s*$");
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");
  private static final Pattern FENCED_BLOCK = Pattern.compile("(?ms)^\\s*```.*?^\\s*```\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
  private static final Pattern LINK = Pattern.compile("\\[[^\\]\\n]*]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} +(.+?) *#*$");

  @Test
  void everyTaggedRegionIsInAPageOfTheGuide() throws IOException {
    Map<String, List<String>> regions = regions();
    Map<Path, List<String>> pages = new LinkedHashMap<>();
    for (Map.Entry<Path, String> page : pages().entrySet()) {
      pages.put(page.getKey(), page.getValue().lines().collect(Collectors.toList()));
    }

    assertThat(regions).as("tagged regions in sample-tests").isNotEmpty();
    for (Map.Entry<String, List<String>> region : regions.entrySet()) {
      assertThat(pages.values().stream().anyMatch(lines -> containsIndented(lines, region.getValue())))
          .as("README.md or a page of docs/ contains region '%s' verbatim:%n%s", region.getKey(),
              String.join("\n", region.getValue()))
          .isTrue();
    }
  }

  @Test
  void everyJavaBlockOfEveryPageIsATaggedRegion() throws IOException {
    List<String> regions = regions().values().stream().map(lines -> String.join("\n", lines) + "\n")
        .collect(Collectors.toList());
    int readmeBlocks = 0;
    for (Map.Entry<Path, String> page : pages().entrySet()) {
      Matcher block = JAVA_BLOCK.matcher(page.getValue());
      int blocks = 0;
      while (block.find()) {
        blocks++;
        assertThat(regions).as("%s: java block #%d comes from a tagged region", name(page.getKey()), blocks)
            .contains(block.group(1));
      }
      if (page.getKey().getFileName().toString().equals("README.md") && page.getKey().getParent().equals(root())) {
        readmeBlocks = blocks;
      }
    }
    assertThat(readmeBlocks).as("java blocks in README.md").isPositive();
  }

  @Test
  void everyRelativeLinkLeadsToAFileAndItsHeading() throws IOException {
    Map<Path, Set<String>> anchors = new HashMap<>();
    int links = 0;
    Map<Path, String> pages = pages();
    Path benchmarks = root().resolve("BENCHMARKS.md");
    pages.put(benchmarks, Files.readString(benchmarks, StandardCharsets.UTF_8));
    for (Map.Entry<Path, String> page : pages.entrySet()) {
      for (String target : links(page.getValue())) {
        if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
          continue; // https:, mailto: ...
        }
        links++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page.getKey() : page.getKey().getParent().resolve(file).normalize();
        assertThat(resolved.startsWith(root())).as("%s: link '%s' stays in the repository", name(page.getKey()), target)
            .isTrue();
        assertThat(Files.exists(resolved)).as("%s: link '%s' leads to an existing file (%s)", name(page.getKey()),
            target, resolved).isTrue();
        if (hash >= 0) {
          String anchor = target.substring(hash + 1);
          assertThat(resolved.toString()).as("%s: link '%s' has an anchor, so it must lead to a page",
              name(page.getKey()), target).endsWith(".md");
          Set<String> headings = anchors.computeIfAbsent(resolved, ReadmeSnippetsTest::anchors);
          assertThat(headings).as("%s: link '%s' leads to a heading of %s", name(page.getKey()), target,
              name(resolved)).contains(anchor);
        }
      }
    }
    assertThat(links).as("relative links in the guide").isPositive();
  }

  @Test
  void theReadmeLinksToEveryPageOfTheGuide() throws IOException {
    Path readme = root().resolve("README.md");
    Set<Path> linked = new TreeSet<>();
    for (String target : links(Files.readString(readme, StandardCharsets.UTF_8))) {
      int hash = target.indexOf('#');
      linked.add(readme.getParent().resolve(hash < 0 ? target : target.substring(0, hash)).normalize());
    }
    List<Path> guide = guidePages();
    assertThat(guide).as("pages under docs/").isNotEmpty();
    assertThat(linked).as("pages README.md links to").containsAll(guide);
  }

  @Test
  void anchorsAreGitHubs() {
    assertThat(anchors("# Reach: the machine's services from inside the namespace\n## `@ContextFakeNetwork` (faketcp-spring)\n"
        + "```\n# not a heading\n```\n## Faults\n## Faults\n"))
        .containsExactlyInAnyOrder("reach-the-machines-services-from-inside-the-namespace",
            "contextfakenetwork-faketcp-spring", "faults", "faults-1");
  }

  /** The targets of the page's Markdown links, outside code blocks and code spans. */
  private static List<String> links(String page) {
    String text = INLINE_CODE.matcher(FENCED_BLOCK.matcher(page).replaceAll("")).replaceAll("");
    List<String> targets = new ArrayList<>();
    Matcher link = LINK.matcher(text);
    while (link.find()) {
      targets.add(link.group(1));
    }
    return targets;
  }

  private static Set<String> anchors(Path page) {
    try {
      return anchors(Files.readString(page, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + page, e);
    }
  }

  /** The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as '-', repeats numbered. */
  private static Set<String> anchors(String page) {
    Set<String> anchors = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher heading = HEADING.matcher(FENCED_BLOCK.matcher(page).replaceAll(""));
    while (heading.find()) {
      String slug = heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int repeats = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(repeats == 0 ? slug : slug + "-" + repeats);
    }
    return anchors;
  }

  /** README.md and every page under docs/, by path. */
  private static Map<Path, String> pages() throws IOException {
    Map<Path, String> pages = new LinkedHashMap<>();
    pages.put(root().resolve("README.md"), Files.readString(root().resolve("README.md"), StandardCharsets.UTF_8));
    for (Path page : guidePages()) {
      pages.put(page, Files.readString(page, StandardCharsets.UTF_8));
    }
    return pages;
  }

  private static List<Path> guidePages() throws IOException {
    try (Stream<Path> list = Files.list(root().resolve("docs"))) {
      return list.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList());
    }
  }

  private static String name(Path page) {
    return root().relativize(page).toString();
  }

  /** Regions by name, each dedented by its common indentation. */
  private static Map<String, List<String>> regions() throws IOException {
    Path module = moduleDirectory();
    List<Path> files = new ArrayList<>();
    // This module's tests and the Spring Boot sample's (docs/spring.md).
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

  /** The repository's root directory. */
  private static Path root() {
    return moduleDirectory().getParent();
  }

  /** sample-tests/, wherever the build runs from. */
  private static Path moduleDirectory() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("src/test/java/io/faketcp/samples")) ? here : here.resolve("sample-tests");
  }
}
