package io.faketcp.junit5;

import io.faketcp.packet.Ipv6Packet;
import io.faketcp.tun.Subnet;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;

/**
 * The JUnit resource locks for fake networks (JUnit 5.12 or later): tests on equal or overlapping
 * subnets, or IPv6 prefixes, never run at the same time, tests on disjoint ones may (a dual-stack
 * network holds both its subnet and its prefix). {@link FakeNetwork} declares
 * them; for a class using the programmatic form in parallel runs, declare them yourself:
 *
 * <pre>{@code
 * @ResourceLock(providers = SubnetLocks.class)
 * class ServerTest {
 *   @RegisterExtension static FakeNetworkExtension net = FakeNetworkExtension.newInstance().build();
 * }
 * }</pre>
 *
 * <p>A static field's subnet is read when JUnit plans the run; an instance field's cannot be, so such
 * tests lock every subnet.
 *
 * <p>How: CIDR blocks either nest or are disjoint. A test on a subnet takes {@code READ_WRITE} on the
 * subnet's key and {@code READ} on the key of every block containing it (its supernets, down to
 * {@code /0}; for an IPv6 prefix down to {@code /64}, the shortest a network takes). Two equal or
 * nested subnets then always meet on one key with a {@code READ_WRITE}, two disjoint ones only on
 * {@code READ}s.
 */
public final class SubnetLocks implements ResourceLocksProvider {
  /** Every lock key starts with this. */
  static final String PREFIX = "faketcp.subnet:";
  /** The key of {@code 0.0.0.0/0}, which every subnet's locks include. */
  static final String EVERY_SUBNET = PREFIX + "0.0.0.0/0";

  /** For JUnit, which creates it for {@code @ResourceLock(providers = SubnetLocks.class)}. */
  public SubnetLocks() {}

  /** The locks of a class whose static {@code @RegisterExtension} field holds one network for all its tests. */
  @Override
  public Set<Lock> provideForClass(Class<?> testClass) {
    for (Field f : Annotations.registeredFields(testClass)) {
      if (Modifier.isStatic(f.getModifiers())) {
        return locksOf(f);
      }
    }
    return Set.of();
  }

  /** The locks of a test method: its {@link FakeNetwork}'s subnet, or every subnet for an instance field. */
  @Override
  public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
    List<Field> fields = Annotations.registeredFields(testClass);
    if (!fields.isEmpty()) {
      return fields.stream().anyMatch(f -> Modifier.isStatic(f.getModifiers())) ? Set.of() : forUnknownSubnet();
    }
    Optional<FakeNetwork> annotation = Annotations.find(testMethod, testClass);
    if (annotation.isEmpty()) {
      return Set.of();
    }
    try {
      FakeNetwork network = annotation.get();
      Set<Lock> locks = new LinkedHashSet<>();
      if (!network.subnet().isBlank()) {
        locks.addAll(forSubnet(Subnet.parse(network.subnet())));
      }
      if (!network.subnet6().isBlank()) {
        locks.addAll(forSubnet(Subnet.parse(network.subnet6())));
      }
      return locks;
    } catch (IllegalArgumentException e) {
      return Set.of(); // the extension reports the bad subnet when the test runs
    }
  }

  private static Set<Lock> locksOf(Field field) {
    try {
      field.setAccessible(true);
      Object value = field.get(null);
      if (value instanceof FakeNetworkExtension) {
        Optional<List<Subnet>> subnets = ((FakeNetworkExtension) value).configuredSubnets();
        if (subnets.isPresent()) {
          Set<Lock> locks = new LinkedHashSet<>();
          subnets.get().forEach(subnet -> locks.addAll(forSubnet(subnet)));
          return locks;
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // unreadable or invalid: lock everything; the extension reports a bad subnet when it runs
    }
    return forUnknownSubnet();
  }

  /** The locks for a test on {@code subnet}, an IPv4 subnet or an IPv6 prefix. */
  static Set<Lock> forSubnet(Subnet subnet) {
    Set<Lock> locks = new LinkedHashSet<>();
    locks.add(new Lock(PREFIX + subnet, ResourceAccessMode.READ_WRITE));
    if (subnet.isIpv6()) {
      for (int length = subnet.prefixLength() - 1; length >= Subnet.SHORTEST_IPV6_PREFIX; length--) {
        long low = subnet.networkLow() & (length == 64 ? 0 : -1L << (128 - length));
        String supernet = Ipv6Packet.toText(subnet.networkHigh(), low) + "/" + length;
        locks.add(new Lock(PREFIX + supernet, ResourceAccessMode.READ));
      }
      return locks;
    }
    for (int length = subnet.prefixLength() - 1; length >= 0; length--) {
      int mask = length == 0 ? 0 : -1 << (32 - length);
      locks.add(new Lock(PREFIX + Subnet.toInet(subnet.networkInt() & mask).getHostAddress() + "/" + length,
          ResourceAccessMode.READ));
    }
    return locks;
  }

  /** The lock for a test whose subnet cannot be known in advance: exclusive against every subnet. */
  static Set<Lock> forUnknownSubnet() {
    return Set.of(new Lock(EVERY_SUBNET, ResourceAccessMode.READ_WRITE));
  }
}
