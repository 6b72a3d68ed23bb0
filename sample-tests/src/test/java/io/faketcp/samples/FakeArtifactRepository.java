package io.faketcp.samples;

import io.faketcp.peer.Server;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An artifact repository on a fake host: {@code PUT /artifacts/NAME} stores the body (201 Created),
 * {@code GET /artifacts/NAME} returns it with its {@code X-Checksum-Sha256} (200, or 404). One request
 * per connection.
 */
final class FakeArtifactRepository implements Server {
  /** What was uploaded, by path. */
  final Map<String, byte[]> stored = new ConcurrentHashMap<>();

  @Override
  public void serve(Connection connection) throws IOException {
    InputStream in = connection.input();
    OutputStream out = connection.output();
    String head = HttpHead.read(in);
    String[] requestLine = HttpHead.requestLine(head).split(" ");
    String method = requestLine[0];
    String path = requestLine[1];
    if (method.equals("PUT")) {
      int length = Integer.parseInt(header(head, "Content-Length"));
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("the client closed after " + body.length + " of " + length + " bytes of " + path);
      }
      stored.put(path, body);
      out.write(("HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    } else if (method.equals("GET") && stored.containsKey(path)) {
      byte[] body = stored.get(path);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/java-archive\r\nContent-Length: " + body.length
          + "\r\n" + ArtifactClient.CHECKSUM_HEADER + ": " + ArtifactClient.sha256(body)
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
    } else {
      out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
    }
    connection.close();
  }

  private static String header(String head, String name) throws IOException {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    return head.lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
        .map(line -> line.substring(prefix.length()).trim()).findFirst()
        .orElseThrow(() -> new IOException("request without " + name + ": " + head));
  }
}
