package io.faketcp.tshark;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bulk transfers by kernel sockets to the fake hosts, checked byte for byte: the traffic tshark then
 * judges. Each closes with a FIN exchange. They read into a small buffer and compare as they go: a test
 * JVM allocating tens of megabytes pauses for GC, the fake peer with it, and the host then sees ACKs
 * late (a retransmission in tshark's eyes) for the test's sake, not the peer's.
 */
final class Transfers {
  private Transfers() {}

  /** {@code bytes} (a counting pattern) for the transfers. */
  static byte[] pattern(int bytes) {
    byte[] data = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      data[i] = (byte) (i * 31 + (i >>> 10));
    }
    return data;
  }

  /** Writes {@code data} to an echoing host while reading it back, then closes. */
  static void echo(InetSocketAddress echoing, byte[] data) throws Exception {
    try (Socket socket = new Socket(echoing.getAddress(), echoing.getPort())) {
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(socket, data));
      readAndCompare(socket.getInputStream(), data);
      writing.get(30, TimeUnit.SECONDS);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("the echo host closes after our FIN").isEqualTo(-1);
    }
  }

  /** Writes {@code data} to a discarding host, then closes. */
  static void discard(InetSocketAddress discarding, byte[] data) throws Exception {
    try (Socket socket = new Socket(discarding.getAddress(), discarding.getPort())) {
      socket.getOutputStream().write(data);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).as("the discard host closes after our FIN").isEqualTo(-1);
    }
  }

  /** Uploads {@code data} to a host served by {@link #uploadThenDownload}, and downloads it back. */
  static void upAndDown(InetSocketAddress server, byte[] data) throws Exception {
    try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
      socket.getOutputStream().write(data);
      InputStream in = socket.getInputStream();
      readAndCompare(in, data);
      assertThat(in.read()).as("the server closes after the download").isEqualTo(-1);
    }
  }

  /** A {@link Server} that reads {@code data} and then sends it back, then closes: one transfer each way. */
  static Server uploadThenDownload(byte[] data) {
    return connection -> {
      readAndCompare(connection.input(), data);
      OutputStream out = connection.output();
      out.write(data);
      out.flush();
      connection.close();
    };
  }

  /** Reads {@code expected.length} bytes and checks them against {@code expected}. */
  static void readAndCompare(InputStream in, byte[] expected) throws IOException {
    byte[] buffer = new byte[64 << 10];
    int at = 0;
    while (at < expected.length) {
      int n = in.read(buffer, 0, Math.min(buffer.length, expected.length - at));
      if (n < 0) {
        throw new IOException("the stream ended after " + at + " of " + expected.length + " bytes");
      }
      if (Arrays.mismatch(buffer, 0, n, expected, at, at + n) >= 0) {
        throw new IOException("bytes " + at + " to " + (at + n) + " differ from those sent");
      }
      at += n;
    }
  }

  private static void write(Socket socket, byte[] data) {
    try {
      socket.getOutputStream().write(data);
    } catch (IOException e) {
      throw new IllegalStateException("writing " + data.length + " bytes: " + e.getMessage(), e);
    }
  }
}
