package io.faketcp.peer;

/** Every behaviour of {@link SendConformanceTest} over IPv6: the same segments, through the translation. */
class Ipv6SendConformanceTest extends SendConformanceTest {
  @Override
  CraftedHost host(Rules rules, int port) {
    return CraftedHost.ipv6(rules, port);
  }
}
