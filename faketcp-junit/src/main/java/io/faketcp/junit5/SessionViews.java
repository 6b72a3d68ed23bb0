package io.faketcp.junit5;

import io.faketcp.junit5.internal.CaptureRecord;
import io.faketcp.junit5.internal.Session;
import io.faketcp.peer.Mode;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.PeerCounters;
import io.faketcp.peer.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.opentest4j.AssertionFailedError;
import java.util.concurrent.CompletableFuture;

/**
 * The public views of an internal {@link Session}: for faketcp's own integrations that open a network
 * outside this extension (faketcp-spring's application-context networks); a test never needs it.
 */
public final class SessionViews {
  private SessionViews() {}

  /** Where {@code session}'s network is. */
  public static NetworkInfo info(Session session) {
    return new NetworkInfo(session.subnet(), session.subnet6(), session.interfaceName(), session.mtu(),
        session.dnsAddress(), session::names);
  }

  /** The handle on {@code session}'s fake peer. */
  public static NetworkControl control(Session session) {
    return new Control(session);
  }

  /** {@code session}'s capture (since its last {@link Session#beginTest()} or clear). */
  public static Capture capture(Session session) {
    return new SessionCapture(session);
  }

  /** Failure artefacts of networks opened outside this extension: their own store namespace. */
  private static final FailureArtefacts ARTEFACTS = new FailureArtefacts(
      org.junit.jupiter.api.extension.ExtensionContext.Namespace.create(SessionViews.class), Callbacks::connectionsSummary);

  /**
   * As for {@link FakeNetwork}'s tests: writes {@code session}'s capture as the failure artefacts of the
   * test of {@code context} and names them in {@code failure} (unless it is not a failure of the code
   * under test, or the artefacts of this test are written already).
   */
  public static void recordFailure(org.junit.jupiter.api.extension.ExtensionContext context, Session session,
      Throwable failure) {
    ARTEFACTS.onFailure(context, session, failure);
  }

  static CapturedPackets packets(Session session) {
    Session.Snapshot s = session.snapshot();
    return CapturedPackets.of(s.records(), session.interfaceName(), s.missing(), s.note());
  }

  private static final class Control implements NetworkControl {
    private final Session session;

    Control(Session session) {
      this.session = session;
    }

    @Override
    public void mode(Mode mode) {
      session.mode(mode);
    }

    @Override
    public void rules(Rules rules) {
      session.rules(rules);
    }

    @Override
    public io.faketcp.dns.Zone names() {
      io.faketcp.dns.Zone names = session.names();
      if (names == null) {
        throw new IllegalStateException("no fake DNS runs on this network: declare a name, e.g. @FakeNetwork(hosts ="
            + " \"db.test=" + session.subnet().address(5).getHostAddress() + "\"), to start one");
      }
      return names;
    }

    @Override
    public void fault(io.faketcp.peer.Fault fault) {
      session.fault(fault);
    }

    @Override
    public void clearFaults() {
      session.clearFaults();
    }

    @Override
    public long seed() {
      return session.seed();
    }

    @Override
    public java.util.Map<io.faketcp.peer.Fault, Long> faultActions() {
      return session.faultActions();
    }

    @Override
    public Rules rules() {
      return session.rules();
    }

    @Override
    public PeerCounters counters() {
      return session.counters();
    }

    @Override
    public ConnectManyResult connectMany(int port, int count) {
      return connectMany(ConnectMany.to(new InetSocketAddress(session.subnet().hostAddress(), port), count));
    }

    @Override
    public ConnectManyResult connectMany(ConnectMany request) {
      return session.connectMany(request);
    }

    @Override
    public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
      return session.connectManyAsync(request);
    }

    @Override
    public void closeClientConnections(boolean reset) {
      session.closeClientConnections(reset);
    }

    @Override
    public String toString() {
      return "NetworkControl of " + session;
    }
  }

  private static final class SessionCapture implements Capture {
    private final Session session;

    SessionCapture(Session session) {
      this.session = session;
    }

    @Override
    public CapturedPackets packets() {
      return SessionViews.packets(session);
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
        List<CaptureRecord> records = session.recordsNow();
        for (int i = Math.min(seen, records.size()); i < records.size(); i++) {
          CapturedPacket packet = new CapturedPacket(records.get(i));
          if (pattern.test(packet)) {
            return packet;
          }
        }
        seen = records.size();
        if (System.nanoTime() - deadline >= 0) {
          CapturedPackets all = SessionViews.packets(session);
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
      session.clearCapture();
    }

    @Override
    public Path writePcap(Path file) {
      try {
        session.writePcap(file, session.snapshot().records());
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "Capture on " + session.interfaceName();
    }
  }
}
