package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.faketcp.peer.Direction;
import io.faketcp.peer.Mode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link CapturedPackets#transcript()} is the transcript a failing test's {@code .txt} has (its
 * {@code # faults} line with the seed, each packet a fault touched marked), so that a passing test can
 * read it: a seeded run drops the same datagrams as another run with that seed.
 */
class SeededTranscriptTest {
  private static final int DATAGRAMS = 40;

  @Test
  void twoRunsWithOneSeedShowTheSameDropsAndAnotherSeedOthers() {
    SeededRuns.transcripts.clear();
    Kit.assertAllSucceeded(Kit.run(SeededRuns.class), 3);
    List<String> transcripts = SeededRuns.transcripts;
    assertThat(transcripts.get(0)).startsWith("# faults [loss-in=30%@192.168.0.5:*] seed 7 (-Dfaketcp.seed=7 replays"
        + " it), actions {loss-in=30%@192.168.0.5:*=");
    List<String> first = dropped(transcripts.get(0));
    List<String> again = dropped(transcripts.get(1));
    List<String> other = dropped(transcripts.get(2));
    assertThat(first).as("30% of " + DATAGRAMS + " dropped").hasSizeBetween(3, 25);
    assertThat(again).as("the same seed drops the same datagrams").isEqualTo(first);
    assertThat(other).as("another seed drops others").isNotEqualTo(first);
    Kit.assertCleanedUp();
  }

  @Test
  void aFailingTestsTranscriptFileEndsWithWhatTheTestCouldReadItself() throws Exception {
    Path txt = Path.of("target/faketcp/SeededTranscriptTest.FailingRun.failsAfterReadingItsTranscript.txt");
    Files.deleteIfExists(txt);
    Kit.run(FailingRun.class).testEvents().assertStatistics(s -> s.failed(1));
    String file = Files.readString(txt);
    String read = FailingRun.transcript;
    assertThat(read).contains("<- dropped by loss-in=30%@192.168.0.5:*");
    assertThat(file).endsWith(read);
    assertThat(file.substring(0, file.length() - read.length()).lines())
        .as("before it, only the file's header").allMatch(line -> line.startsWith("# "));
    Kit.assertCleanedUp();
  }

  /** The lengths of the datagrams the transcript marks as dropped: which ones were lost. */
  private static List<String> dropped(String transcript) {
    return transcript.lines().filter(line -> line.endsWith("<- dropped by loss-in=30%@192.168.0.5:*"))
        .map(line -> line.replaceAll(".*UDP, length (\\d+).*", "$1")).collect(Collectors.toList());
  }

  /** Sends datagrams 1..DATAGRAMS bytes long to .5's discard port, paced, and waits until all are captured. */
  static String sendAndRead(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      for (int i = 1; i <= DATAGRAMS; i++) {
        socket.send(new DatagramPacket(new byte[i], i, net.socketAddress(5, 9)));
        Thread.sleep(1);
      }
      // pcap sees a datagram when the kernel writes it to the device, the peer (which marks what the fault
      // did) when it reads it: under load later. One more datagram, to .6 (no fault there), read after the
      // others: once the peer has read all the capture holds, the marks of the 40 are in.
      socket.send(new DatagramPacket(new byte[1], 1, net.socketAddress(6, 9)));
    }
    capture.await(p -> p.ip().map(ip -> ip.destination().equals(net.address(6))).orElse(false),
        java.time.Duration.ofSeconds(5));
    long toPeer = capture.packets().stream().filter(p -> p.direction() == Direction.TO_PEER).count();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (control.counters().packetsIn() < toPeer && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return capture.packets().transcript();
  }

  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class SeededRuns {
    static final List<String> transcripts = new CopyOnWriteArrayList<>();

    @Test
    @FakeNetwork(mode = Mode.DISCARD, faults = "loss-in=30%@192.168.0.5:*", seed = 7)
    void a(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
      transcripts.add(sendAndRead(net, control, capture));
    }

    @Test
    @FakeNetwork(mode = Mode.DISCARD, faults = "loss-in=30%@192.168.0.5:*", seed = 7)
    void b(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
      transcripts.add(sendAndRead(net, control, capture));
    }

    @Test
    @FakeNetwork(mode = Mode.DISCARD, faults = "loss-in=30%@192.168.0.5:*", seed = 8)
    void c(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
      transcripts.add(sendAndRead(net, control, capture));
    }
  }

  static class FailingRun {
    static String transcript;

    @Test
    @FakeNetwork(mode = Mode.DISCARD, faults = "loss-in=30%@192.168.0.5:*", seed = 7)
    void failsAfterReadingItsTranscript(NetworkInfo net, NetworkControl control, Capture capture) throws Exception {
      transcript = sendAndRead(net, control, capture);
      fail("the application broke");
    }
  }
}
