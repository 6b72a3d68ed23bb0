package io.faketcp.peer;

/** Every behaviour of {@link ControlConformanceTest} over IPv6: the same segments, through the translation. */
class Ipv6ControlConformanceTest extends ControlConformanceTest {
  @Override
  CraftedHost host(Rules rules, int port) {
    return CraftedHost.ipv6(rules, port);
  }
}
