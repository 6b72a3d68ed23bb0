package it;

import org.junit.jupiter.api.Test;

class FailsafeForkIT {
  @Test
  void runsInAPrivateNetworkNamespaceWithItsSettings() throws Exception {
    PrivateNamespaceChecks.check();
  }
}
