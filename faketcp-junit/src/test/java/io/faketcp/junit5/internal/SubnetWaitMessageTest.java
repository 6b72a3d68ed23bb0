package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.Subnet;
import org.junit.jupiter.api.Test;

/** The 60 s "waited for subnet" message names what the holder is doing. */
class SubnetWaitMessageTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.0.0/24");

  @Test
  void aHolderThatFinishedButNeverClosedItsNetworkIsNamedAsSuch() {
    DevicePool.Holder holder = new DevicePool.Holder("[test:a()]");
    holder.finishedNanos = System.nanoTime() - 61_000_000_000L;

    String message = DevicePool.waitedTooLong("[test:b()]", SUBNET, SUBNET, holder);

    assertThat(message).startsWith("[test:b()] waited 60 s for subnet 192.168.0.0/24, held by [test:a()]"
            + " (192.168.0.0/24), which finished 61 s ago but never closed its fake network: JUnit Jupiter ")
        .contains("did not close the extension's store value")
        .doesNotContain("parallel execution");
  }

  @Test
  void aHolderStillRunningIsNamedWithTheWayToKeepTestsApart() {
    String message = DevicePool.waitedTooLong("[test:b()]", SUBNET, Subnet.parse("192.168.0.0/16"),
        new DevicePool.Holder("[test:a()]"));

    assertThat(message).startsWith("[test:b()] waited 60 s for subnet 192.168.0.0/24, held by [test:a()]"
            + " (192.168.0.0/16), which is still running: with parallel execution give concurrent tests distinct"
            + " subnets")
        .contains(JUnitVersion.lockProviders() ? "@ResourceLock(providers = SubnetLocks.class)"
            : "needs 5.12 or later");
  }
}
