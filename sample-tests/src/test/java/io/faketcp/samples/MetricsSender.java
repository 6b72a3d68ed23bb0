package io.faketcp.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Application code under test: sends one metric to a Graphite-style server over plain TCP
 * ({@code path value timestamp\n}, no reply), one short connection per metric, with a connect
 * timeout. Network failures become the application's own {@link MetricsUnavailableException}.
 */
public final class MetricsSender {
  private final InetSocketAddress server;
  private final Duration connectTimeout;

  /** Sends to {@code server}; a connect that takes longer than {@code connectTimeout} fails. */
  public MetricsSender(InetSocketAddress server, Duration connectTimeout) {
    this.server = server;
    this.connectTimeout = connectTimeout;
  }

  /** The line {@link #send} writes. */
  public static String line(String path, double value, Instant at) {
    return String.format(Locale.ROOT, "%s %s %d\n", path, value, at.getEpochSecond());
  }

  /**
   * Connects, writes the metric's line and closes.
   *
   * @throws MetricsUnavailableException when the server refuses, does not answer within the
   *     connect timeout, or the connection fails
   */
  public void send(String path, double value, Instant at) throws MetricsUnavailableException {
    String where = server.getAddress().getHostAddress() + ":" + server.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(server, (int) connectTimeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(line(path, value, at).getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (ConnectException e) {
      throw new MetricsUnavailableException("metrics server " + where + " refused the connection", e);
    } catch (SocketTimeoutException e) {
      throw new MetricsUnavailableException("metrics server " + where + " did not answer within "
          + connectTimeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new MetricsUnavailableException("sending to metrics server " + where + " failed: " + e.getMessage(), e);
    }
  }

  /** The metrics server cannot be reached; the caller decides whether to drop or buffer the metric. */
  public static final class MetricsUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    MetricsUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
