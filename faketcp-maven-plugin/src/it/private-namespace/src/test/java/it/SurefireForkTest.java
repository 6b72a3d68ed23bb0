package it;

import org.junit.jupiter.api.Test;

class SurefireForkTest {
  @Test
  void runsInAPrivateNetworkNamespaceWithItsSettings() throws Exception {
    PrivateNamespaceChecks.check();
  }
}
