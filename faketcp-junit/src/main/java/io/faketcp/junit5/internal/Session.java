package io.faketcp.junit5.internal;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.PacketListener;
import io.faketcp.peer.PeerCounters;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapNativeException;

/**
 * One running fake network: a device from the {@link DevicePool}, the peer answering on it and the
 * capture. Closing stops the peer and the capture's reader, then returns the device to the pool (which
 * closes it in the background).
 */
public final class Session implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Session.class.getName());
  /** How long reading the capture waits for packets the peer has already seen. */
  static final long COMPLETENESS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Settings settings;
  private final Prepared prepared;
  private final FakePeer peer;
  private final PcapCapture capture;
  private final long captureBase;
  private final BpfProgram filter;
  private final AtomicLong filterMatches = new AtomicLong();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private volatile int failureMark;
  private volatile boolean closed;

  private Session(Settings settings, Prepared prepared, BpfProgram filter) {
    this.settings = settings;
    this.prepared = prepared;
    this.capture = prepared.capture;
    this.filter = filter;
    if (capture != null) {
      capture.start(settings.subnet(), settings.captureFilter(), settings.captureLimit());
    }
    this.captureBase = capture == null ? 0 : capture.total();
    FakePeer.Builder builder = FakePeer.builder(prepared.device)
        .rules(settings.rules())
        .faultListener(faultMarks::record)
        .onFailure(this::peerFailed);
    if (settings.responder() != null) {
      builder.responder(settings.responder());
    }
    if (filter != null) {
      builder.listener(this::countFiltered);
    }
    this.peer = builder.start();
  }

  /**
   * Opens a fake network for {@code holder} (a test's or class's name).
   *
   * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException for an overlapping subnet or
   *     a capture filter pcap cannot compile
   */
  public static Session open(Settings settings, String holder) {
    BpfProgram filter = compileFilter(settings);
    Prepared prepared = DevicePool.instance().acquire(settings, holder);
    try {
      return new Session(settings, prepared, filter);
    } catch (RuntimeException | Error e) {
      if (prepared.capture != null) {
        prepared.capture.stop();
      }
      DevicePool.instance().release(prepared);
      if (filter != null) {
        filter.free();
      }
      throw e;
    }
  }

  private static BpfProgram compileFilter(Settings settings) {
    if (settings.captureFilter().isEmpty()) {
      return null;
    }
    try {
      return PcapCapture.compile(settings.captureFilter());
    } catch (PcapNativeException e) {
      throw new org.junit.jupiter.api.extension.ExtensionConfigurationException(
          Settings.describe(settings.origin(), "captureFilter", settings.captureFilter())
              + " is invalid: pcap cannot compile it: " + e.getMessage());
    }
  }

  private void peerFailed(Throwable t) {
    failures.add(t);
    if (settings.onFailure() != null) {
      try {
        settings.onFailure().accept(t);
      } catch (RuntimeException e) {
        t.addSuppressed(e);
      }
    }
  }

  private void countFiltered(io.faketcp.peer.Direction direction, ByteBuffer packet) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    if (filter.applyFilter(bytes)) {
      filterMatches.incrementAndGet();
    }
  }

  public Settings settings() {
    return settings;
  }

  public TunDevice device() {
    return prepared.device;
  }

  public FakePeer peer() {
    return peer;
  }

  public boolean capturing() {
    return capture != null;
  }

  /** What the faults did, for the transcript. */
  private final FaultMarks faultMarks = new FaultMarks();

  /**
   * The faults in force and their seed, as the failure message and the transcript's header give them:
   * {@code "faults [loss=5%] seed 42 (-Dfaketcp.seed=42 replays it)"}; empty without faults.
   */
  public String faultSummary() {
    java.util.List<io.faketcp.peer.Fault> faults = peer.rules().faults();
    if (faults.isEmpty() && peer.faultActions().isEmpty()) {
      return "";
    }
    return "faults " + faults + " seed " + peer.seed() + " (-D" + FakePeer.SEED_PROPERTY + "=" + peer.seed()
        + " replays it), actions " + peer.faultActions();
  }

  /** For a network shared by a class: each test starts with the configured rules, an empty capture, no failures. */
  public void beginTest() {
    peer.rules(settings.rules());
    faultMarks.clear();
    failureMark = failures.size();
    if (capture != null) {
      capture.clear();
    }
  }

  /** Failures of the peer (or a responder) since the test began. */
  public List<Throwable> failuresSinceTestBegan() {
    List<Throwable> all = new ArrayList<>(failures);
    return all.subList(Math.min(failureMark, all.size()), all.size());
  }

  /**
   * The packets kept so far, after waiting (at most 2 s) until the capture holds every packet the peer
   * has read or written; a shortfall is reported, not waited for.
   */
  public Snapshot snapshot() {
    if (capture == null) {
      throw new IllegalStateException("capture is off for " + settings);
    }
    // Complete means: every packet the peer has read or written, and every packet the kernel has
    // already put in the capture's ring (sent by the host, not yet read by the peer), was read.
    long expected = Math.max(captureBase + expectedPackets(), capture.kernelDeliveredSinceStart());
    boolean complete = capture.awaitTotal(expected, COMPLETENESS_WAIT_NANOS);
    List<CaptureRecord> records = capture.records();
    String note = "";
    long missing = 0;
    if (!complete) {
      missing = expected - capture.total();
      note = missing + " packet(s) crossed " + device().name() + " but were not captured within 2 s ("
          + capture.dropReport() + ")";
      LOG.log(System.Logger.Level.WARNING, note);
    }
    long overLimit = capture.overLimit();
    if (overLimit > 0) {
      note = (note.isEmpty() ? "" : note + "; ") + overLimit + " packet(s) not kept: capture limit "
          + settings.captureLimit() + " reached";
    }
    return new Snapshot(records, missing, overLimit, note);
  }

  private long expectedPackets() {
    if (filter != null) {
      return filterMatches.get();
    }
    PeerCounters c = peer.counters();
    return c.packetsIn() + c.packetsOut();
  }

  /** Forgets the packets captured so far. */
  public void clearCapture() {
    if (capture != null) {
      capture.clear();
    }
  }

  /** Writes {@code packets} as a pcap file. */
  public void writePcap(Path file, List<CaptureRecord> packets) throws IOException {
    if (capture == null) {
      throw new IllegalStateException("capture is off for " + settings);
    }
    capture.write(file, packets);
  }

  /**
   * Writes {@code <base>.pcap} and {@code <base>.txt} (the transcript) in {@code directory}.
   *
   * @return the two files
   */
  public List<Path> writeArtefacts(Path directory, String base) throws IOException {
    Snapshot snapshot = snapshot();
    Path pcap = directory.resolve(base + ".pcap");
    Path txt = directory.resolve(base + ".txt");
    Files.createDirectories(directory);
    capture.write(pcap, snapshot.records);
    String faults = faultSummary();
    String header = "# " + base + ": " + snapshot.records.size() + " packet(s) on " + device().name() + " ("
        + settings.subnet() + ", " + peer.rules() + "); peer: " + peer.counters() + "\n"
        + (faults.isEmpty() ? "" : "# " + faults + "\n");
    Files.write(txt, (header + Transcript.of(snapshot.records, device().name(), snapshot.note, faultMarks))
        .getBytes(StandardCharsets.UTF_8));
    return List.of(pcap, txt);
  }

  /** Stops the peer and the capture's reader, returns the device to the pool. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      peer.close();
    } finally {
      try {
        if (capture != null) {
          capture.stop();
        }
      } finally {
        DevicePool.instance().release(prepared);
        if (filter != null) {
          filter.free();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "fake network on " + prepared.device + " (" + settings.rules() + ")";
  }

  /** Captured packets at one moment, with what is known to be missing. */
  public static final class Snapshot {
    private final List<CaptureRecord> records;
    private final long missing;
    private final long overLimit;
    private final String note;

    Snapshot(List<CaptureRecord> records, long missing, long overLimit, String note) {
      this.records = records;
      this.missing = missing;
      this.overLimit = overLimit;
      this.note = note;
    }

    public List<CaptureRecord> records() {
      return records;
    }

    /** Packets that crossed the device but did not reach the capture in time. */
    public long missing() {
      return missing;
    }

    /** Packets captured but not kept (capture limit). */
    public long overLimit() {
      return overLimit;
    }

    /** Empty when complete; else says what is missing and why. */
    public String note() {
      return note;
    }
  }
}
