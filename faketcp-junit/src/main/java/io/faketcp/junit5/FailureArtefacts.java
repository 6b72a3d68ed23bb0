package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.RunningNetwork;
import io.faketcp.junit5.internal.Transcript;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.opentest4j.TestAbortedException;

/**
 * The failure artefacts of the extension: when a test fails, writes its capture to
 * {@code <test>.pcap} and a tcpdump-style {@code <test>.txt} under {@code target/faketcp} (or the
 * directory named by {@link #DIRECTORY_PROPERTY}), and names both in a report entry and in a note
 * suppressed by the failure. One set per test, named in its first failure. Internal: not part of
 * faketcp's API.
 */
final class FailureArtefacts {
  /** System property naming the directory for failure artefacts; default {@code target/faketcp}. */
  static final String DIRECTORY_PROPERTY = "faketcp.artefacts";
  private static final System.Logger LOG = System.getLogger(FailureArtefacts.class.getName());
  private static final String ARTEFACTS_KEY = "artefacts";
  private static final Pattern INVOCATION = Pattern.compile("\\[(?:test-template-invocation|dynamic-test):#(\\d+)]");

  private final ExtensionContext.Namespace namespace;
  private final Function<List<CaptureRecord>, String> summary;

  /**
   * @param namespace the extension's store namespace, where a test's artefacts are marked as written
   * @param summary what the transcript file says about the packets before listing them (their TCP
   *     connections)
   */
  FailureArtefacts(ExtensionContext.Namespace namespace, Function<List<CaptureRecord>, String> summary) {
    this.namespace = namespace;
    this.summary = summary;
  }

  /** Records the artefacts for {@code throwable}, unless it is not a failure of the code under test. */
  void onFailure(ExtensionContext context, RunningNetwork network, Throwable throwable) {
    if (throwable instanceof TestAbortedException || throwable instanceof ParameterResolutionException
        || throwable instanceof ExtensionConfigurationException) {
      return; // not a failure of the code under test: no capture to look at
    }
    if (network != null) {
      recordArtefacts(context, network, throwable);
    }
  }

  /** Writes the artefacts of {@code network}'s capture and names them in {@code failure}. */
  void recordArtefacts(ExtensionContext context, RunningNetwork network, Throwable failure) {
    ExtensionContext.Store store = context.getStore(namespace);
    if (store.get(ARTEFACTS_KEY) != null) {
      return; // one set per test, named in the first failure
    }
    if (!network.capturing()) {
      // No capture to write, but the seed must not be lost: it is what replays the failure.
      String faults = network.faultSummary();
      if (!faults.isEmpty()) {
        store.put(ARTEFACTS_KEY, Boolean.TRUE);
        failure.addSuppressed(new CaptureWritten("faketcp " + faults));
      }
      return;
    }
    store.put(ARTEFACTS_KEY, Boolean.TRUE);
    Path directory = Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/faketcp"));
    String base = artefactName(context);
    try {
      List<Path> files = network.writeArtefacts(directory, base, summary);
      Map<String, String> entry = new LinkedHashMap<>();
      entry.put("faketcp.pcap", files.get(0).toAbsolutePath().toString());
      entry.put("faketcp.transcript", files.get(1).toAbsolutePath().toString());
      context.publishReportEntry(entry);
      RunningNetwork.Snapshot captured = network.snapshot();
      String faults = network.faultSummary();
      String message = "faketcp capture of " + context.getDisplayName() + " (" + captured.records().size()
          + " packets on " + network.interfaceName() + (faults.isEmpty() ? "" : "; " + faults) + ") written to "
          + files.get(0) + " and " + files.get(1) + ":\n"
          + truncate(network.transcript(captured));
      failure.addSuppressed(new CaptureWritten(message));
      LOG.log(System.Logger.Level.INFO, "test {0} failed; capture written to {1} and {2}", context.getUniqueId(),
          files.get(0).toAbsolutePath(), files.get(1).toAbsolutePath());
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "could not write the capture of " + context.getUniqueId() + ": " + e, e);
      failure.addSuppressed(new CaptureWritten("faketcp could not write the capture to " + directory + ": " + e));
    }
  }

  private static String truncate(String transcript) {
    String[] lines = transcript.split("\n", -1);
    if (lines.length <= 200) {
      return transcript;
    }
    return String.join("\n", Arrays.copyOf(lines, 200)) + "\n... (" + (lines.length - 200)
        + " more lines in the .txt file)\n";
  }

  /** The artefacts' base name: {@code <class>.<method>}, plus {@code -<index>} per template or dynamic invocation. */
  static String artefactName(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    String className = testClass.getName().substring(testClass.getPackageName().isEmpty() ? 0
        : testClass.getPackageName().length() + 1).replace('$', '.');
    String name = className + "." + context.getTestMethod().map(Method::getName).orElse("class");
    Matcher m = INVOCATION.matcher(context.getUniqueId());
    List<String> indexes = new ArrayList<>();
    while (m.find()) {
      indexes.add(m.group(1));
    }
    return indexes.isEmpty() ? name : name + "-" + String.join("-", indexes);
  }

  /** Names the failure artefacts in the failure's output; a note, not a cause. */
  static final class CaptureWritten extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CaptureWritten(String message) {
      super(message, null, false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
