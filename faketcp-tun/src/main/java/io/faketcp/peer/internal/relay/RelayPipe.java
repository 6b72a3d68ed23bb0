package io.faketcp.peer.internal.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Internal, not API. One relayed connection: the host's leg (a {@link HostLeg}) and the service's leg (a
 * socket), bytes copied both ways. End of stream on one leg half-closes the other; a reset or an
 * error on one leg resets the other. The host-to-service direction runs on the server's thread, the
 * other on a {@link RelayThreads} thread.
 */
public final class RelayPipe {
  private static final System.Logger LOG = System.getLogger(RelayPipe.class.getName());
  private static final int CHUNK = 16384;

  private final HostLeg host;
  private final Socket service;
  /** Set once either leg was reset: the other direction's error is then the consequence, not news. */
  private final AtomicBoolean reset = new AtomicBoolean();

  private RelayPipe(HostLeg host, Socket service) {
    this.host = host;
    this.service = service;
  }

  /**
   * Serves {@code connection} for {@code relay}: takes the socket {@code gate} connected at the SYN, or
   * connects now ({@code gate} null: the connection was not served by a peer's server pool).
   */
  public static void serve(Upstream relay, HostLeg connection, RelayGate gate) throws InterruptedException {
    Socket service = gate == null ? null : gate.claim(connection.localAddress(), connection.remoteAddress());
    if (service == null) {
      service = new Socket();
      try {
        service.connect(relay.address(), relay.connectTimeoutMillis());
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: connecting for {1} failed: {2}", relay, connection, e.toString());
        connection.reset();
        return;
      }
    }
    new RelayPipe(connection, service).run(relay);
  }

  private void run(Upstream relay) throws InterruptedException {
    try {
      service.setTcpNoDelay(true); // the host's segments go on as they come: no added Nagle delay
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: TCP_NODELAY: {1}", relay, e.toString());
    }
    CountDownLatch toHostDone = new CountDownLatch(1);
    RelayThreads.run("faketcp-relay " + relay + " -> " + host.remoteAddress(), () -> {
      try {
        toHost();
      } finally {
        toHostDone.countDown();
      }
    });
    try {
      toService();
      toHostDone.await();
    } finally {
      close();
    }
  }

  /** The host's bytes to the service; the host's FIN becomes the service's, its RST a RST. */
  private void toService() {
    OutputStream out;
    try {
      out = service.getOutputStream();
    } catch (IOException e) {
      resetHost();
      return;
    }
    copy(host.input(), out, service::shutdownOutput, this::resetService, this::resetHost);
  }

  /** The service's bytes to the host; the service's FIN becomes the host's, its RST a RST. */
  private void toHost() {
    InputStream in;
    try {
      in = service.getInputStream();
    } catch (IOException e) {
      resetHost();
      return;
    }
    copy(in, host.output(), host::shutdownOutput, this::resetHost, this::resetService);
  }

  /**
   * Copies until end of stream, then half-closes the other leg with {@code end}. A failed read means
   * the reading side's leg was reset ({@code readFailed}), a failed write the other's ({@code writeFailed}).
   */
  private static void copy(InputStream in, OutputStream out, HalfClose end, Runnable readFailed, Runnable writeFailed) {
    byte[] buffer = new byte[CHUNK];
    while (true) {
      int n;
      try {
        n = in.read(buffer);
      } catch (IOException e) {
        readFailed.run();
        return;
      }
      try {
        if (n < 0) {
          end.run();
          return;
        }
        out.write(buffer, 0, n);
      } catch (IOException e) {
        writeFailed.run();
        return;
      }
    }
  }

  /** The host's leg of a relayed connection: a connection a fake host accepted, as the relay's server sees it. */
  public interface HostLeg {
    /** The host's bytes. */
    InputStream input();

    /** Bytes to the host. */
    OutputStream output();

    /** The fake host's address and port. */
    InetSocketAddress localAddress();

    /** The host's address and port. */
    InetSocketAddress remoteAddress();

    /** Sends FIN to the host. */
    void shutdownOutput();

    /** Closes the leg. */
    void close();

    /** Resets the leg: RST to the host. */
    void reset();
  }

  /** Sends FIN on a leg. */
  @FunctionalInterface
  private interface HalfClose {
    void run() throws IOException;
  }

  private void resetHost() {
    if (reset.compareAndSet(false, true)) {
      host.reset();
      closeService(true);
    }
  }

  private void resetService() {
    if (reset.compareAndSet(false, true)) {
      closeService(true);
      host.reset();
    }
  }

  /** Both directions are done: the service's socket closes (FIN, or RST after a reset), the host's leg closes. */
  private void close() {
    if (!reset.get()) {
      closeService(false);
      host.close();
    }
  }

  private void closeService(boolean abort) {
    try {
      if (abort) {
        service.setSoLinger(true, 0); // close sends RST
      }
      service.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the service's socket: {0}", e.toString());
    }
  }
}
