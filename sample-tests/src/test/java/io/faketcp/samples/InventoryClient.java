package io.faketcp.samples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Application code under test: asks an inventory service for stock levels with one shared
 * {@link HttpClient}, whose pool keeps connections open between calls. Each call has a deadline for
 * the whole exchange, response body included: {@link HttpRequest.Builder#timeout} alone stops at the
 * response's headers, so a server that stalls in the middle of a body would hold the caller forever.
 * A call past its deadline is cancelled, which closes its connection: the pool never hands it out
 * again.
 */
public final class InventoryClient {
  private final URI baseUri;
  private final Duration deadline;
  private final HttpClient http;

  /**
   * @param baseUri e.g. {@code http://192.168.0.9:8080/}
   * @param deadline the limit for each call, from sending the request to the last byte of the response
   */
  public InventoryClient(URI baseUri, Duration deadline) {
    this.baseUri = baseUri;
    this.deadline = deadline;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(deadline)
        .build();
  }

  /**
   * The stock of {@code sku}, as the service's JSON.
   *
   * @throws InventoryUnavailableException when the service fails, answers with an error, or the call
   *     does not complete within the deadline
   * @throws InterruptedException when interrupted while waiting (the call is cancelled)
   */
  public String stock(String sku) throws InventoryUnavailableException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("stock/" + sku))
        .timeout(deadline)
        .header("Accept", "application/json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<String>> call = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      response = call.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);   // aborts the exchange and closes its connection
      throw new InventoryUnavailableException("inventory at " + baseUri + " did not complete the call for " + sku
          + " within " + deadline.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof IOException ? e.getCause() : e;
      throw new InventoryUnavailableException("inventory at " + baseUri + " failed: " + cause, cause);
    }
    if (response.statusCode() != 200) {
      throw new InventoryUnavailableException("inventory at " + baseUri + " answered " + response.statusCode(), null);
    }
    return response.body();
  }

  /** The inventory service cannot be used right now. */
  public static final class InventoryUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    InventoryUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
