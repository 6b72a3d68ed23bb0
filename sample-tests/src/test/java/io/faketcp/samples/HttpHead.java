package io.faketcp.samples;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads an HTTP/1.1 request's head, for the fake HTTP servers of the samples. */
final class HttpHead {
  private HttpHead() {}

  /**
   * Everything up to and including the empty line that ends the head.
   *
   * @throws EOFException when the client closes before the empty line
   */
  static String read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the client closed before the end of the request's head: " + head);
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** The request line: "GET /path HTTP/1.1". */
  static String requestLine(String head) {
    return head.substring(0, head.indexOf("\r\n"));
  }
}
