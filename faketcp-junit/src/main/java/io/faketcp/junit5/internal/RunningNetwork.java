package io.faketcp.junit5.internal;

import io.faketcp.dns.DnsServer;
import io.faketcp.dns.Zone;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.Direction;
import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.PacketListener;
import io.faketcp.peer.PeerCounters;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapNativeException;

/**
 * One running fake network: a device from the {@link DevicePool}, the peer answering on it and the
 * capture. Closing stops the peer and the capture's reader, then returns the device to the pool (which
 * closes it in the background). Internal: not part of faketcp's API.
 *
 * <p>Kept in JUnit's {@code ExtensionContext.Store}, which closes it when its test (or class) ends: it
 * is both a {@code CloseableResource} (all JUnit versions; the only kind closed before 5.13, and with
 * {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false}) and an {@link AutoCloseable}
 * (5.13 on), and {@link #close()} acts once, however often it is called.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in 5.13, still the only kind 5.10 to 5.12 close
public final class RunningNetwork implements ExtensionContext.Store.CloseableResource, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunningNetwork.class.getName());
  /** How long reading the capture waits for packets the peer has already seen. */
  static final long COMPLETENESS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
  /**
   * How long a test's end waits for the fake hosts to acknowledge FINs the host has sent (a socket
   * closed just before the test returned): the peer answers within a millisecond or so, and a FIN left
   * unanswered would be retransmitted into the next test's network.
   */
  static final long FIN_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Above this many live connections (connect-many runs) the host's socket tables are too long to read per test. */
  private static final long SETTLE_MAX_CONNECTIONS = 256;

  private final Settings settings;
  private final Prepared prepared;
  private final FakePeer peer;
  private final PacketCapture capture;
  private final long captureBase;
  /**
   * Packets that crossed the device before the last {@link #clearCapture()} but never reached the capture
   * (the ring dropped them): forgotten with the packets, so a snapshot counts only what went missing since.
   */
  private volatile long missedBeforeClear;
  private final BpfProgram filter;
  private final AtomicLong filterMatches = new AtomicLong();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final String holder;
  private volatile int failureMark;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The fake DNS server's address, or null when no name is declared (then none runs). */
  private final Inet4Address dnsAddress;
  /** The fake DNS server; a new one (with the declared names again) for each test of a shared network. */
  private volatile DnsServer dns;
  /** How often each DNS fault changed an answer; the peer counts the packet and connection faults. */
  private final Map<Fault, AtomicLong> dnsActions =
      new ConcurrentHashMap<>();
  /** Makes the fake DNS this JVM's while the network is open; null without names. */
  private final AutoCloseable dnsActive;

  private RunningNetwork(Settings settings, Prepared prepared, BpfProgram filter, String holder) {
    this.settings = settings;
    this.holder = holder;
    this.prepared = prepared;
    this.capture = prepared.capture();
    this.filter = filter;
    if (capture != null) {
      capture.start(settings.subnet(), settings.subnet6(), settings.captureFilter(), CaptureLimits.of(settings));
    }
    this.captureBase = capture == null ? 0 : capture.total();
    this.dnsAddress = settings.names().isEmpty() ? null : Settings.dnsAddress(settings.subnet());
    this.dns = newDns();
    FakePeer.Builder builder = KeptPeerThreads.onKeptThread(FakePeer.builder(prepared.device()), prepared.device())
        .rules(withDns(settings.rules()))
        .faultListener(faultMarks::record)
        .onFailure(this::peerFailed);
    if (settings.responder() != null) {
      builder.responder(settings.responder());
    }
    if (settings.seed() != null) {
      builder.seed(settings.seed());
    }
    PacketListener captureListener = capture == null ? null : capture.peerListener();
    if (filter != null && captureListener != null) {
      builder.listener((direction, packet) -> {
        captureListener.packet(direction, packet);
        countFiltered(direction, packet);
      });
    } else if (filter != null) {
      builder.listener(this::countFiltered);
    } else if (captureListener != null) {
      builder.listener(captureListener);
    }
    this.peer = builder.start();
    this.dnsActive = dnsAddress == null ? null : NameResolution.activate(dnsAddress, name -> {
      Zone names = names();
      return names != null && names.declares(name);
    });
  }

  /** A DNS server for a fresh copy of the declared names; null without names. */
  private DnsServer newDns() {
    return dnsAddress == null ? null
        : new DnsServer(settings.names().copy(), () -> this.peer.rules().faults(),
            f -> dnsActions.computeIfAbsent(f, k -> new AtomicLong()).incrementAndGet());
  }

  /**
   * {@code rules} with the DNS server's rules first, when there is one (on its IPv4 address, and on the
   * IPv6 prefix's {@code ::ff} too on a dual-stack network). Without names, on the subnet
   * whose DNS the launcher's resolv.conf names, the DNS address refuses port 53 (after every other rule)
   * so that a lookup fails at once instead of waiting for the resolver's timeouts.
   */
  private Rules withDns(Rules rules) {
    DnsServer server = dns;
    if (server != null) {
      Rules withServer = server.addTo(rules, dnsAddress);
      return settings.subnet6() == null ? withServer : server.addTo(withServer, settings.subnet6().dnsAddress());
    }
    if (settings.ipv6Only()) {
      return rules; // the launcher's resolv.conf names an IPv4 address, which no packet here reaches
    }
    Inet4Address launcherDns = Settings.dnsAddress(settings.subnet());
    return NameResolution.launcherNames(launcherDns)
        ? rules.with(Rule.of(launcherDns.getHostAddress(), "53", Mode.REJECT)) : rules;
  }

  /** The names the fake DNS serves now (changes reach the next query); null when none were declared. */
  public Zone names() {
    DnsServer server = dns;
    return server == null ? null : server.zone();
  }

  /** The fake DNS server's address; null when no name was declared. */
  public Inet4Address dnsAddress() {
    return dnsAddress;
  }

  /**
   * Opens a fake network for {@code holder} (a test's or class's name) in {@code context}'s run: also
   * keeps a pool drain in the run's root store under {@code namespace} (JUnit closes it when the run
   * ends; it waits until every device is closed) and says once if this JUnit ignores the subnet locks.
   *
   * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException for an overlapping subnet or
   *     a capture filter pcap cannot compile
   */
  public static RunningNetwork open(ExtensionContext context, ExtensionContext.Namespace namespace, Settings settings,
      String holder) {
    JUnitVersion.warnIfLocksIgnored(context);
    // Before the first device of the run is taken: a run whose only network fails after that still drains.
    context.getRoot().getStore(namespace).getOrComputeIfAbsent(PoolDrain.class, k -> new PoolDrain(), PoolDrain.class);
    return open(settings, holder);
  }

  /**
   * Opens a fake network for {@code holder} whose lifetime no JUnit store scopes (a Spring application
   * context's): the caller closes it. Should another network (of a test or another holder) need an
   * overlapping subnet, this one is closed for it instead of making it wait: the caller sees
   * {@link #isClosed()} and opens a new one when it needs the network again. The pool's devices are
   * drained by its shutdown hook.
   *
   * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException for an overlapping subnet or
   *     a capture filter pcap cannot compile
   */
  public static RunningNetwork openUnscoped(Settings settings, String holder) {
    RunningNetwork session = open(settings, holder);
    DevicePool.instance().yieldOnDemand(settings.subnet(), holder, session::yieldSubnet);
    return session;
  }

  /** Closes this network because another one needs an overlapping subnet (see {@link #openUnscoped}). */
  private void yieldSubnet() {
    LOG.log(System.Logger.Level.INFO, "the fake network of {0} on {1} closes: another network needs the subnet",
        holder, settings.subnet());
    close();
  }

  /** Whether {@link #close()} was called (for an unscoped network: also by another network taking the subnet over). */
  public boolean isClosed() {
    return closed.get();
  }

  private static RunningNetwork open(Settings settings, String holder) {
    BpfProgram filter = compileFilter(settings);
    Prepared prepared = DevicePool.instance().acquire(settings, holder);
    try {
      return new RunningNetwork(settings, prepared, filter, holder);
    } catch (RuntimeException | Error e) {
      if (prepared.capture() != null) {
        prepared.capture().stop();
      }
      KeptPeerThreads.end(prepared.device()); // in case it is what failed: the next peer gets a new one
      DevicePool.instance().release(prepared, true);
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
    Optional<String> libpcapMissing = Environment.libpcapMissing();
    if (libpcapMissing.isPresent()) {
      throw new ExtensionConfigurationException(
          Settings.describe(settings.origin(), "captureFilter", settings.captureFilter())
              + " needs libpcap to compile it, and " + libpcapMissing.get());
    }
    try {
      return PcapCapture.compile(settings.captureFilter());
    } catch (PcapNativeException e) {
      throw new ExtensionConfigurationException(
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

  private void countFiltered(Direction direction, ByteBuffer packet) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    if (filter.applyFilter(bytes)) {
      filterMatches.incrementAndGet();
    }
  }

  /** The configuration this network was opened with. */
  public Settings settings() {
    return settings;
  }

  TunDevice device() {
    return prepared.device();
  }

  /** The subnet. */
  public Subnet subnet() {
    return settings.subnet();
  }

  /** The IPv6 prefix beside {@link #subnet()}, or null. */
  public Subnet subnet6() {
    return settings.subnet6();
  }

  /** The tun device's name. */
  public String interfaceName() {
    return prepared.device().name();
  }

  /** The tun device's MTU. */
  public int mtu() {
    return prepared.device().mtu();
  }

  /** Every fake host behaves as {@code mode} from the next packet on. */
  public void mode(Mode mode) {
    peer.mode(mode);
    Rules dropped = peer.rules();
    Rules kept = withDns(dropped);
    if (kept != dropped) {
      peer.rules(kept); // the DNS rules come back at once: a query in between gets the mode's answer
    }
  }

  /** Replaces the peer's rules (the fake DNS server's stay). */
  public void rules(Rules rules) {
    peer.rules(withDns(rules));
  }

  /** The peer's rules in force. */
  public Rules rules() {
    return peer.rules();
  }

  /** Adds a fault to the peer's rules, in force when this returns. */
  public void fault(Fault fault) {
    peer.fault(fault);
  }

  /** Removes every fault from the peer's rules. */
  public void clearFaults() {
    peer.clearFaults();
  }

  /** The seed of the peer's random faults. */
  public long seed() {
    return peer.seed();
  }

  /** How often each fault put in force so far has acted. */
  public Map<Fault, Long> faultActions() {
    Map<Fault, Long> actions = peer.faultActions();
    if (!dnsActions.isEmpty()) {
      actions.replaceAll((f, n) -> dnsActions.containsKey(f) ? dnsActions.get(f).get() : n);
    }
    return actions;
  }

  /** The peer's counters. */
  public PeerCounters counters() {
    return peer.counters();
  }

  /** Runs a connect-many and waits for it. */
  public ConnectManyResult connectMany(ConnectMany request) {
    return peer.connectMany(request);
  }

  /** Starts a connect-many. */
  public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
    return peer.connectManyAsync(request);
  }

  /** Closes the connect-many clients' connections with FIN or RST. */
  public void closeClientConnections(boolean reset) {
    peer.closeClientConnections(reset);
  }

  /**
   * Marks the holder's test (or class) as finished: from now on a test waiting for this subnet is told
   * that the network outlived its holder, should it never be closed.
   */
  public void holderFinished() {
    DevicePool.instance().holderFinished(settings.subnet(), holder);
  }

  /** The interface name and the transcript of the capture so far, for failure output. */
  public String transcript() {
    return transcript(snapshot());
  }

  /** The transcript of {@code snapshot}, each packet marked with what a fault did to it. */
  public String transcript(Snapshot snapshot) {
    return Transcript.of(snapshot.records(), interfaceName(), snapshot.note(), faultMarks);
  }

  /** Whether this network captures its packets. */
  public boolean capturing() {
    return capture != null;
  }

  /** What the faults did, for the transcript. */
  private final FaultMarks faultMarks = new FaultMarks();

  /** What the faults have done so far, for a transcript: a copy later marks do not reach. */
  public FaultMarks faultMarks() {
    return faultMarks.frozen();
  }

  /**
   * The faults in force and their seed, as the failure message and the transcript's header give them:
   * {@code "faults [loss=5%] seed 42 (-Dfaketcp.seed=42 replays it)"}; empty without faults.
   */
  public String faultSummary() {
    List<Fault> faults = peer.rules().faults();
    if (faults.isEmpty() && peer.faultActions().isEmpty()) {
      return "";
    }
    return "faults " + faults + " seed " + peer.seed() + " (-D" + FakePeer.SEED_PROPERTY + "=" + peer.seed()
        + " replays it), actions " + faultActions();
  }

  /** For a network shared by a class: each test starts with the configured rules, an empty capture, no failures. */
  public void beginTest() {
    // The network stays: also wait until the fake hosts have finished their side of the closes (their
    // last packets may leave a moment after the host's socket is done), so none lands in this test's capture.
    settle(() -> peer.counters().closing() > 0);
    // A packet a fault still holds back (a fake host's echo delayed by latency, of a connection the host
    // has reset meanwhile) would leave in this test: let it go first, and the host's answer be read.
    // With faults in force, the peer first reads what the host sent last (the data whose echo a fault
    // will hold may still be queued on the device); without faults nothing can be held: no wait at all.
    if (!peer.faultActions().isEmpty()) {
      peer.awaitQueueRead(Duration.ofNanos(FIN_GRACE_NANOS));
    }
    if (peer.heldPackets() > 0) {
      peer.awaitHeldPackets(Duration.ofNanos(FIN_GRACE_NANOS));
      peer.awaitQueueRead(Duration.ofNanos(FIN_GRACE_NANOS));
    }
    dns = newDns();
    peer.rules(withDns(settings.rules()));
    faultMarks.clear();
    failureMark = failures.size();
    // What crossed the device before now belongs to the test before: the packets, and those the capture missed.
    clearCapture();
  }

  /**
   * Lets the fake hosts acknowledge the FINs the host has sent them (bounded by {@link #FIN_GRACE_NANOS}),
   * so that no close of this test is finished, or retransmitted, in the next one; also while
   * {@code peerBusy} says the peer has more to do. Free when the peer has no connection left open.
   */
  private void settle(BooleanSupplier peerBusy) {
    PeerCounters c = peer.counters();
    long live = c.synReceived() + c.established() + c.closing();
    if (live == 0 || live > SETTLE_MAX_CONNECTIONS || !peer.isRunning()) {
      return;
    }
    long waited = HostFins.awaitNone(java.util.Arrays.asList(settings.subnet(), settings.subnet6()), FIN_GRACE_NANOS,
        peerBusy);
    if (waited < 0) {
      LOG.log(System.Logger.Level.DEBUG, "the host''s FINs to {0} were still unacknowledged after {1} ms",
          settings.subnet() + (settings.subnet6() == null || settings.ipv6Only() ? "" : " and " + settings.subnet6()),
          TimeUnit.NANOSECONDS.toMillis(-waited));
    }
  }

  /** Failures of the peer (or a responder) since the test began. */
  public List<Throwable> failuresSinceTestBegan() {
    List<Throwable> all = new ArrayList<>(failures);
    return all.subList(Math.min(failureMark, all.size()), all.size());
  }

  /** The packets kept so far, at once: without waiting for packets still on their way to the capture. */
  public List<CaptureRecord> recordsNow() {
    if (capture == null) {
      throw new IllegalStateException("capture is off for " + settings);
    }
    return capture.records();
  }

  /**
   * The packets kept so far, after waiting (at most 2 s) until the capture holds every packet the peer
   * has read or written; a shortfall is reported, not waited for.
   */
  public Snapshot snapshot() {
    if (capture == null) {
      throw new IllegalStateException("capture is off for " + settings);
    }
    if (capture.seesOnlyWhatThePeerReads()) {
      // The interface's counters may not count a packet queued for the peer until the peer reads it:
      // let the peer read what the host has sent so far (the handshake's last ACK after connect).
      peer.awaitQueueRead(Duration.ofMillis(500));
    }
    long expected = expectedInCapture();
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
    String cut = Truncation.note(capture.truncated(), capture.overBudget(), settings.origin(),
        settings.captureSnapLength(), settings.captureBudget());
    if (!cut.isEmpty()) {
      note = (note.isEmpty() ? "" : note + "; ") + cut;
    }
    return new Snapshot(records, missing, overLimit, note);
  }

  /**
   * How many packets the capture must have read, since it opened, to be complete now: every packet the peer
   * has read or written, and every packet pcap was handed (the host's it has not read yet, and those pcap's
   * ring dropped: with drops, the peer's count alone can be short by a packet it has yet to read, and the
   * two would hide each other), less those missed before the last clear.
   */
  private long expectedInCapture() {
    return Math.max(captureBase + expectedPackets(), capture.kernelReceivedSinceStart()) - missedBeforeClear;
  }

  private long expectedPackets() {
    if (filter != null) {
      return filterMatches.get();
    }
    PeerCounters c = peer.counters();
    return c.packetsIn() + c.packetsOut();
  }

  /**
   * Forgets the packets captured so far, and the packets that crossed the device so far but never reached
   * the capture: first lets the capture read what the kernel has put in its ring (at most
   * {@link #FIN_GRACE_NANOS}), then counts what is still missing as missed before the clear. A packet the
   * peer is writing at that moment may count as missed and arrive later: clearing while packets flow can
   * hide as many later losses as the peer had packets in its write calls.
   */
  public synchronized void clearCapture() {
    if (capture == null) {
      return;
    }
    long delivered = capture.kernelDeliveredSinceStart();
    if (delivered > capture.total()) {
      capture.awaitTotal(delivered, FIN_GRACE_NANOS);
    }
    long missed = expectedInCapture() - capture.total();
    if (missed > 0) {
      missedBeforeClear += missed;
    }
    capture.clear();
  }

  /** Writes {@code packets} as a pcap file. */
  public void writePcap(Path file, List<CaptureRecord> packets) throws IOException {
    if (capture == null) {
      throw new IllegalStateException("capture is off for " + settings);
    }
    capture.write(file, packets);
  }

  /**
   * Writes {@code <base>.pcap} and {@code <base>.txt} (the transcript) in {@code directory}; the
   * transcript starts with a header and {@code summary} of the packets, each line behind {@code #},
   * and goes on as {@code CapturedPackets.transcript()} would: the faults line, the marked packets.
   *
   * @return the two files
   */
  public List<Path> writeArtefacts(Path directory, String base, Function<List<CaptureRecord>, String> summary)
      throws IOException {
    Snapshot snapshot = snapshot();
    Path pcap = directory.resolve(base + ".pcap");
    Path txt = directory.resolve(base + ".txt");
    Files.createDirectories(directory);
    capture.write(pcap, snapshot.records());
    String header = "# " + base + ": " + snapshot.records().size() + " packet(s) on " + device().name() + " ("
        + settings.subnet() + ", " + peer.rules() + "); peer: " + peer.counters() + "\n"
        + summary.apply(snapshot.records()).lines().map(line -> "# " + line + "\n").collect(Collectors.joining());
    Files.write(txt, (header + Transcript.of(faultSummary(), snapshot.records(), device().name(), snapshot.note(),
        faultMarks)).getBytes(StandardCharsets.UTF_8));
    return List.of(pcap, txt);
  }

  /** Stops the peer and the capture's reader, returns the device to the pool. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      settle(() -> false);
      // What the grace left would retransmit its FIN into the next network on the subnet: end it.
      HostSocketEnd.endFinsInFlight(java.util.Arrays.asList(settings.subnet(), settings.subnet6()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "waiting for or ending the host's FINs failed: " + e, e);
    }
    try {
      if (dnsActive != null) {
        dnsActive.close();
      }
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "deactivating the fake DNS failed: " + e, e);
    }
    try {
      peer.close();
    } finally {
      try {
        if (capture != null) {
          capture.stop();
        }
      } finally {
        DevicePool.instance().release(prepared, !peer.isRunning());
        if (filter != null) {
          filter.free();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "fake network on " + prepared.device() + " (" + settings.rules() + ")";
  }

  /**
   * Captured packets at one moment, with what is known to be missing.
   *
   * @param records the packets kept
   * @param missing packets that crossed the device but did not reach the capture in time
   * @param overLimit packets captured but not kept (capture limit)
   * @param note empty when complete; else what is missing and why
   */
  public record Snapshot(List<CaptureRecord> records, long missing, long overLimit, String note) {}
}
