package io.faketcp.samples;

import io.faketcp.peer.Server;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fake Redis for a fake host: reads RESP commands and answers PING with PONG and GET with the
 * value it was made with; HELLO is unknown (the client falls back to RESP2), CLIENT is OK.
 */
final class FakeRedis implements Server {
  private final String value;

  FakeRedis(String value) {
    this.value = value;
  }

  @Override
  public void serve(Connection connection) throws IOException {
    InputStream in = new BufferedInputStream(connection.input());
    OutputStream out = connection.output();
    List<String> command;
    while ((command = read(in)) != null) {
      String name = command.isEmpty() ? "" : command.get(0).toUpperCase(Locale.ROOT);
      switch (name) {
        case "PING":
          out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
          break;
        case "GET":
          byte[] v = value.getBytes(StandardCharsets.UTF_8);
          out.write(("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(v);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          break;
        case "CLIENT":
        case "SELECT":
          out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
          break;
        default:
          out.write(("-ERR unknown command '" + name + "'\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    connection.close();
  }

  /** One command (an array of bulk strings), or null at the end of the stream. */
  private static List<String> read(InputStream in) throws IOException {
    String header = line(in);
    if (header == null) {
      return null;
    }
    if (!header.startsWith("*")) {
      throw new IOException("not a RESP array: " + header);
    }
    List<String> parts = new ArrayList<>();
    for (int i = Integer.parseInt(header.substring(1)); i > 0; i--) {
      String length = line(in);
      byte[] bytes = in.readNBytes(Integer.parseInt(length.substring(1)));
      line(in);
      parts.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return parts;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return line.toString(StandardCharsets.US_ASCII).trim();
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public String toString() {
    return "fake Redis";
  }
}
