package io.faketcp.peer;

/** Every behaviour of {@link ReceiveConformanceTest} over IPv6: the same segments, through the translation. */
class Ipv6ReceiveConformanceTest extends ReceiveConformanceTest {
  @Override
  CraftedHost host(Rules rules, int port) {
    return CraftedHost.ipv6(rules, port);
  }
}
