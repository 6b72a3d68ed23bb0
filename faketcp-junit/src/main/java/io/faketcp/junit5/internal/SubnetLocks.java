package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider.Lock;

/**
 * JUnit resource locks that keep overlapping subnets apart and let disjoint ones run together.
 *
 * <p>CIDR blocks either nest or are disjoint. A test on a subnet takes {@code READ_WRITE} on the
 * subnet's key and {@code READ} on the key of every block containing it (its supernets, down to
 * {@code /0}). Two equal or nested subnets then always meet on one key with a {@code READ_WRITE}, two
 * disjoint ones only on {@code READ}s.
 */
public final class SubnetLocks {
  /** Every lock key starts with this. */
  public static final String PREFIX = "faketcp.subnet:";

  private SubnetLocks() {}

  /** The locks for a test on {@code subnet}. */
  public static Set<Lock> forSubnet(Subnet subnet) {
    Set<Lock> locks = new LinkedHashSet<>();
    locks.add(new Lock(PREFIX + subnet, ResourceAccessMode.READ_WRITE));
    for (int length = subnet.prefixLength() - 1; length >= 0; length--) {
      int mask = length == 0 ? 0 : -1 << (32 - length);
      locks.add(new Lock(PREFIX + Subnet.toInet(subnet.networkInt() & mask).getHostAddress() + "/" + length,
          ResourceAccessMode.READ));
    }
    return locks;
  }

  /** The lock for a test whose subnet cannot be known in advance: exclusive against every subnet. */
  public static Set<Lock> forUnknownSubnet() {
    return Set.of(new Lock(PREFIX + "0.0.0.0/0", ResourceAccessMode.READ_WRITE));
  }
}
