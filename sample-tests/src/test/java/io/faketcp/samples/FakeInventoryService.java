package io.faketcp.samples;

import io.faketcp.peer.Server;
import java.io.IOException;
import java.io.InputStream;
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
      String head;
      try {
        head = FakeQuoteService.readHead(in);
      } catch (java.io.EOFException e) {
        return;   // the client closed its idle connection
      }
      String line = head.substring(0, head.indexOf("\r\n"));
      requests.add(line + " from " + connection.remoteAddress().getPort());
      String sku = line.split(" ")[1].substring("/stock/".length());
      String body = stockJson(sku);
      String response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body;
      if (sku.equals(STUCK_SKU)) {
        connection.output().write(response.substring(0, response.length() - body.length() + 8)
            .getBytes(StandardCharsets.US_ASCII));
        in.transferTo(java.io.OutputStream.nullOutputStream());   // stalled until the client gives up
        return;
      }
      connection.output().write(response.getBytes(StandardCharsets.US_ASCII));
    }
  }
}
