package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL and Redis that {@code .ci/run} starts on the machine's loopback (a developer
 * starts their own: docs/real-services.md, "Relay"), as the test JVM reaches them from its private namespace. A test
 * that needs one and cannot reach it is skipped saying why, and fails on CI ({@code CI=true}).
 */
final class RealServices {
  /** PostgreSQL: database, user and password {@code faketcp}. */
  static final InetSocketAddress POSTGRES = new InetSocketAddress("127.0.0.1", Integer.getInteger("faketcp.postgres.port", 5432));
  static final InetSocketAddress REDIS = new InetSocketAddress("127.0.0.1", Integer.getInteger("faketcp.redis.port", 6379));
  static final String USER = "faketcp";
  static final String PASSWORD = "faketcp";
  static final String DATABASE = "faketcp";

  private RealServices() {}

  /** Skips (fails on CI) the calling test unless {@code service} accepts a connection. */
  static void require(String name, InetSocketAddress service) {
    try (Socket socket = new Socket()) {
      socket.connect(service, 2000);
    } catch (IOException e) {
      String why = name + " is not reachable at " + service.getAddress().getHostAddress() + ":" + service.getPort()
          + " from the test JVM (" + e.getMessage() + "; reach: " + System.getenv("FAKETCP_REACH") + "). Start it on the"
          + " machine's loopback before the build (.ci/run does: apt-get install postgresql redis-server), with user,"
          + " password and database faketcp for PostgreSQL; the test namespace reaches it through pasta (docs/real-services.md, \"Reach\")";
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(why);
      }
      Assumptions.abort(why);
    }
  }
}
