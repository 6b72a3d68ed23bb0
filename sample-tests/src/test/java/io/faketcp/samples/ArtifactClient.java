package io.faketcp.samples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Application code under test: uploads build artifacts to an artifact repository and downloads them
 * again over HTTP with {@link HttpClient}, checking each download against the SHA-256 checksum the
 * repository sends along ({@code X-Checksum-Sha256}, as Artifactory and Nexus do).
 */
public final class ArtifactClient {
  static final String CHECKSUM_HEADER = "X-Checksum-Sha256";
  private final URI baseUri;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param baseUri e.g. {@code http://192.168.0.9:8080/}
   * @param timeout the limit for each request, until the response's headers (an upload included)
   */
  public ArtifactClient(URI baseUri, Duration timeout) {
    this.baseUri = baseUri;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .build();
  }

  /**
   * Stores {@code content} as {@code name}.
   *
   * @throws ArtifactException when the repository cannot be reached or does not answer 201 Created
   * @throws InterruptedException when interrupted while waiting
   */
  public void upload(String name, byte[] content) throws ArtifactException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("artifacts/" + name))
        .timeout(timeout)
        .header(CHECKSUM_HEADER, sha256(content))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
        .build();
    HttpResponse<Void> response = send(request, HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() != 201) {
      throw new ArtifactException("upload of " + name + " to " + baseUri + " answered " + response.statusCode(), null);
    }
  }

  /**
   * The content stored as {@code name}, checked against the repository's checksum.
   *
   * @throws ArtifactException when the repository cannot be reached, does not answer 200, or the
   *     content does not match its checksum
   * @throws InterruptedException when interrupted while waiting
   */
  public byte[] download(String name) throws ArtifactException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("artifacts/" + name))
        .timeout(timeout)
        .GET()
        .build();
    HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new ArtifactException("download of " + name + " from " + baseUri + " answered " + response.statusCode(), null);
    }
    String expected = response.headers().firstValue(CHECKSUM_HEADER)
        .orElseThrow(() -> new ArtifactException("download of " + name + " from " + baseUri + " has no "
            + CHECKSUM_HEADER + " header", null));
    String actual = sha256(response.body());
    if (!actual.equalsIgnoreCase(expected)) {
      throw new ArtifactException("download of " + name + " from " + baseUri + " is corrupt: SHA-256 " + actual
          + ", expected " + expected, null);
    }
    return response.body();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws ArtifactException, InterruptedException {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw new ArtifactException(request.method() + " " + request.uri() + " failed: " + e, e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The artifact repository could not store or deliver an artifact intact. */
  public static final class ArtifactException extends Exception {
    private static final long serialVersionUID = 1L;

    ArtifactException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
