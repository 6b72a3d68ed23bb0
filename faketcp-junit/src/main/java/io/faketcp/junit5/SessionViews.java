package io.faketcp.junit5;

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
import java.util.concurrent.CompletableFuture;

/** The public views of an internal {@link Session}. */
final class SessionViews {
  private SessionViews() {}

  static NetworkInfo info(Session session) {
    return new NetworkInfo(session.settings().subnet(), session.device().name(), session.device().mtu());
  }

  static NetworkControl control(Session session) {
    return new Control(session);
  }

  static Capture capture(Session session) {
    return new SessionCapture(session);
  }

  static CapturedPackets packets(Session session) {
    Session.Snapshot s = session.snapshot();
    return CapturedPackets.of(s.records(), session.device().name(), s.missing(), s.note());
  }

  private static final class Control implements NetworkControl {
    private final Session session;

    Control(Session session) {
      this.session = session;
    }

    @Override
    public void mode(Mode mode) {
      session.peer().mode(mode);
    }

    @Override
    public void rules(Rules rules) {
      session.peer().rules(rules);
    }

    @Override
    public void fault(io.faketcp.peer.Fault fault) {
      session.peer().fault(fault);
    }

    @Override
    public void clearFaults() {
      session.peer().clearFaults();
    }

    @Override
    public long seed() {
      return session.peer().seed();
    }

    @Override
    public java.util.Map<io.faketcp.peer.Fault, Long> faultActions() {
      return session.peer().faultActions();
    }

    @Override
    public Rules rules() {
      return session.peer().rules();
    }

    @Override
    public PeerCounters counters() {
      return session.peer().counters();
    }

    @Override
    public ConnectManyResult connectMany(int port, int count) {
      return connectMany(ConnectMany.to(new InetSocketAddress(session.settings().subnet().hostAddress(), port), count));
    }

    @Override
    public ConnectManyResult connectMany(ConnectMany request) {
      return session.peer().connectMany(request);
    }

    @Override
    public CompletableFuture<ConnectManyResult> connectManyAsync(ConnectMany request) {
      return session.peer().connectManyAsync(request);
    }

    @Override
    public void closeClientConnections(boolean reset) {
      session.peer().closeClientConnections(reset);
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
      return "Capture on " + session.device().name();
    }
  }
}
