package io.faketcp.junit5;

import io.faketcp.dns.Zone;
import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.RunningNetwork;
import io.faketcp.junit5.internal.Views;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.PeerCounters;
import io.faketcp.peer.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * The views injected into tests, of a {@link RunningNetwork}: each calls the network directly. Made for
 * {@link FakeNetworkExtension} and, through {@link Views}, for faketcp-spring's application-context
 * networks. Internal: not part of faketcp's API.
 */
final class NetworkViews implements Views.Maker<NetworkInfo, NetworkControl, Capture> {
  static final NetworkViews INSTANCE = new NetworkViews();

  private NetworkViews() {}

  @Override
  public NetworkInfo info(RunningNetwork network) {
    return new NetworkInfo(network.subnet(), network.subnet6(), network.interfaceName(), network.mtu(),
        network.dnsAddress(), network::names);
  }

  @Override
  public NetworkControl control(RunningNetwork network) {
    return new Control(network);
  }

  @Override
  public Capture capture(RunningNetwork network) {
    return new SessionCapture(network);
  }

  /** Failure artefacts of networks opened outside the extension: their own store namespace. */
  private static final FailureArtefacts ARTEFACTS = new FailureArtefacts(
      ExtensionContext.Namespace.create(NetworkViews.class), FakeNetworkExtension::connectionsSummary);

  @Override
  public void recordFailure(ExtensionContext context, RunningNetwork network, Throwable failure) {
    ARTEFACTS.onFailure(context, network, failure);
  }

  static CapturedPackets packets(RunningNetwork network) {
    RunningNetwork.Snapshot s = network.snapshot();
    return CapturedPackets.of(s.records(), network.interfaceName(), s.missing(), s.note(), network.faultSummary(),
        network.faultMarks());
  }

  private static final class Control implements NetworkControl {
    private final RunningNetwork network;

    Control(RunningNetwork network) {
      this.network = network;
    }

    @Override
    public void mode(Mode mode) {
      network.mode(mode);
    }

    @Override
    public void rules(Rules rules) {
      network.rules(rules);
    }

    @Override
    public Zone names() {
      Zone names = network.names();
      if (names == null) {
        throw new IllegalStateException("no fake DNS runs on this network: declare a name, e.g. @FakeNetwork(hosts ="
            + " \"db.test=" + (network.subnet().isIpv6() ? "192.168.0.5\", subnet6 = \"" + network.subnet()
                : network.subnet().address(5).getHostAddress()) + "\"), to start one");
      }
      return names;
    }

    @Override
    public void fault(Fault fault) {
      network.fault(fault);
    }

    @Override
    public void clearFaults() {
      network.clearFaults();
    }

    @Override
    public long seed() {
      return network.seed();
    }

    @Override
    public Map<Fault, Long> faultActions() {
      return network.faultActions();
    }

    @Override
    public Rules rules() {
      return network.rules();
    }

    @Override
    public PeerCounters counters() {
      return network.counters();
    }

    @Override
    public ConnectManyResult connectMany(int port, int count) {
      return connectMany(ConnectMany.to(new InetSocketAddress(network.subnet().host(), port), count));
    }

    @Override
    public ConnectManyResult connectMany(ConnectMany request) {
      return network.connectMany(request);
    }

    @Override
    public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
      return network.connectManyAsync(request);
    }

    @Override
    public void closeClientConnections(boolean reset) {
      network.closeClientConnections(reset);
    }

    @Override
    public String toString() {
      return "NetworkControl of " + network;
    }
  }

  private static final class SessionCapture implements Capture {
    private final RunningNetwork network;

    SessionCapture(RunningNetwork network) {
      this.network = network;
    }

    @Override
    public CapturedPackets packets() {
      return NetworkViews.packets(network);
    }

    @Override
    public CapturedPacket await(Predicate<? super CapturedPacket> pattern, Duration timeout) {
      if (pattern == null || timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException("capture.await(pattern, timeout) needs a pattern and a timeout of 0 or more,"
            + " got pattern " + pattern + ", timeout " + timeout);
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      int seen = 0;
      while (true) {
        List<CaptureRecord> records = network.recordsNow();
        for (int i = Math.min(seen, records.size()); i < records.size(); i++) {
          CapturedPacket packet = new CapturedPacket(records.get(i));
          if (pattern.test(packet)) {
            return packet;
          }
        }
        seen = records.size();
        if (System.nanoTime() - deadline >= 0) {
          CapturedPackets all = NetworkViews.packets(network);
          throw new AssertionFailedError("Waited " + timeout.toMillis() + " ms for a packet matching " + describe(pattern)
              + " but none came\nCaptured packets on " + all.interfaceName() + " (" + all.size() + "):\n"
              + all.transcript());
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a packet matching " + pattern, e);
        }
      }
    }

    private static String describe(Predicate<?> pattern) {
      try {
        boolean described = pattern.getClass().getMethod("toString").getDeclaringClass() != Object.class;
        return described ? pattern.toString() : "the given predicate";
      } catch (NoSuchMethodException e) {
        return "the given predicate";
      }
    }

    @Override
    public void clear() {
      network.clearCapture();
    }

    @Override
    public Path writePcap(Path file) {
      try {
        network.writePcap(file, network.snapshot().records());
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "Capture on " + network.interfaceName();
    }
  }
}
