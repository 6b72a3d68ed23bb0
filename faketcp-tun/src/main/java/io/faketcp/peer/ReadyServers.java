package io.faketcp.peer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The ready-made {@link Server}s, with a {@code toString} that reads well in a rule. */
final class ReadyServers {
  static final Server ECHO = new Server() {
    @Override
    public void serve(Connection connection) throws Exception {
      connection.input().transferTo(connection.output()); // from buffer to buffer, not through an array
      connection.close();
    }

    @Override
    public String toString() {
      return "echo server";
    }
  };

  private ReadyServers() {}

  static byte[] copy(byte[] bytes, String what) {
    if (bytes == null) {
      throw new IllegalArgumentException("the " + what + " is null: give the bytes to send (may be empty)");
    }
    return bytes.clone();
  }

  static byte[] utf8(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException("the " + what + " is null: give the text to send (may be empty)");
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads until the host's FIN, dropping the bytes. */
  static void discardInput(Server.Connection connection) throws java.io.IOException {
    InputStream in = connection.input();
    byte[] buffer = new byte[16384];
    while (in.read(buffer) >= 0) {
      // discard
    }
  }

  /** Speaks first, then discards. */
  static final class Greeting implements Server {
    private final byte[] greeting;

    Greeting(byte[] greeting) {
      this.greeting = greeting;
    }

    @Override
    public void serve(Connection connection) throws Exception {
      connection.output().write(greeting);
      discardInput(connection);
      connection.close();
    }

    @Override
    public String toString() {
      return "greeting server (" + greeting.length + " bytes)";
    }
  }

  /** One response to the first bytes of any request, then FIN. */
  static final class FixedResponse implements Server {
    private final byte[] response;

    FixedResponse(byte[] response) {
      this.response = response;
    }

    @Override
    public void serve(Connection connection) throws Exception {
      InputStream in = connection.input();
      byte[] buffer = new byte[16384];
      if (in.read(buffer) >= 0) {
        connection.output().write(response);
      }
      connection.shutdownOutput();
      discardInput(connection);
      connection.close();
    }

    @Override
    public String toString() {
      return "fixed-response server (" + response.length + " bytes)";
    }
  }
}
