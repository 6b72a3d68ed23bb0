package io.faketcp.peer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * User code that serves each connection a fake host accepts, like a socket server's handler: read
 * the request, write the response, close or reset. faketcp's TCP carries the bytes; flow control is
 * real, so a server that does not read makes the host's writes block, as a real server would.
 *
 * <pre>{@code
 * Rule.of("192.168.0.5", "5432", connection -> {
 *   byte[] sslRequest = connection.input().readNBytes(8);
 *   connection.output().write('N');           // PostgreSQL: "no TLS here"
 *   ...
 *   connection.close();                       // FIN; connection.reset() sends RST
 * });
 * }</pre>
 *
 * <p>Each accepted connection is served on its own daemon thread, named after the connection, from
 * a cached pool: a server blocks in its streams as long as it likes without holding up other
 * connections or the peer, and short connections reuse threads.
 *
 * <p>When {@link #serve} returns, the connection is closed (FIN after every written byte) if the
 * server did not close or reset it. When it throws, the connection is reset and the exception is
 * recorded as the peer's {@linkplain FakePeer#failure() failure}, so a test using the JUnit
 * extension fails with it; an {@link java.io.IOException} thrown because the host reset the
 * connection (or the peer stopped) is not a failure. A server still running when the peer closes
 * is interrupted and its connection reset.
 */
@FunctionalInterface
public interface Server {
  /**
   * Serves one connection; called on the connection's own thread once the handshake completed.
   *
   * @throws Exception recorded as the peer's failure (the connection is reset)
   */
  void serve(Connection connection) throws Exception;

  /**
   * Echoes every byte back until the host closes its side, then closes: a server that transfers its
   * connection's input to its output ({@link InputStream#transferTo}), which any server may do alike.
   * Such a transfer is nearly as fast as the {@link Mode#ECHO} mode: while the server has nothing
   * buffered, the peer queues the host's bytes for sending itself (once the host sends segments of
   * 4 KiB or more: at MTU 9,000 and up), and otherwise the server's thread moves the bytes between
   * the connection's buffers without an array of its own.
   */
  static Server echo() {
    return ReadyServers.ECHO;
  }

  /**
   * Speaks first with {@code greeting} (an SMTP or FTP banner, say), then reads and discards
   * until the host closes, then closes.
   *
   * <pre>{@code
   * Rule.of("*", "25", Server.greeting("220 mail.example ESMTP\r\n"))
   * }</pre>
   */
  static Server greeting(byte[] greeting) {
    return new ReadyServers.Greeting(ReadyServers.copy(greeting, "greeting"));
  }

  /** {@link #greeting(byte[])} with the UTF-8 bytes of {@code greeting}. */
  static Server greeting(String greeting) {
    return greeting(ReadyServers.utf8(greeting, "greeting"));
  }

  /**
   * Answers any request with {@code response}: waits for the host's first bytes, writes the
   * response and closes its side (FIN), then reads and discards until the host closes. A client
   * that reads to end of stream, or by a length in the response, gets exactly these bytes.
   *
   * <pre>{@code
   * Rule.of("192.168.0.8", "80", Server.fixedResponse(
   *     "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
   * }</pre>
   */
  static Server fixedResponse(byte[] response) {
    return new ReadyServers.FixedResponse(ReadyServers.copy(response, "response"));
  }

  /** {@link #fixedResponse(byte[])} with the UTF-8 bytes of {@code response}. */
  static Server fixedResponse(String response) {
    return fixedResponse(ReadyServers.utf8(response, "response"));
  }

  /**
   * One accepted connection as its {@link Server} sees it: a stream in each direction, the
   * addresses, and the ways to end it. Streams and methods may be used from the server's thread
   * and any thread it hands them to.
   */
  interface Connection extends AutoCloseable {
    /**
     * The host's bytes, in order. A read blocks until bytes arrive, returns -1 once the host sent
     * FIN, and throws {@link java.io.IOException} when the connection was reset or the peer stopped
     * (or {@link java.io.InterruptedIOException} when the thread is interrupted). Bytes the server
     * has not read yet are buffered up to 64 KiB, and 1 byte more for every byte it read (up to
     * 4 MiB); beyond that the window is closed.
     */
    InputStream input();

    /**
     * Bytes to the host. A write returns once the bytes are queued (up to 64 KiB beyond what the
     * connection's send queue holds) and blocks while that is full: while the host does not read.
     * It throws {@link java.io.IOException} after {@link #shutdownOutput()}, {@link #close()},
     * {@link #reset()}, a reset by the host or the peer stopping. {@code flush()} is not needed.
     */
    OutputStream output();

    /** The fake host's address and port: where the host connected to. */
    InetSocketAddress localAddress();

    /** The host's address and port: the client's end. */
    InetSocketAddress remoteAddress();

    /** Sends FIN after every byte written so far (half-close); reading goes on. Idempotent. */
    void shutdownOutput();

    /**
     * Closes: FIN after every byte written so far; bytes the host still sends are read and
     * discarded by faketcp. Idempotent.
     */
    @Override
    void close();

    /** Aborts: RST to the host now, written bytes not yet sent are dropped. Idempotent. */
    void reset();
  }
}
