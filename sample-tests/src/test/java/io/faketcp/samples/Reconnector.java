package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Application code: keeps a connection to a service by name; when it breaks, connects again every
 * {@code pause}, resolving the name at each attempt (through the JDK's resolver and its cache), until
 * a connect succeeds or the deadline passes.
 */
final class Reconnector {
  private final String host;
  private final int port;
  private final Duration pause;
  private int refused;

  Reconnector(String host, int port, Duration pause) {
    this.host = host;
    this.port = port;
    this.pause = pause;
  }

  /** A connected socket, or an IOException once {@code deadline} has passed. */
  Socket connect(Duration deadline) throws IOException, InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(host, port), (int) pause.toMillis() * 5);
        return socket;
      } catch (IOException e) {
        socket.close();
        refused++;
        if (System.nanoTime() - end > 0) {
          throw new IOException(host + ":" + port + " unreachable for " + deadline.toMillis() + " ms after " + refused
              + " attempts: " + e.getMessage(), e);
        }
        Thread.sleep(pause.toMillis());
      }
    }
  }

  /** Connects that failed so far. */
  int failedAttempts() {
    return refused;
  }
}
