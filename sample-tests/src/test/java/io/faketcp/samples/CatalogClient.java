package io.faketcp.samples;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Application code under test: a small wrapper over {@link HttpClient} for a product catalog service,
 * with a connect timeout and a per-request timeout. Whatever goes wrong on the network becomes the
 * application's {@link CatalogUnavailableException}.
 */
public final class CatalogClient {
  private final URI baseUri;
  private final Duration requestTimeout;
  private final HttpClient http;

  /**
   * @param baseUri e.g. {@code http://192.168.0.9:8080/}
   * @param connectTimeout the limit for opening a connection
   * @param requestTimeout the limit for a whole request, from sending it to the response's headers
   */
  public CatalogClient(URI baseUri, Duration connectTimeout, Duration requestTimeout) {
    this.baseUri = baseUri;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .build();
  }

  /**
   * The JSON of product {@code id}.
   *
   * @throws CatalogUnavailableException when the catalog refuses, times out or answers with an error
   * @throws InterruptedException when interrupted while waiting for the answer
   */
  public String product(String id) throws CatalogUnavailableException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("products/" + id))
        .timeout(requestTimeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw new CatalogUnavailableException("catalog at " + baseUri + " did not accept a connection", e);
    } catch (HttpTimeoutException e) {
      throw new CatalogUnavailableException("catalog at " + baseUri + " did not answer within "
          + requestTimeout.toMillis() + " ms", e);
    } catch (ConnectException e) {
      throw new CatalogUnavailableException("catalog at " + baseUri + " refused the connection", e);
    } catch (IOException e) {
      throw new CatalogUnavailableException("catalog at " + baseUri + " failed: " + e, e);
    }
    if (response.statusCode() != 200) {
      throw new CatalogUnavailableException("catalog at " + baseUri + " answered " + response.statusCode(), null);
    }
    return response.body();
  }

  /** The catalog cannot be used right now. */
  public static final class CatalogUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    CatalogUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
