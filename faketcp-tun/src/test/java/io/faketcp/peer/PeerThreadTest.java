package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.internal.PeerThreadAccess;
import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Peers one after another on a kept thread (the fixture's way), with real sockets through a real tun device. */
@ExtendWith(RequiresTun.class)
class PeerThreadTest {
  private static final PeerThreadAccess<TunDevice, FakePeer.Builder> ACCESS = access();

  private static PeerThreadAccess<TunDevice, FakePeer.Builder> access() {
    try {
      Class.forName(FakePeer.class.getName(), true, PeerThreadTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    return PeerThreadAccess.get();
  }

  @Test
  void peersOneAfterAnotherAnswerOnOneThreadThatOutlivesThem() throws Exception {
    try (TunDevice tun = TunDevice.builder().open();
        AutoCloseable kept = ACCESS.keep(tun)) {
      Set<Thread> before = peerThreads(tun);
      assertThat(before).as("threads before the first peer").isEmpty();
      Thread first = null;
      for (int i = 0; i < 5; i++) {
        FakePeer peer = ACCESS.onThread(FakePeer.builder(tun), kept).mode(Mode.ECHO).start();
        try {
          assertThat(peer.isRunning()).isTrue();
          assertThat(echo(tun, 2 + i, "round " + i)).isEqualTo("round " + i);
          Set<Thread> now = peerThreads(tun);
          assertThat(now).as("peer threads in round %d", i).hasSize(1);
          if (first == null) {
            first = now.iterator().next();
          }
          assertThat(now).as("round %d runs on the first round's thread", i).containsExactly(first);
          assertThat(peer.counters().connectionsOpened()).as("this peer's own counters").isEqualTo(1);
        } finally {
          peer.close();
        }
        assertThat(peer.isRunning()).as("peer %d after close", i).isFalse();
        assertThat(first.isAlive()).as("the kept thread after peer %d closed", i).isTrue();
      }
      kept.close();
      assertThat(first.isAlive()).as("the kept thread after it was closed").isFalse();
    }
  }

  @Test
  void closingAnIdlePeerDoesNotWaitForItsThread() throws Exception {
    try (TunDevice tun = TunDevice.builder().open();
        AutoCloseable kept = ACCESS.keep(tun)) {
      FakePeer warm = ACCESS.onThread(FakePeer.builder(tun), kept).mode(Mode.ECHO).start();
      echo(tun, 2, "warm");
      warm.close();
      // The thread waits for packets; a peer served now and closed at once was never run by it, and one
      // that ran and went idle is taken off without a wake-up: neither close may take a scheduling round trip.
      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        FakePeer peer = ACCESS.onThread(FakePeer.builder(tun), kept).start();
        long t0 = System.nanoTime();
        peer.close();
        slowest = Math.max(slowest, System.nanoTime() - t0);
        assertThat(peer.isRunning()).isFalse();
      }
      assertThat(slowest).as("slowest close of an idle peer, ns").isLessThan(2_000_000_000L);
      FakePeer last = ACCESS.onThread(FakePeer.builder(tun), kept).mode(Mode.ECHO).start();
      try {
        assertThat(echo(tun, 9, "still answering")).isEqualTo("still answering");
      } finally {
        last.close();
      }
    }
  }

  @Test
  void closingABusyPeerStopsItsServersAndTheNextPeerStartsClean() throws Exception {
    try (TunDevice tun = TunDevice.builder().open();
        AutoCloseable kept = ACCESS.keep(tun)) {
      FakePeer serving = ACCESS.onThread(FakePeer.builder(tun), kept)
          .rule(Rule.of("*", "7", Server.echo())).start();
      Socket open = new Socket(address(tun, 5), 7);
      try {
        open.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        assertThat(open.getInputStream().read()).isEqualTo('x');
        serving.close(); // a server session is open: its connection is reset
        open.setSoTimeout(5000);
        assertThatThrownBy(() -> open.getInputStream().read()).isInstanceOf(java.io.IOException.class);
      } finally {
        open.close();
      }
      PeerCounters closedPeer = serving.counters();
      FakePeer next = ACCESS.onThread(FakePeer.builder(tun), kept).mode(Mode.REJECT).start();
      try {
        assertThatThrownBy(() -> new Socket(address(tun, 5), 7).close()).isInstanceOf(java.net.ConnectException.class);
        assertThat(next.counters().resetsSent()).as("resets of the new peer").isPositive();
        assertThat(next.counters().connectionsOpened()).as("connections of the new peer").isZero();
        assertThat(serving.counters()).as("the closed peer's counters after the new peer's work").isEqualTo(closedPeer);
      } finally {
        next.close();
      }
    }
  }

  @Test
  void aThreadStillRunningAPeerServesNoOtherAndOneOnlyForItsDevice() throws Exception {
    try (TunDevice tun = TunDevice.builder().open();
        TunDevice other = TunDevice.builder().subnet(io.faketcp.tun.Subnet.parse("10.77.0.0/24")).open();
        AutoCloseable kept = ACCESS.keep(tun)) {
      FakePeer running = ACCESS.onThread(FakePeer.builder(tun), kept).start();
      try {
        assertThatThrownBy(() -> ACCESS.onThread(FakePeer.builder(tun), kept).start())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("close that peer first");
        assertThatThrownBy(() -> ACCESS.onThread(FakePeer.builder(other), kept))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.name());
      } finally {
        running.close();
      }
    }
  }

  @Test
  void closingTheDeviceEndsTheKeptThreadBetweenPeers() throws Exception {
    TunDevice tun = TunDevice.builder().open();
    AutoCloseable kept = ACCESS.keep(tun);
    FakePeer peer = ACCESS.onThread(FakePeer.builder(tun), kept).mode(Mode.ECHO).start();
    echo(tun, 3, "once");
    peer.close();
    Thread thread = peerThreads(tun).iterator().next();
    tun.close();
    thread.join(5000);
    assertThat(thread.isAlive()).as("kept thread after its device closed").isFalse();
    kept.close(); // idempotent, nothing left to end
    assertThat(peer.failure()).isEmpty();
  }

  private static String echo(TunDevice tun, int host, String text) throws Exception {
    try (Socket socket = new Socket(address(tun, host), 7)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(text.length()), StandardCharsets.US_ASCII);
    }
  }

  private static String address(TunDevice tun, int host) {
    byte[] a = tun.subnet().hostAddress().getAddress();
    return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + host;
  }

  private static Set<Thread> peerThreads(TunDevice tun) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().equals("faketcp-peer-" + tun.name())).collect(Collectors.toSet());
  }
}
