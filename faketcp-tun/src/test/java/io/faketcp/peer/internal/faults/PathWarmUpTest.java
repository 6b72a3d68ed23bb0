package io.faketcp.peer.internal.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up's exchanges go through the TCP and fault path, all of them, in memory. No tun needed. */
class PathWarmUpTest {
  @Test
  void everyExchangeIsEchoedThroughTheFaultLayer() throws Exception {
    assertThat(new PathWarmUp().run()).as("bytes echoed").isEqualTo(PathWarmUp.EXCHANGES);
  }
}
