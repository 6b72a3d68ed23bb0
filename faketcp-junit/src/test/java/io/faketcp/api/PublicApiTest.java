package io.faketcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.tun.TunDevice;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of faketcp-tun and faketcp-junit, as committed in {@code api/*.api} (one line per
 * public type and member, as {@code javap} would print them), and the packages' dependencies.
 *
 * <p>A change of the public API fails this test with the difference. When the change is meant, rewrite
 * the listings and commit them with the change:
 * {@code ./mvnw -B -ntp -pl faketcp-tun,faketcp-junit verify -Dtest=PublicApiTest -Dfaketcp.api.update=true}.
 * Packages named {@code internal}, and the packages inside them, are not API and not listed.
 */
class PublicApiTest {
  private static final Path API = Path.of("..", "api");
  private static final Pattern REFERENCE = Pattern.compile("io/faketcp/([a-z0-9/]+)/[A-Za-z0-9_$]+");

  @Test
  void faketcpTunsPublicApiIsTheCommittedOne() {
    checkListing("faketcp-tun.api", classesOf(TunDevice.class));
  }

  @Test
  void faketcpJunitsPublicApiIsTheCommittedOne() {
    // SubnetLocks implements a 5.12 interface: older JUnit on the test class path cannot load it to list it
    assumeTrue(present("org.junit.jupiter.api.parallel.ResourceLocksProvider"),
        "listed on JUnit 5.12 or later (the tests run on an older JUnit)");
    checkListing("faketcp-junit.api", classesOf(FakeNetworkExtension.class));
  }

  @Test
  void noPackageDependsOnItselfThroughAnother() {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Path root : List.of(location(TunDevice.class), location(FakeNetworkExtension.class))) {
      for (Map.Entry<String, byte[]> c : classFiles(root).entrySet()) {
        String from = packageOf(c.getKey());
        Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
        for (String referenced : referencedClasses(c.getValue())) {
          String p = packageOf(referenced);
          if (!p.equals(from)) {
            to.add(p);
          }
        }
      }
    }
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
    }
    assertThat(cycles).as("package cycles (dependencies: %s)", graph).isEmpty();
  }

  private static boolean present(String className) {
    try {
      Class.forName(className);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  // ---- the listing ----

  static void checkListing(String file, List<Class<?>> classes) {
    String actual = listing(classes);
    Path path = API.resolve(file);
    try {
      if (Boolean.getBoolean("faketcp.api.update")) {
        Files.createDirectories(API);
        Files.writeString(path, actual, StandardCharsets.UTF_8);
        return;
      }
      String expected = Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
      assertThat(actual.lines().collect(Collectors.toList()))
          .as("the public API differs from %s: if that is meant, rerun with -Dfaketcp.api.update=true and commit the"
              + " file", path.normalize())
          .containsExactlyElementsOf(expected.lines().collect(Collectors.toList()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String listing(List<Class<?>> classes) {
    StringBuilder sb = new StringBuilder();
    for (Class<?> c : classes) {
      if (!visible(c) || internal(c.getPackageName()) || c.isSynthetic() || c.isAnonymousClass()) {
        continue;
      }
      sb.append(header(c)).append(" {\n");
      List<String> members = new ArrayList<>();
      for (Field f : c.getDeclaredFields()) {
        if (visible(f) && !f.isSynthetic()) {
          members.add("  " + f.toGenericString().replace(c.getName() + ".", ""));
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (visible(k) && !k.isSynthetic()) {
          members.add("  " + k.toGenericString());
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
          members.add("  " + m.toGenericString().replace(c.getName() + ".", ""));
        }
      }
      Collections.sort(members);
      members.forEach(m -> sb.append(m).append('\n'));
      sb.append("}\n\n");
    }
    return sb.toString();
  }

  /** Whether {@code packageName} is an {@code internal} package or one inside it. */
  private static boolean internal(String packageName) {
    return packageName.endsWith(".internal") || packageName.contains(".internal.");
  }

  private static String header(Class<?> c) {
    // JDK 17's toGenericString leaves out "sealed" and "non-sealed", later JDKs print them: one form for all
    String s = c.toGenericString().replace("non-sealed ", "").replace("sealed ", "");
    if (c.isSealed()) {
      s = s.replaceFirst("(interface|class) ", "sealed $1 ");
    }
    if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()) {
      s += " extends " + c.getGenericSuperclass().getTypeName();
    }
    if (c.getGenericInterfaces().length > 0) {
      s += (c.isInterface() ? " extends " : " implements ")
          + Arrays.stream(c.getGenericInterfaces()).map(t -> t.getTypeName()).sorted().collect(Collectors.joining(", "));
    }
    return s;
  }

  /** Public, or protected in a class users can extend; in a type that is itself visible. */
  private static boolean visible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) && !Modifier.isProtected(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(Member m) {
    int mod = m.getModifiers();
    return Modifier.isPublic(mod) || Modifier.isProtected(mod) && !Modifier.isFinal(m.getDeclaringClass().getModifiers());
  }

  // ---- class files ----

  static List<Class<?>> classesOf(Class<?> anchor) {
    List<Class<?>> classes = new ArrayList<>();
    for (String name : classFiles(location(anchor)).keySet()) {
      if (name.endsWith("package-info") || name.endsWith("module-info") || name.contains("/internal/")) {
        continue; // internal packages are not API (and may hold classes of a later release, JDK 18's resolver)
      }
      try {
        classes.add(Class.forName(name.replace('/', '.'), false, anchor.getClassLoader()));
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
    }
    classes.sort((a, b) -> a.getName().compareTo(b.getName()));
    return classes;
  }

  private static Path location(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Internal names ({@code io/faketcp/tun/TunDevice}) to class file bytes, of a directory or jar: its
   * classes, without the module descriptor and other releases' versions.
   */
  private static Map<String, byte[]> classFiles(Path root) {
    Map<String, byte[]> files = allClassFiles(root);
    files.keySet().removeIf(name -> name.equals("module-info") || name.startsWith("META-INF/"));
    return files;
  }

  private static Map<String, byte[]> allClassFiles(Path root) {
    Map<String, byte[]> files = new TreeMap<>();
    try {
      if (Files.isDirectory(root)) {
        try (Stream<Path> walk = Files.walk(root)) {
          for (Path p : walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
            String name = root.relativize(p).toString().replace('\\', '/');
            files.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(p));
          }
        }
      } else {
        try (JarFile jar = new JarFile(root.toFile())) {
          for (var e : Collections.list(jar.entries())) {
            if (e.getName().endsWith(".class")) {
              try (InputStream in = jar.getInputStream(e)) {
                files.put(e.getName().substring(0, e.getName().length() - ".class".length()), in.readAllBytes());
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Every faketcp class a class file names in its constant pool (code, signatures, descriptors). */
  private static Set<String> referencedClasses(byte[] classFile) {
    Set<String> found = new TreeSet<>();
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile))) {
      in.skipBytes(8); // magic, minor, major
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1: // Utf8
            Matcher m = REFERENCE.matcher(in.readUTF());
            while (m.find()) {
              found.add(m.group());
            }
            break;
          case 3: case 4: // Integer, Float
            in.skipBytes(4);
            break;
          case 5: case 6: // Long, Double: two slots
            in.skipBytes(8);
            i++;
            break;
          case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
            in.skipBytes(2);
            break;
          case 9: case 10: case 11: case 12: case 17: case 18: // refs, NameAndType, Dynamic, InvokeDynamic
            in.skipBytes(4);
            break;
          case 15: // MethodHandle
            in.skipBytes(3);
            break;
          default:
            throw new AssertionError("unknown constant pool tag " + tag);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static String packageOf(String internalName) {
    return internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
  }

  private static void findCycle(Map<String, Set<String>> graph, String start, List<String> path, List<String> cycles) {
    String last = path.get(path.size() - 1);
    for (String next : graph.getOrDefault(last, Set.of())) {
      if (next.equals(start)) {
        String cycle = String.join(" -> ", path) + " -> " + start;
        if (cycles.stream().noneMatch(c -> new TreeSet<>(List.of(c.split(" -> "))).equals(new TreeSet<>(path)))) {
          cycles.add(cycle);
        }
      } else if (!path.contains(next) && next.compareTo(start) > 0) {
        path.add(next);
        findCycle(graph, start, path, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
