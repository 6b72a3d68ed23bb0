package io.faketcp.samples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Application code under test: fetches stock quotes over HTTP with {@link HttpClient}, and retries a
 * failed GET (it is idempotent) on a fresh attempt, a bounded number of times with a short pause: a
 * connection reset in the middle of a response, a timeout, a refused connect. An HTTP error status
 * is an answer, not a network failure, and is not retried.
 */
public final class QuoteClient {
  private final URI baseUri;
  private final int maxAttempts;
  private final Duration requestTimeout;
  private final Duration pause;
  private final HttpClient http;

  /**
   * @param baseUri e.g. {@code http://192.168.0.9:8080/}
   * @param maxAttempts requests tried at most, at least 1
   * @param requestTimeout the limit for each attempt until the response's headers arrive
   * @param pause the pause between two attempts
   */
  public QuoteClient(URI baseUri, int maxAttempts, Duration requestTimeout, Duration pause) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts " + maxAttempts + " must be at least 1");
    }
    this.baseUri = baseUri;
    this.maxAttempts = maxAttempts;
    this.requestTimeout = requestTimeout;
    this.pause = pause;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout)
        .build();
  }

  /**
   * The quote of {@code symbol}, as the service's JSON.
   *
   * @throws QuoteUnavailableException when every attempt failed (its cause is the last failure, the
   *     earlier ones are suppressed), or the service answered with an error status
   * @throws InterruptedException when interrupted while waiting or pausing
   */
  public String quote(String symbol) throws QuoteUnavailableException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("quotes/" + symbol))
        .timeout(requestTimeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    List<IOException> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new QuoteUnavailableException("quote service at " + baseUri + " answered " + response.statusCode(),
              attempt, null);
        }
        return response.body();
      } catch (IOException e) {
        failures.add(e);
      }
      if (attempt < maxAttempts) {
        Thread.sleep(pause.toMillis());
      }
    }
    IOException last = failures.get(failures.size() - 1);
    QuoteUnavailableException unavailable = new QuoteUnavailableException("quote service at " + baseUri
        + " failed " + maxAttempts + " time(s), last: " + last, maxAttempts, last);
    failures.subList(0, failures.size() - 1).forEach(unavailable::addSuppressed);
    throw unavailable;
  }

  /** No quote could be had: {@link #attempts()} requests failed, or the service answered with an error. */
  public static final class QuoteUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int attempts;

    QuoteUnavailableException(String message, int attempts, Throwable cause) {
      super(message, cause);
      this.attempts = attempts;
    }

    /** How many requests were sent. */
    public int attempts() {
      return attempts;
    }
  }
}
