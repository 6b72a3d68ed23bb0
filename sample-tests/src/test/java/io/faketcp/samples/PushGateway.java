package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Application code under test: a small NIO server that holds many idle client connections, as a push
 * or notification gateway does. One selector thread accepts, greets each client with {@code READY\n}
 * and notices when it leaves. It protects its file descriptors twice: above {@code maxConnections} it
 * closes new clients at once, and when the process runs out of descriptors anyway ({@code accept}
 * fails with "Too many open files") it stops accepting for a moment instead of spinning, and catches up
 * from the kernel's accept queue later.
 */
public final class PushGateway implements AutoCloseable {
  static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final ByteBuffer GREETING = ByteBuffer.wrap("READY\n".getBytes(StandardCharsets.US_ASCII));

  private final ServerSocketChannel server;
  private final Selector selector;
  private final SelectionKey acceptKey;
  private final int maxConnections;
  private final Thread thread;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger turnedAway = new AtomicInteger();
  private final AtomicInteger left = new AtomicInteger();
  private final AtomicLong acceptFailures = new AtomicLong();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(4096);
  private volatile boolean closing;
  private long resumeAcceptingAt;

  private PushGateway(InetSocketAddress bind, int backlog, int maxConnections) throws IOException {
    this.maxConnections = maxConnections;
    this.server = ServerSocketChannel.open();
    server.bind(bind, backlog);
    server.configureBlocking(false);
    this.selector = Selector.open();
    this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
    this.thread = new Thread(this::run, "push-gateway");
    thread.setDaemon(true);
  }

  /**
   * A gateway listening on {@code bind} with an accept queue of {@code backlog}, holding at most
   * {@code maxConnections} clients.
   */
  public static PushGateway start(InetSocketAddress bind, int backlog, int maxConnections) throws IOException {
    PushGateway gateway = new PushGateway(bind, backlog, maxConnections);
    gateway.thread.start();
    return gateway;
  }

  /** Clients held now. */
  public int openConnections() {
    return open.get();
  }

  /** Clients accepted so far (held or turned away). */
  public int accepted() {
    return accepted.get();
  }

  /** Clients closed at once because {@code maxConnections} were already held. */
  public int turnedAway() {
    return turnedAway.get();
  }

  /** Held clients that closed their connection. */
  public int left() {
    return left.get();
  }

  /** Times {@code accept} failed (out of file descriptors, typically). */
  public long acceptFailures() {
    return acceptFailures.get();
  }

  private void run() {
    try {
      while (!closing) {
        long pause = resumeAcceptingAt == 0 ? 0 : resumeAcceptingAt - System.nanoTime();
        if (resumeAcceptingAt != 0 && pause <= 0) {
          resumeAcceptingAt = 0;
          acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        selector.select(pause > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(pause)) : 0);
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            acceptAll();
          } else if (key.isReadable()) {
            read(key);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      if (!closing) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private void acceptAll() throws IOException {
    while (true) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        // Out of file descriptors: the client waits in the kernel's accept queue; try again shortly.
        acceptFailures.incrementAndGet();
        acceptKey.interestOps(0);
        resumeAcceptingAt = System.nanoTime() + ACCEPT_PAUSE_NANOS;
        return;
      }
      if (client == null) {
        return;
      }
      if (open.get() >= maxConnections) {
        client.close();
        turnedAway.incrementAndGet();
        accepted.incrementAndGet();
        continue;
      }
      client.configureBlocking(false);
      client.write(GREETING.duplicate());
      client.register(selector, SelectionKey.OP_READ);
      open.incrementAndGet();
      accepted.incrementAndGet();
    }
  }

  private void read(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    int n;
    try {
      readBuffer.clear();
      n = client.read(readBuffer); // clients send nothing we need; only their leaving matters
    } catch (IOException e) {
      n = -1;
    }
    if (n < 0) {
      key.cancel();
      try {
        client.close();
      } catch (IOException ignored) {
        // gone anyway
      }
      open.decrementAndGet();
      left.incrementAndGet();
    }
  }

  /** Stops the selector thread and closes every connection and the listening socket. */
  @Override
  public void close() throws IOException {
    closing = true;
    selector.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
    server.close();
  }
}
