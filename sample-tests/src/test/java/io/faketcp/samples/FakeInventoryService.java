package io.faketcp.samples;

import io.faketcp.peer.Server;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An inventory service on a fake host, keeping connections alive between requests. Asked for
 * {@link #STUCK_SKU} it sends the response's headers and the start of its body, then stalls: it
 * writes nothing more and holds the connection, as a server waiting on a locked database row would.
 */
final class FakeInventoryService implements Server {
  static final String STUCK_SKU = "sku-locked";
  /** Each request's first line, with the client's port: "GET /stock/sku-1 HTTP/1.1 from 41234". */
  final List<String> requests = new CopyOnWriteArrayList<>();

  static String stockJson(String sku) {
    return "{\"sku\":\"" + sku + "\",\"stock\":12}";
  }

  @Override
  public void serve(Connection connection) throws IOException {
    InputStream in = connection.input();
    while (true) {
      String line;
      try {
        line = HttpHead.requestLine(HttpHead.read(in));
      } catch (EOFException e) {
        return;   // the client closed its idle connection
      }
      requests.add(line + " from " + connection.remoteAddress().getPort());
      String sku = line.split(" ")[1].substring("/stock/".length());
      String body = stockJson(sku);
      String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
      if (sku.equals(STUCK_SKU)) {
        connection.output().write((head + body.substring(0, 8)).getBytes(StandardCharsets.US_ASCII));
        in.transferTo(OutputStream.nullOutputStream());   // stalled until the client gives up
        return;
      }
      connection.output().write((head + body).getBytes(StandardCharsets.US_ASCII));
    }
  }
}
