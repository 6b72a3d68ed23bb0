package io.faketcp.peer;

/** Every behaviour of {@link WindowConformanceTest} over IPv6: the same segments, through the translation. */
class Ipv6WindowConformanceTest extends WindowConformanceTest {
  @Override
  CraftedHost host(Rules rules, int port) {
    return CraftedHost.ipv6(rules, port);
  }
}
