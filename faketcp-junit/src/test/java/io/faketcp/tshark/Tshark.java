package io.faketcp.tshark;

import io.faketcp.junit5.Capture;
import io.faketcp.junit5.CapturedPackets;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;

/**
 * Wireshark's {@code tshark} as a judge of the fake peer: writes a test's capture to
 * {@code target/tshark/<class>.<method>.pcap} (kept, for Wireshark) and returns tshark's TCP analysis
 * of it, one {@link TsharkPacket} per frame. Checksums are verified (the extension's devices never
 * offload them), and every payload is taken as data: the verdict is TCP's, not an application
 * dissector's. Where tshark is not installed the test is skipped, but on CI ({@code CI=true}) it
 * fails: {@code .ci/run} installs it.
 */
final class Tshark {
  static final Path DIRECTORY = Path.of("target", "tshark");
  private static final String AGGREGATOR = "\u001f";

  private Tshark() {}

  /** Writes the capture of the running test as a pcap file and analyses it. */
  static TsharkVerdict analyse(Capture capture, TestInfo test) {
    String name = test.getTestClass().map(c -> c.getName().substring(c.getPackageName().length() + 1)).orElse("test")
        .replace('$', '.') + "." + test.getTestMethod().map(m -> m.getName()).orElse(test.getDisplayName());
    Path pcap = DIRECTORY.resolve(name + ".pcap");
    try {
      Files.createDirectories(DIRECTORY);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + DIRECTORY.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    capture.packets(); // waits until every packet the peer read or wrote is in the capture
    return analyse(capture.writePcap(pcap));
  }

  /** Traffic for {@link #analyseComplete}. */
  @FunctionalInterface
  interface Traffic {
    void run() throws Exception;
  }

  /**
   * Runs {@code traffic} until the capture holds every packet of it, at most five times, and analyses
   * that capture. A packet libpcap missed (its ring overflows when the capture thread is not scheduled
   * for a while on a busy machine) is one tshark flags as a segment not captured: the measuring failed,
   * not the peer. Each attempt starts with {@link Capture#clear()}, which forgets the packets missed before
   * it. Fails with the capture's notes when all five were incomplete.
   */
  static TsharkVerdict analyseComplete(Capture capture, TestInfo test, Traffic traffic) throws Exception {
    List<String> notes = new ArrayList<>();
    for (int attempt = 1; attempt <= 5; attempt++) {
      capture.packets(); // waits for the previous attempt's last packets
      capture.clear();
      traffic.run();
      CapturedPackets packets = capture.packets();
      if (packets.isComplete()) {
        if (!notes.isEmpty()) {
          System.out.printf("%s: complete capture at attempt %d, after %s%n", test.getDisplayName(), attempt, notes);
        }
        return analyse(capture, test);
      }
      notes.add(packets.note().replaceAll(";.*", ""));
    }
    throw new AssertionError("the capture missed packets five times, tshark cannot judge: " + notes);
  }

  /** tshark's analysis of every frame of {@code pcap}. */
  static TsharkVerdict analyse(Path pcap) {
    List<String> command = new ArrayList<>(List.of(executable().toString(), "-n", "-r", pcap.toString(),
        "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE",
        "-d", "tcp.port==1-65535,data",
        "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR,
        "-E", "quote=n"));
    for (String field : TsharkPacket.FIELDS) {
      command.add("-e");
      command.add(field);
    }
    Path errors = pcap.resolveSibling(pcap.getFileName() + ".tshark-stderr");
    try {
      Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
      process.getOutputStream().close();
      List<TsharkPacket> packets = new ArrayList<>();
      try (Stream<String> lines = process.inputReader(StandardCharsets.UTF_8).lines()) {
        lines.forEach(line -> packets.add(TsharkPacket.parse(line, AGGREGATOR)));
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("tshark took over a minute on " + pcap);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
            + Files.readString(errors).strip());
      }
      Files.deleteIfExists(errors);
      return new TsharkVerdict(pcap, packets);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run tshark on " + pcap + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for tshark on " + pcap, e);
    }
  }

  /**
   * The tshark on the PATH. Skips the test where there is none, but fails it on CI, where
   * {@code .ci/run} installs it.
   */
  static Path executable() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
        .map(directory -> Path.of(directory, "tshark")).filter(Files::isExecutable).findFirst();
    if (found.isEmpty()) {
      String missing = "tshark is not installed: these tests judge the fake peer by Wireshark's TCP analysis"
          + " (apt-get install tshark; .ci/run installs it)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(missing);
      }
      Assumptions.abort(missing);
    }
    return found.get();
  }
}
