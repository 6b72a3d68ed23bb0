package io.faketcp.samples.boot;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/** Asks the price service for a product's price, with a connect and a read timeout. */
@Component
public class PriceClient {
  private final RestClient client;

  public PriceClient(@Value("${prices.url}") String baseUrl,
      @Value("${prices.connect-timeout:1s}") Duration connectTimeout,
      @Value("${prices.read-timeout:2s}") Duration readTimeout) {
    SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
    requests.setConnectTimeout((int) connectTimeout.toMillis());
    requests.setReadTimeout((int) readTimeout.toMillis());
    this.client = RestClient.builder().baseUrl(baseUrl).requestFactory(requests).build();
  }

  /** The price of {@code product}, as the service writes it. */
  public String price(String product) {
    return client.get().uri("/prices/{product}", product).retrieve().body(String.class);
  }
}
