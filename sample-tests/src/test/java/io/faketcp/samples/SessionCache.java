package io.faketcp.samples;

import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Application code under test: login sessions in Redis, through Jedis's connection pool, as a web
 * service would keep them.
 */
final class SessionCache implements AutoCloseable {
  private final JedisPooled redis;

  /** @param timeout Jedis's connect and socket timeout */
  SessionCache(HostAndPort redis, Duration timeout) {
    int millis = (int) timeout.toMillis();
    this.redis = new JedisPooled(redis, DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis).socketTimeoutMillis(millis).build());
  }

  /** Remembers that {@code session} belongs to {@code user}, for {@code ttl}. */
  void put(String session, String user, Duration ttl) {
    redis.setex("session:" + session, Math.max(1, ttl.toSeconds()), user);
  }

  /** The user of {@code session}, empty when unknown or expired. */
  Optional<String> user(String session) {
    return Optional.ofNullable(redis.get("session:" + session));
  }

  @Override
  public void close() {
    redis.close();
  }
}
