package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.Subnet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider.Lock;

/** The lock keys: equal or nested subnets and prefixes meet on a READ_WRITE, disjoint ones only on READs. */
class SubnetLocksTest {

  @Test
  void anIpv6PrefixLocksItselfAndReadsItsSupernetsDownToSlash64() {
    Set<Lock> locks = SubnetLocks.forSubnet(Subnet.parse("fd00:42::100/120"));
    assertThat(locks).hasSize(120 - 64 + 1)
        .contains(new Lock("faketcp.subnet:fd00:42::100/120", ResourceAccessMode.READ_WRITE),
            new Lock("faketcp.subnet:fd00:42::/119", ResourceAccessMode.READ),
            new Lock("faketcp.subnet:fd00:42::/64", ResourceAccessMode.READ));
    assertThat(meet(locks, SubnetLocks.forSubnet(Subnet.parse("fd00:42::/64")))).as("nested").isTrue();
    assertThat(meet(locks, SubnetLocks.forSubnet(Subnet.parse("fd00:42::/120")))).as("disjoint").isFalse();
    assertThat(meet(locks, SubnetLocks.forSubnet(Subnet.parse("192.168.0.0/24")))).as("IPv4").isFalse();
  }

  /** Whether two tests with these locks are kept apart: one key, at least one of them READ_WRITE. */
  private static boolean meet(Set<Lock> a, Set<Lock> b) {
    return a.stream().anyMatch(x -> b.stream().anyMatch(y -> x.getKey().equals(y.getKey())
        && (x.getAccessMode() == ResourceAccessMode.READ_WRITE || y.getAccessMode() == ResourceAccessMode.READ_WRITE)));
  }
}
